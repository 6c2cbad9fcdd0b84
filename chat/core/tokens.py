"""What the session's REST answers do: the tokens of a sign-in or a refresh taken (or
the session ended), a failed refresh retried or the connection lost. Mixed into
``ChatClient`` (client.py composes the parts these use; session.py keeps the tokens),
kept here so that each module stays small."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chat.core import texts
from chat.core.phases import CONNECTED, Phase, Refresh, Trigger

if TYPE_CHECKING:
    from chat.core.client import ChatClient


class TokenAnswers:
    def _on_login(self: ChatClient, status: int, body: Any, now: float) -> None:
        if status == 200 and self._take_tokens(body, now):
            self._connect(Trigger.TOKENS_OK, now)
        elif status == 401:
            self._end_session(Trigger.SESSION_ENDED, texts.WRONG_PASSWORD)
        else:
            self._end_session(Trigger.SESSION_ENDED, texts.sign_in_failed(body, status))

    def _on_refresh(self: ChatClient, status: int, body: Any, now: float) -> None:
        self._session.refresh = Refresh.IDLE
        if status == 200 and self._take_tokens(body, now):
            if self._connection.conn is None:  # waiting for these to connect
                self._connect(Trigger.TOKENS_OK, now)
            elif self.phase in CONNECTED:
                # Same socket, new token: moves its expiry, and ends a TOKEN_EXPIRED pause.
                self._send_auth()
        elif status in (400, 401, 403):
            self._end_session(Trigger.SESSION_ENDED, texts.SESSION_EXPIRED)
        else:
            self._refresh_failed(self._unreachable, now)

    def _refresh_failed(self: ChatClient, reason: str, now: float) -> None:
        self._session.refresh = Refresh.IDLE
        if self.phase in (Phase.SIGNING_IN, Phase.CONNECTING):
            self._lost(reason, now)
        elif self.phase in CONNECTED:
            self._session.retry_refresh(now)

    def _take_tokens(self: ChatClient, body: Any, now: float) -> bool:
        user_id = self._session.take(body, now)
        if user_id is None:
            return False
        if self._outbox.own(user_id):
            self._sync.clear()  # another account: the previous one's chat is not theirs
            self._talk.clear()
            self._history.clear()
        return True

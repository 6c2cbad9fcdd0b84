"""The inputs about what this browser keeps beyond one page: the session another tab
of the same browser moved on, the outbox an earlier page left behind and the read
position it kept; and the reader's own progress (``read_up_to``, ``jump_to_unread``).

Mixed into ``ChatClient`` (client.py composes the parts these use). Several tabs kept
signed in share one single-use refresh token: the adapter refreshes under a lock that
all the tabs share, always with the newest token kept, and tells the others through
``session_elsewhere`` (chat/tabs.py does both in the page). What a closed page left in
its outbox comes back through ``restore_outbox``, only to the account that typed it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from chat.core import texts
from chat.core.events import Outgoing
from chat.core.phases import Phase, Trigger
from chat.core.protocol import Message, MessageId

if TYPE_CHECKING:
    from chat.core.client import ChatClient


class SharedInputs:
    def session_elsewhere(self: ChatClient, refresh_token: str | None, *, now: float) -> None:
        """Another tab rotated the kept session's refresh token (it is now the only one
        that works: use it from here on) or ended that session (None): this tab's ends
        too, with a reason and its outbox kept for the next sign-in."""
        if self.phase is Phase.SIGNED_OUT:
            return
        if refresh_token is not None:
            self._session.adopt(refresh_token)
        else:
            self._end_session(Trigger.SESSION_ENDED, texts.ENDED_ELSEWHERE)

    def restore_outbox(self: ChatClient, user_id: str, entries: Iterable[Outgoing], *,
                       now: float) -> int:
        """Take back what a closed page of ``user_id`` had not sent, in its order after
        what waits here; ignored unless ``user_id`` is this session's user, so nothing
        is ever sent as another account. Returns how many were taken (an id already
        here is not taken twice; its client-made id keeps a resend from storing it
        twice)."""
        if self.phase is Phase.SIGNED_OUT or self.user_id != user_id:
            return 0
        taken = self._outbox.restore(entries)
        if taken:
            self._pump()
        return taken

    def read_up_to(self: ChatClient, message_id: MessageId, *, now: float) -> None:
        """The user has seen this message and all before it (chat/core/unread.py): the
        read position moves forward to it and is saved on the server."""
        message = self.timeline.get(message_id)
        if message is not None:
            self._unread.read_up_to(message.id, message.created,
                                    self._session.access_token, now)

    def jump_to_unread(self: ChatClient, *, now: float) -> None:
        """Bring the newest message read into view, the first unread right after it,
        reading older history back to it if it is not loaded (a ShowMessage event
        follows, or a Notice if it is gone). Nothing happens while the position is not
        known."""
        if self.phase is Phase.SIGNED_OUT or self._unread.position is None:
            return
        message_id = self._unread.message_id
        message = self.timeline.get(message_id)
        self._history.reach(message or Message(id=message_id, content="",
                                               created=self._unread.position[0]))

    def read_position_kept(self: ChatClient, user_id: str, message_id: MessageId,
                           created: float, *, now: float) -> None:
        """The read position this browser kept for ``user_id``; ignored for another."""
        if self.phase is not Phase.SIGNED_OUT and self.user_id == user_id:
            self._unread.kept(message_id, created)
            self._unread.save(self._session.access_token, now)

    @property
    def read_position(self: ChatClient) -> tuple[float, str] | None:
        """(date, id as text) of the newest message read, if known."""
        return self._unread.position

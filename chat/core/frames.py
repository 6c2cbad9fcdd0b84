"""What each frame from the socket does: ``socket_message`` and the answers to auth
and to items requests. Mixed into ``ChatClient`` (client.py composes the parts these
use), kept here so that each module stays small."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from chat.core import protocol, texts
from chat.core.phases import Handshake, Phase, Trigger
from chat.core.requests import CreateMessage, GapRead, SyncPage

if TYPE_CHECKING:
    from chat.core.client import ChatClient

log = logging.getLogger("chat")


class FrameInputs:
    def socket_message(self: ChatClient, conn: int, text: Any, *, now: float) -> None:
        """One text frame from socket ``conn``. Stale sockets and bad frames are ignored."""
        if not self._connection.is_current(conn):
            return
        self._connection.heard(now)
        frame = protocol.parse(text)
        match frame:
            case protocol.Ping():
                self._connection.send(protocol.encode_pong())
            case protocol.AuthOk():
                self._on_auth_ok()
            case protocol.AuthError():
                self._on_auth_error(frame, now)
            case protocol.SubscriptionEvent():
                if not self._talk.reactions.take(frame) and self._sync.take(frame):
                    self._talk.subscribe(self._connection.send)
                    # The first page. Directus reads it before it registers the
                    # subscription: a message created in between is in neither. One read
                    # of everything newer than the page (with the overlap) closes that
                    # window before the outbox goes; live once it is answered. (A larger
                    # gap is read the same way.)
                    self._requests.queue(GapRead(self._sync.read_since()))
                self._pump()  # an event may want a read (a reply's quote)
            case protocol.ItemsReply():
                self._on_items(frame, now)
            case protocol.RequestError():
                self._on_request_error(frame, now)
            case protocol.Unparsable():
                log.warning("ignored a frame: %s", frame.reason)

    def _send_auth(self: ChatClient) -> None:
        self._connection.send(self._session.auth_frame(self._out.uid("auth")))

    def _on_auth_ok(self: ChatClient) -> None:
        self._connection.handshake = Handshake.FIRST
        if self._fire(Trigger.AUTH_OK):
            self._connection.send(self._sync.subscribe(self._out.uid("live")))
        elif self._connection.paused:
            if self._connection.token_renewed():  # events were missed meanwhile
                self._requests.queue(SyncPage())
            self._pump()

    def _on_auth_error(self: ChatClient, frame: protocol.AuthError, now: float) -> None:
        log.info("auth error %s", frame.code)
        if frame.code == "TOKEN_EXPIRED" and self.phase in (Phase.SYNCING, Phase.LIVE):
            self._connection.token_expired()  # nothing but auth is sent until renewed
            self._session.start_refresh()
        elif self.phase is Phase.AUTHENTICATING and frame.code in ("AUTH_FAILED",
                                                                   "TOKEN_EXPIRED"):
            if self._connection.handshake is Handshake.RETRIED:
                return self._end_session(Trigger.SESSION_ENDED, texts.SESSION_EXPIRED)
            self._connection.handshake = Handshake.RETRIED
            self._drop_socket(code=4001, reason="auth failed")
            self._fire(Trigger.AUTH_RETRY)
            self._session.forget_access()
            self._session.start_refresh()
        else:
            self._lost(self._unreachable, now)

    def _on_items(self: ChatClient, frame: protocol.ItemsReply, now: float) -> None:
        request = self._requests.answer(frame)
        if request is None:
            return
        if not isinstance(request, CreateMessage):
            self._caught_up(now)
        self._pump()

    def _on_request_error(self: ChatClient, frame: protocol.RequestError, now: float) -> None:
        if frame.code == "REQUESTS_EXCEEDED":
            return self._requests.hold()
        if frame.type in ("subscribe", "subscription"):
            # Refused while the token was expired: read again once it is renewed.
            if (not self._connection.events_refused() and not self._sync.subscribed
                    and frame.code in ("FORBIDDEN", "INVALID_COLLECTION")):
                self._end_session(Trigger.SESSION_ENDED, texts.subscription_refused(
                    frame.code, frame.message, self.config.directus_url))
            return
        request = self._requests.refuse(frame)
        if request is None:
            return
        if isinstance(request, SyncPage | GapRead):
            self._caught_up(now)
        self._pump()

"""The ``items`` requests on the socket: one class per kind, at most one in flight, and
what the answer to each means.

One at a time because Directus 11 sends the error frames of items requests without
their uid: an error then answers the one in flight. What goes next: a read-back, then a
read, then the outbox's next create. The server's rate limit (REQUESTS_EXCEEDED) holds
them all for a while; a request unanswered for ``request_timeout`` is given up.

A new kind of request is a dataclass here, its frame in ``encode`` and what its answer
and its refusal mean in ``answer`` and ``refuse``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from chat.core import conversation, history, protocol
from chat.core.actions import Timer
from chat.core.config import Config
from chat.core.conversation import Conversation
from chat.core.events import Notice
from chat.core.history import History, OlderPage, SearchPage
from chat.core.outbox import Outbox
from chat.core.output import Output
from chat.core.phases import RateLimit
from chat.core.schema import Capabilities, KeyKind, Schema
from chat.core.sync import Sync
from chat.core.texts import NO_ANSWER, NO_ANSWER_READ, SERVER_BUSY

log = logging.getLogger("chat")


@dataclass(frozen=True)
class CreateMessage:
    """Store a message typed here, under its client-made id."""

    kind: ClassVar[str] = "create"
    message_id: str
    content: str
    reply_to: str | None = None
    mentions: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReadBack:
    """Is this message stored? (Its create failed RECORD_NOT_UNIQUE, or its reply
    lacked the stored row.)"""

    kind: ClassVar[str] = "verify"
    message_id: str


@dataclass(frozen=True)
class SyncPage:
    """The newest page again: events were refused while the token was expired."""

    kind: ClassVar[str] = "sync"


@dataclass(frozen=True)
class GapRead:
    """Everything created at ``since`` or later (None: everything), up to gap_limit."""

    kind: ClassVar[str] = "gap"
    since: float | None


Request = (CreateMessage | ReadBack | SyncPage | GapRead | OlderPage | SearchPage
           | conversation.Request)
Read = SyncPage | GapRead


def encode(request: Request, uid: str, config: Config, caps: Capabilities,
           talk: Conversation) -> str:
    fields = caps.message_fields
    match request:
        case CreateMessage():
            return protocol.encode_create(uid, request.message_id, request.content,
                                          key=caps.key_field, reply_to=request.reply_to,
                                          fields=fields,
                                          mentions=request.mentions if caps.mentions else ())
        case ReadBack():
            return protocol.encode_read(uid, limit=1, ids=(request.message_id,),
                                        key=caps.key_field or "id", fields=fields)
        case SyncPage():
            return protocol.encode_read(uid, limit=config.history_limit, fields=fields)
        case GapRead():
            return protocol.encode_read(uid, limit=config.gap_limit, since=request.since,
                                        fields=fields)
        case OlderPage() | SearchPage():
            return history.encode(request, uid, fields)
        case _:
            return talk.encode(request, uid)


@dataclass
class _InFlight:
    request: Request
    uid: str
    noticed_at: float | None = None  # when the watchdog first saw it unanswered


class Requests:
    def __init__(self, config: Config, out: Output, outbox: Outbox, sync: Sync,
                 schema: Schema, history: History, talk: Conversation,
                 send: Callable[[str], None]) -> None:
        self._config = config
        self._schema = schema
        self._out = out
        self._outbox = outbox
        self._sync = sync
        self._talk = talk
        self._history = history
        self._send = send
        self.rate = RateLimit.OPEN
        self._in_flight: _InFlight | None = None
        self._reads: list[Read] = []
        self._read_backs: list[str] = []  # message ids

    def clear(self) -> None:
        """The socket is gone: so are the requests on it and the queued reads."""
        self._out.cancel_timer(Timer.BUSY)
        self.rate = RateLimit.OPEN
        self._in_flight = None
        self._history.interrupted()
        self._reads.clear()
        self._read_backs.clear()

    # --- Queueing -------------------------------------------------------------------------

    def queue(self, read: Read) -> None:
        """Read once more, unless a read of that kind waits already."""
        if all(type(queued) is not type(read) for queued in self._reads):
            self._reads.append(read)

    @property
    def reading(self) -> bool:
        """Are reads waiting?"""
        return bool(self._reads)

    def read_back(self, message_id: str) -> None:
        self._read_backs.append(message_id)

    def forget(self, message_id: str) -> None:
        """The message is stored: no need to read it back."""
        if message_id in self._read_backs:
            self._read_backs.remove(message_id)

    def pump(self) -> None:
        """Send the next request, unless one is in flight or the rate limit holds."""
        if self._in_flight is not None or self.rate is RateLimit.HELD:
            return
        request: Request | None = None
        if self._read_backs:
            request = ReadBack(self._read_backs.pop(0))
        elif self._reads:
            request = self._reads.pop(0)
        elif (asked := self._history.next_request()) is not None:
            request = asked
        elif (asked := self._talk.next_request()) is not None:
            request = asked
        elif (entry := self._outbox.next_to_send()) is not None:
            request = CreateMessage(entry.id, entry.content, reply_to=entry.reply_to,
                                    mentions=entry.mentions)
        if request is not None:
            self._in_flight = _InFlight(request, uid=self._out.uid(request.kind))
            self._send(self._encode(self._in_flight))

    def _encode(self, in_flight: _InFlight) -> str:
        return encode(in_flight.request, in_flight.uid, self._config, self._schema.caps,
                      self._talk)

    # --- Answers --------------------------------------------------------------------------

    def answer(self, frame: protocol.ItemsReply) -> Request | None:
        """Take in a reply; returns the request in flight it answers, if it does."""
        if isinstance(frame.data, dict) and (frame.uid or "").startswith(CreateMessage.kind):
            self._sync.item(frame.data)  # a create's stored row, whatever its uid
        if self._in_flight is None or frame.uid != self._in_flight.uid:
            return None
        request = self._take()
        items = frame.data if isinstance(frame.data, list) else []
        match request:
            case CreateMessage() if self._schema.caps.key is KeyKind.NONE:
                # No client key to read it back by: the reply is the only confirmation.
                self._outbox.stored(request.message_id)
            case CreateMessage() if request.message_id in self._outbox:
                # The reply did not carry the stored row: read it back, as after
                # RECORD_NOT_UNIQUE, rather than leave it "sending" and send the next.
                self.read_back(request.message_id)
            case ReadBack():
                for item in items:
                    self._sync.item(item)
                self._outbox.requeue(request.message_id)  # if not stored after all
            case SyncPage():
                if self._sync.page(items):
                    self.queue(GapRead(self._sync.read_since()))
            case GapRead():
                self._sync.gap(items)
            case OlderPage() | SearchPage():
                self._history.answered(request, items)
            case _:
                self._talk.answer(request, frame.data, self._sync)
        return request

    def refuse(self, frame: protocol.RequestError) -> Request | None:
        """Take in an error; returns the request in flight it refuses, if it does."""
        if self._in_flight is None or frame.uid not in (None, self._in_flight.uid):
            return None
        # Directus 11 sends items errors without uid; one of another type without a uid
        # is about something else.
        if frame.uid is None and frame.type != "items":
            log.info("ignored a %s error without uid: %s", frame.type[:40], frame.code[:40])
            return None
        request = self._take()
        match request:
            case SyncPage() | GapRead():
                log.warning("a %s read failed: %s", request.kind, frame.code)
            case OlderPage() | SearchPage():
                self._history.failed(request, frame.message or frame.code)
            case CreateMessage() if (frame.code == "RECORD_NOT_UNIQUE"
                                     and self._schema.caps.key is not KeyKind.NONE
                                     and request.message_id in self._outbox):
                self.read_back(request.message_id)  # stored already? read it back to be sure
            case CreateMessage() | ReadBack():
                # A refused create, or a failed read-back (stored or not is unknown): the
                # user may retry, and the id keeps a retry from storing it twice.
                self._outbox.fail(request.message_id, f"Not sent: {frame.message or frame.code}")
            case _:
                self._talk.refuse(request, frame.code, frame.message)
        return request

    def expire(self, now: float) -> bool:
        """Give up the request in flight if it has waited too long: Directus 11 answers
        some refused creates (FAILED_VALIDATION) with nothing at all, which would hold
        the outbox forever. The wait counts from the first watchdog tick that saw the
        request; the rate limit stops the clock. A create given up fails its message
        (retrying is safe: the id makes a second create fail RECORD_NOT_UNIQUE, and a
        late reply or create event still confirms it). True if anything else was: the
        socket is stuck."""
        if self._in_flight is None or self.rate is RateLimit.HELD:
            return False
        if self._in_flight.noticed_at is None:
            self._in_flight.noticed_at = now
        if now - self._in_flight.noticed_at <= self._config.request_timeout:
            return False
        request = self._take()
        log.warning("no answer to a %s request", request.kind)
        if isinstance(request, conversation.Change):
            self._talk.expire(request)
            return False
        if isinstance(request, OlderPage | SearchPage):  # the user may ask again
            self._history.failed(request, NO_ANSWER_READ)
            return False
        if not isinstance(request, CreateMessage) or request.message_id not in self._outbox:
            return True
        self._outbox.fail(request.message_id, NO_ANSWER)
        return False

    def _take(self) -> Request:
        assert self._in_flight is not None
        request, self._in_flight = self._in_flight.request, None
        return request

    # --- The rate limit -------------------------------------------------------------------

    def hold(self) -> None:
        log.info("rate limited by the server")
        self._out.emit(Notice(text=SERVER_BUSY))
        self.rate = RateLimit.HELD
        self._out.set_timer(Timer.BUSY, self._config.busy_wait)

    def release(self) -> None:
        """The wait is over: send again what may have been refused, the subscription
        first; a request under a fresh uid (a late answer to the old one is matched by
        the row's id only)."""
        self.rate = RateLimit.OPEN
        if (subscribe := self._sync.resubscribe()) is not None:
            self._send(subscribe)
        if self._in_flight is not None:
            self._in_flight.uid = self._out.uid(self._in_flight.request.kind)
            self._in_flight.noticed_at = None
            self._send(self._encode(self._in_flight))

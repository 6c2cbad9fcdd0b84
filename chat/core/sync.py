"""Keeping the timeline in step with the server: the one subscription per socket and its
events, the newest page after every (re)connect, gap reads and replies, each merged by
id; what changed since the last event becomes one TimelineChanged.

Where the timeline is complete (``Timeline.complete_until``) moves only with what shows
the server's whole state: a page or gap read, the subscription's events in their order.
A gap read starts there, a little before, never at the newest message known: the reply
to our own create overtakes a busy server's queued events.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from chat.core import protocol
from chat.core.config import Config
from chat.core.events import TimelineChanged
from chat.core.output import Output
from chat.core.phases import Subscription
from chat.core.protocol import Message, MessageId
from chat.core.schema import Schema
from chat.core.timeline import Timeline

log = logging.getLogger("chat")


class Sync:
    def __init__(self, config: Config, out: Output, schema: Schema,
                 stored: Callable[[str | int], None],
                 merged: Callable[[Message, bool], None] = lambda message, live: None,
                 deleted: Callable[[MessageId], None] = lambda message_id: None) -> None:
        """``stored(key)`` is called with the client key (``Message.key``) of every
        message the server shows stored, ``merged(message, live)`` for every message
        merged (``live``: from an event or a reply, else from a read),
        ``deleted(message_id)`` for every message deleted."""
        self._config = config
        self._schema = schema
        self._out = out
        self._stored = stored
        self._merged = merged
        self._deleted = deleted
        self.timeline = Timeline()
        self.state = Subscription.NONE
        self._uid: str | None = None
        self._changed: dict[str | int, Message | None] = {}  # id -> new message, None: removed
        self._reset = False

    # --- The subscription -------------------------------------------------------------------

    def subscribe(self, uid: str) -> str:
        """The frame that subscribes, under a uid never used before."""
        self._uid, self.state = uid, Subscription.SUBSCRIBING
        return self._frame()

    def resubscribe(self) -> str | None:
        """After the rate limit: the same uid replaces the first subscription, if it was
        made after all. None once its first page is in."""
        return self._frame() if self.state is Subscription.SUBSCRIBING else None

    def unsubscribe(self) -> None:
        """The socket is gone, and its subscription with it."""
        self._uid, self.state = None, Subscription.NONE

    @property
    def subscribed(self) -> bool:
        """Is its first page in?"""
        return self.state is Subscription.SUBSCRIBED

    def take(self, frame: protocol.SubscriptionEvent) -> bool:
        """Take in an event of the subscription (one of another is ignored). True if it
        was its first page (``init``): whether or not that shows a gap, a read from
        ``read_since`` follows it (see the client)."""
        if self._uid is None or frame.uid != self._uid:
            log.info("ignored an event of an unknown subscription")
            return False
        if frame.event == "init":
            self.state = Subscription.SUBSCRIBED
            self._schema.seen(frame.data)
            self.page(frame.data)
            return True
        if frame.event in ("create", "update"):
            page = self._parse(frame.data if isinstance(frame.data, list) else [frame.data])
            for message in page:
                self._upsert(message, live=True)
            if page:  # events come in the server's order: nothing before them is missing
                self.timeline.mark_complete(max(m.created for m in page))
        elif frame.event == "delete":
            for raw in frame.data if isinstance(frame.data, list) else [frame.data]:
                message_id = self._known(raw)
                if message_id is not None:
                    self.delete(message_id)
        return False

    def delete(self, message_id: MessageId) -> None:
        """The server deleted this message (an event, or the reply to our delete)."""
        if self.timeline.remove(message_id):
            self._changed[message_id] = None
            self._deleted(message_id)

    def _frame(self) -> str:
        assert self._uid is not None
        return protocol.encode_subscribe(self._uid, limit=self._config.history_limit,
                                         fields=self._schema.caps.message_fields)

    def _known(self, raw: Any) -> str | int | None:
        """The id of a known message from a delete event (an integer id may come as
        its digits), else None."""
        if isinstance(raw, str | int) and raw in self.timeline:
            return raw
        if isinstance(raw, str) and raw.isdigit() and int(raw) in self.timeline:
            return int(raw)
        return None

    # --- Merging --------------------------------------------------------------------------

    def page(self, data: Any) -> bool:
        """Merge the newest page of messages (the subscription's first, or a resync).
        True if a gap needs reading.

        Known messages inside the page's time span that the page lacks were deleted
        while we were away. If the page is full and does not reach back to where the
        timeline is complete, more were created than it holds: the gap needs reading.
        """
        items = data if isinstance(data, list) else []
        page = self._parse(items)
        complete = self.timeline.complete_until
        full = len(items) >= self._config.history_limit
        if full and not page:
            return False
        seen = {m.id for m in page}
        oldest = min(m.sort_key for m in page) if full else (0.0, "")
        for message_id in self.timeline.ids_from(oldest):
            if message_id not in seen:
                self.delete(message_id)
        for message in page:
            self._upsert(message)
        if full and complete is not None and complete < oldest[0]:
            return True
        if page:
            self.timeline.mark_complete(max(m.created for m in page))
        return False

    def read_since(self) -> float | None:
        """Where a gap read starts: a little before the timeline is complete until."""
        complete = self.timeline.complete_until
        return None if complete is None else complete - self._config.gap_overlap

    def gap(self, data: Any) -> None:
        """Merge the messages created since a little before where the timeline was complete."""
        items = data if isinstance(data, list) else []
        page = self._parse(items)
        if len(items) >= self._config.gap_limit and page:
            # Even the gap read was full: drop what is older, rather than show a hole.
            log.info("too many messages missed: showing the newest ones only")
            oldest = min(m.sort_key for m in page)
            for message in self.timeline.messages():
                if message.sort_key < oldest:
                    self.timeline.remove(message.id)
            self._reset = True
        for message in page:
            self._upsert(message)
        if page:  # it read everything since where the timeline was complete
            self.timeline.mark_complete(max(m.created for m in page))

    def item(self, item: Any) -> None:
        """One stored row, from a reply (a create's, or a read-back's)."""
        message = protocol.parse_message(item)
        if message is None:
            log.warning("ignored a malformed message")
            return
        self._upsert(message, live=True)

    def clear(self) -> None:
        """Forget every message (signed out, or another account signed in)."""
        self.timeline.clear()
        self._reset = True

    def flush(self) -> None:
        """A TimelineChanged event for what changed since the last one, if anything."""
        if not self._changed and not self._reset:
            return
        if self._reset:
            upserted = tuple(self.timeline.messages())
            removed: tuple[str, ...] = ()
        else:
            upserted = tuple(m for m in self._changed.values() if m is not None)
            removed = tuple(k for k, m in self._changed.items() if m is None)
        self._out.emit(TimelineChanged(upserted=upserted, removed=removed, reset=self._reset))
        self._changed = {}
        self._reset = False

    def _parse(self, items: list[Any]) -> list[Message]:
        page = [protocol.parse_message(item) for item in items]
        if None in page:
            log.warning("ignored %d malformed messages", page.count(None))
        return [m for m in page if m is not None]

    def _upsert(self, message: Message, *, live: bool = False) -> None:
        if self.timeline.upsert(message):
            self._changed[message.id] = message
        self._stored(message.key)
        self._merged(message, live)

"""The conversation around messages: edits, deletes, reactions and the quotes of
replies. Their requests go through requests.py's one-in-flight queue, after the reads
of the timeline and before the outbox's creates.

Changes made here (edit, delete, react) wait in order, across disconnects, and are
done exactly once: an edit sent twice stores the same text; a change of a message that
has gone since is dropped unsent; a delete or a reaction's removal refused after it
was sent once (the socket went before its answer) was done by that first send; a
reaction sent twice is refused ``RECORD_NOT_UNIQUE``, which means it is there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from chat.core import features as edit_rules
from chat.core import protocol, reactions, texts
from chat.core.actions import Method
from chat.core.events import ChangesWaiting, Notice, Quote, QuotesChanged
from chat.core.features import Features, features_of
from chat.core.output import Output, Purpose
from chat.core.reactions import Reactions
from chat.core.schema import Capabilities
from chat.core.sync import Sync
from chat.core.timeline import Timeline

log = logging.getLogger("chat")
QUOTES_AT_ONCE = 100  # originals read in one request


@dataclass(frozen=True)
class EditMessage:
    kind: ClassVar[str] = "edit"
    message_id: str
    content: str


@dataclass(frozen=True)
class DeleteMessage:
    kind: ClassVar[str] = "delete"
    message_id: str


@dataclass(frozen=True)
class AddReaction:
    kind: ClassVar[str] = "react"
    message_id: str
    emoji: str


@dataclass(frozen=True)
class RemoveReaction:
    """Remove the user's ``emoji``: its id is found when it goes (it may be the answer
    to an add still in flight when this was asked)."""

    kind: ClassVar[str] = "unreact"
    message_id: str
    emoji: str
    reaction_id: str | None = None


@dataclass(frozen=True)
class ReadReactions:
    kind: ClassVar[str] = "reactions"
    message_ids: tuple[str, ...]


@dataclass(frozen=True)
class ReadQuotes:
    kind: ClassVar[str] = "quotes"
    message_ids: tuple[str, ...]


Change = EditMessage | DeleteMessage | AddReaction | RemoveReaction
Request = Change | ReadReactions | ReadQuotes


@dataclass
class _Waiting:
    change: Change
    sends: int = 0  # more than one: an answer was lost with a socket
    in_flight: bool = False


@dataclass
class _Reads:
    reactions: list[str] = field(default_factory=list)  # message ids, in order
    quotes: set[str] = field(default_factory=set)
    asking: set[str] = field(default_factory=set)  # quotes in flight


class Conversation:
    def __init__(self, out: Output, timeline: Callable[[], Timeline],
                 user_id: Callable[[], str | None],
                 caps: Callable[[], Capabilities]) -> None:
        self._out = out
        self._timeline = timeline
        self._user_id = user_id
        self._caps = caps
        self._window: float | None = edit_rules.UNKNOWN
        self._window_asked = False
        self.reactions = Reactions(out)
        self._waiting: list[_Waiting] = []
        self._reads = _Reads()
        self._quotes: dict[str, Quote] = {}
        self._originals: dict[protocol.MessageId, protocol.Message] = {}  # quoted, not loaded
        self._new_quotes: list[Quote] = []
        self._waiting_changed = False

    @property
    def features(self) -> Features:
        return features_of(self._caps(), self._window)

    def ask_window(self, token: str | None) -> None:
        """Read the edit window once per session (REST only: the socket serves no
        system collection), where messages can be changed."""
        if not self._window_asked and (self.features.edit or self.features.delete):
            self._window_asked = True
            self._out.request(Purpose.EDIT_WINDOW,
                              "/permissions?fields=collection,action,permissions", None,
                              method=Method.GET, token=token)

    def window_answer(self, status: int, body: Any) -> None:
        self._window = edit_rules.edit_window(status, body)

    # --- What the user does -------------------------------------------------------------

    def edit(self, message_id: str, content: str) -> None:
        self._stored_message(message_id)
        if not self.features.edit:
            raise ValueError(texts.CANNOT_CHANGE)
        self._waiting = [w for w in self._waiting if w.in_flight or not (
            isinstance(w.change, EditMessage) and w.change.message_id == message_id)]
        self._add(EditMessage(message_id, content))

    def delete(self, message_id: str) -> None:
        self._stored_message(message_id)
        if not self.features.delete:
            raise ValueError(texts.CANNOT_CHANGE)
        self._waiting = [w for w in self._waiting if w.in_flight or not (
            isinstance(w.change, EditMessage) and w.change.message_id == message_id)]
        self._add(DeleteMessage(message_id))

    def react(self, message_id: str, emoji: str) -> None:
        """Toggle the user's ``emoji`` under a message: on if off, off if on, counting
        the toggles that wait (one not sent yet is undone instead)."""
        if not self.features.reactions or emoji not in self.features.emoji:
            raise ValueError(texts.REACTION_REFUSED.format(why="not offered here"))
        pending = [w for w in self._waiting if isinstance(w.change, AddReaction | RemoveReaction)
                   and (w.change.message_id, w.change.emoji) == (message_id, emoji)]
        if pending and not pending[-1].in_flight:
            self._done(pending[-1])
            return
        on = (isinstance(pending[-1].change, AddReaction) if pending
              else self.reactions.mine(message_id, emoji, self._user_id()) is not None)
        self._add(RemoveReaction(message_id, emoji) if on else AddReaction(message_id, emoji))

    def _stored_message(self, message_id: str) -> None:
        message = self._timeline().get(message_id)
        if message is None or message.user_id != self._user_id():
            raise ValueError(texts.CANNOT_CHANGE)

    def _add(self, change: Change) -> None:
        self._waiting.append(_Waiting(change))
        self._waiting_changed = True

    # --- What the timeline brings ---------------------------------------------------------

    def merged(self, message: protocol.Message, live: bool) -> None:
        """A message merged into the timeline: read its reactions if it came from a
        read (a live one is new or edited: its reactions come as events), and the
        original it quotes if that is not loaded."""
        if self.features.reactions and not live:
            self._reads.reactions.append(message.id)
        if message.reply_to is not None and message.reply_to not in self._quotes:
            self._reads.quotes.add(message.reply_to)
        if message.id in self._quotes:  # loaded now: the timeline has it
            del self._quotes[message.id]

    def original(self, message_id: protocol.MessageId) -> protocol.Message | None:
        """A message replies quote: from the timeline, else as its quote was read."""
        return self._timeline().get(message_id) or self._originals.get(message_id)

    def removed(self, message_id: str) -> None:
        """A message was deleted: its reactions went with it; replies quote it no more."""
        self.reactions.drop_message(message_id)
        self._originals.pop(message_id, None)
        self._set_quote(Quote(id=message_id, deleted=True))

    def subscribe(self, send: Callable[[str], None]) -> None:
        """The messages subscription's first page is in: subscribe to reactions, once
        per socket (after it: subscribe errors carry no uid)."""
        if self.features.reactions and self.reactions.uid is None:
            send(self.reactions.subscribe(self._out.uid("reactions")))

    def unsend(self) -> None:
        """The socket is gone: what was in flight waits again; its reactions
        subscription went with it."""
        for waiting in self._waiting:
            waiting.in_flight = False
        self._reads.quotes |= self._reads.asking
        self._reads.asking.clear()
        self.reactions.unsubscribe()

    def clear(self) -> None:
        """Signed out, or another account: nothing of the last one's stays."""
        self._waiting.clear()
        self._waiting_changed = True
        self._window, self._window_asked = edit_rules.UNKNOWN, False
        self._reads = _Reads()
        self._quotes.clear()
        self._originals.clear()
        self.reactions.clear()

    # --- Requests -------------------------------------------------------------------------

    def next_request(self) -> Request | None:
        """The next request to send, if any: reads first, then the oldest change."""
        timeline = self._timeline()
        if self._reads.reactions:
            ids = tuple(dict.fromkeys(i for i in self._reads.reactions if i in timeline))
            self._reads.reactions.clear()
            if ids:
                return ReadReactions(ids[-QUOTES_AT_ONCE * 2:])
        quotes = [i for i in self._reads.quotes if i not in timeline]
        self._reads.quotes.clear()
        if quotes:
            batch = tuple(sorted(quotes)[:QUOTES_AT_ONCE])
            self._reads.quotes.update(quotes[QUOTES_AT_ONCE:])
            self._reads.asking.update(batch)
            return ReadQuotes(batch)
        for waiting in list(self._waiting):
            if waiting.in_flight:
                return None  # one change at a time, in order
            if waiting.change.message_id not in timeline:
                self._done(waiting)  # the message went meanwhile: nothing to change
                continue
            if isinstance(waiting.change, RemoveReaction) and waiting.change.reaction_id is None:
                change = waiting.change
                mine = self.reactions.mine(change.message_id, change.emoji, self._user_id())
                if mine is None:
                    self._done(waiting)  # not there (any more): nothing to remove
                    continue
                waiting.change = replace(change, reaction_id=mine.id)
            waiting.in_flight = True
            waiting.sends += 1
            return waiting.change
        return None

    def encode(self, request: Request, uid: str) -> str:
        fields = self._caps().message_fields
        match request:
            case EditMessage():
                return protocol.encode_update(uid, request.message_id, request.content,
                                              fields=fields)
            case DeleteMessage():
                return protocol.encode_delete(uid, request.message_id)
            case AddReaction():
                return reactions.encode_create(uid, request.message_id, request.emoji)
            case RemoveReaction():
                return reactions.encode_delete(uid, str(request.reaction_id))
            case ReadReactions():
                return reactions.encode_read(uid, request.message_ids)
            case ReadQuotes():
                return protocol.encode_read(uid, limit=len(request.message_ids),
                                            ids=request.message_ids, fields=fields)

    def answer(self, request: Request, data: Any, sync: Sync) -> None:
        """The reply to ``request``."""
        match request:
            case EditMessage():
                if isinstance(data, dict):
                    sync.item(data)
            case DeleteMessage():
                sync.delete(request.message_id)  # if its event has not come first
            case AddReaction():
                self.reactions.item(data)
            case RemoveReaction():
                self.reactions.remove(str(request.reaction_id))
            case ReadReactions():
                self.reactions.loaded(request.message_ids, data)
            case ReadQuotes():
                self._quoted(request.message_ids, data)
        if isinstance(request, Change):
            self._done_change(request)

    def refuse(self, request: Request, code: str, message: str) -> None:
        match request:
            case ReadReactions() | ReadQuotes():
                log.warning("a %s read failed: %s", request.kind, code)
                self._reads.asking.difference_update(getattr(request, "message_ids", ()))
                return
            case AddReaction() if code == "RECORD_NOT_UNIQUE":
                pass  # reacted so already (another tab, or a retry)
            case DeleteMessage() | RemoveReaction() if code == "FORBIDDEN" and self._resent(
                    request):
                pass  # the first send did it; its answer was lost with the socket
            case EditMessage() | DeleteMessage() if (code == "FORBIDDEN"
                                                     and self.features.edit_window):
                minutes = round(self.features.edit_window / 60)
                self._out.emit(Notice(text=texts.EDIT_WINDOW_PASSED.format(minutes=minutes)))
            case EditMessage() | DeleteMessage():
                self._out.emit(Notice(text=texts.EDIT_REFUSED.format(why=message or code)))
            case AddReaction() | RemoveReaction():
                self._out.emit(Notice(text=texts.REACTION_REFUSED.format(why=message or code)))
        self._done_change(request)

    def expire(self, request: Request) -> None:
        """Unanswered: a change is given up (the user may make it again)."""
        if isinstance(request, Change):
            self._out.emit(Notice(text=texts.CHANGE_UNANSWERED))
            self._done_change(request)
        else:
            self._reads.asking.difference_update(request.message_ids)

    # --- Internals --------------------------------------------------------------------------

    def _resent(self, change: Change) -> bool:
        waiting = next((w for w in self._waiting if w.change == change), None)
        return waiting is not None and waiting.sends > 1

    def _done_change(self, change: Change) -> None:
        waiting = next((w for w in self._waiting if w.change == change), None)
        if waiting is not None:
            self._done(waiting)

    def _done(self, waiting: _Waiting) -> None:
        self._waiting.remove(waiting)
        self._waiting_changed = True

    def _quoted(self, asked: tuple[str, ...], data: Any) -> None:
        self._reads.asking.difference_update(asked)
        found = {m.id: m for m in map(protocol.parse_message,
                                       data if isinstance(data, list) else []) if m}
        self._originals.update(found)
        for message_id in asked:
            message = found.get(message_id)
            self._set_quote(Quote(id=message_id, deleted=True) if message is None else
                            Quote(id=message_id, author=message.user_name,
                                  content=message.content))

    def _set_quote(self, quote: Quote) -> None:
        if self._quotes.get(quote.id) != quote:
            self._quotes[quote.id] = quote
            self._new_quotes.append(quote)

    def flush(self) -> None:
        self.reactions.flush()
        if self._new_quotes:
            quotes, self._new_quotes = tuple(self._new_quotes), []
            self._out.emit(QuotesChanged(quotes=quotes))
        if self._waiting_changed:
            self._waiting_changed = False
            self._out.emit(ChangesWaiting(message_ids=tuple(dict.fromkeys(
                w.change.message_id for w in self._waiting
                if isinstance(w.change, EditMessage | DeleteMessage)))))

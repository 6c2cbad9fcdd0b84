"""History beyond the newest page: scrollback to the first message, search, and opening
a search hit in place (docs/SCHEMA.md, "Messages: history, live, scrollback" and
"Search").

Older pages are read with a keyset on ``date_created`` (newest first, the ids loaded at
the oldest date excluded as the tie-break), 50 at a time, and merged into the timeline,
which so stays one unbroken stretch up to the newest message. A hit older than the
timeline is opened by reading older pages (larger ones) until it is in, with at least
``CONTEXT`` messages before it. Search hits are kept apart from the timeline.

The requests go through ``Requests`` (one in flight): what is wanted waits here until
``next_request`` hands it over, and goes again if the socket is lost meanwhile. Inputs
take ``now`` like the client's, so that the adapter loop can feed them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from chat.core import protocol, texts
from chat.core.events import (
    Notice,
    Scrollback,
    ScrollbackChanged,
    SearchChanged,
    SearchState,
    ShowMessage,
)
from chat.core.output import Output
from chat.core.protocol import Message, MessageId
from chat.core.search import Search, older_than
from chat.core.sync import Sync

log = logging.getLogger("chat")

PAGE = 50  # messages a page, of scrollback and of search
JUMP_PAGE = 500  # ... while reading back to a hit
CONTEXT = 25  # messages loaded before a hit opened

_UNKNOWN, _NOTHING = object(), object()


@dataclass(frozen=True)
class OlderPage:
    """The page of messages before those in the timeline."""

    kind: ClassVar[str] = "older"
    where: dict[str, Any] | None
    limit: int


@dataclass(frozen=True)
class SearchPage:
    """The next page of candidates of search number ``number``."""

    kind: ClassVar[str] = "search"
    number: int
    where: dict[str, Any] | None


def encode(request: OlderPage | SearchPage, uid: str, fields: tuple[str, ...]) -> str:
    limit = request.limit if isinstance(request, OlderPage) else PAGE
    return protocol.encode_query(uid, limit=limit, where=request.where, fields=fields)


class History:
    def __init__(self, out: Output, sync: Sync, pump: Callable[[], None]) -> None:
        """``pump()`` sends the next request if the socket may take one."""
        self._out = out
        self._sync = sync
        self._pump = pump
        self._older = False  # an older page is wanted (or in flight)
        self._in_flight: OlderPage | SearchPage | None = None
        self._failed: str | None = None  # why the last older page failed
        self._first: object = _UNKNOWN  # the first message's id (_NOTHING: no messages)
        self._target: Message | None = None  # a hit to open once loaded
        self._shown = Scrollback.MORE  # the state last told to the view (at first: none)
        self.search: Search | None = None
        self._searches = 0
        self._search_wanted = False

    @property
    def state(self) -> Scrollback:
        if self._older:
            return Scrollback.LOADING
        if self._failed is not None:
            return Scrollback.FAILED
        oldest = self._oldest()
        if self._first == (_NOTHING if oldest is None else oldest.id):
            return Scrollback.BEGINNING
        return Scrollback.MORE

    # --- Inputs: the user -------------------------------------------------------------

    def load_older(self, *, now: float) -> None:
        """Read the page before the oldest message loaded, unless that is the first."""
        if self.state in (Scrollback.MORE, Scrollback.FAILED):
            self._older, self._failed = True, None
            self._pump()

    def find(self, text: str, *, now: float) -> None:
        """Search for ``text`` (blank: end the search)."""
        if not text.strip():
            return self.end_search(now=now)
        self._searches += 1
        self.search = Search(text=text, number=self._searches)
        self._search_wanted = True
        self._changed_search()
        self._pump()

    def more_results(self, *, now: float) -> None:
        if self.search is not None and self.search.state in (SearchState.MORE,
                                                             SearchState.FAILED):
            self.search.state = SearchState.SEARCHING
            self._search_wanted = True
            self._changed_search()
            self._pump()

    def open_hit(self, message_id: MessageId, *, now: float) -> None:
        """Show a hit in the timeline with the messages around it, reading back to it
        first if it is older than the messages loaded."""
        hits = self.search.hits if self.search is not None else []
        hit = next((m for m in hits if m.id == message_id), None)
        if hit is None:
            return
        self._target = hit
        self._reach_target()
        self._pump()

    def reach(self, message: Message) -> None:
        """Show ``message`` (one a reply quotes) with the messages around it, reading
        back to it first if it is older than the messages loaded, as for a hit."""
        self._target = message
        self._reach_target()
        self._pump()

    def end_search(self, *, now: float) -> None:
        """The user closed the search: forget it and any hit still being read back to."""
        self.search, self._search_wanted, self._target = None, False, None
        self._out.emit(SearchChanged(text=None))

    # --- Requests ---------------------------------------------------------------------

    def next_request(self) -> OlderPage | SearchPage | None:
        """What to read next, if anything (the request is then in flight)."""
        if self._in_flight is not None:
            return None
        if self._older:
            oldest = self._oldest()
            if oldest is None:  # nothing at all: no need to ask
                self._older, self._first = False, _NOTHING
            else:
                seen = self._ids_at(oldest.created)
                limit = JUMP_PAGE if self._target and self._target.id not in self._sync.timeline \
                    else PAGE
                self._in_flight = OlderPage(older_than(oldest.created, seen), limit)
        elif self._search_wanted and self.search is not None:
            self._search_wanted = False
            self._in_flight = SearchPage(self.search.number, self.search.where)
        return self._in_flight

    def answered(self, request: OlderPage | SearchPage, items: list[Any]) -> None:
        self._in_flight = None
        match request:
            case OlderPage():
                self._older = False
                for item in items:
                    self._sync.item(item)
                if len(items) < request.limit:
                    oldest = self._oldest()
                    self._first = _NOTHING if oldest is None else oldest.id
                if self._target is not None:
                    self._reach_target()
            case SearchPage() if self.search and request.number == self.search.number:
                page = [m for m in map(protocol.parse_message, items) if m is not None]
                self.search.take(page, full=len(items) >= PAGE)
                self._changed_search()

    def failed(self, request: OlderPage | SearchPage, why: str) -> None:
        """Refused (``why``: the server's message) or unanswered."""
        self._in_flight = None
        log.warning("a %s read failed: %s", request.kind, why)
        match request:
            case OlderPage():
                self._older, self._failed = False, texts.READ_FAILED.format(why=why)
                self._target = None
            case SearchPage() if self.search and request.number == self.search.number:
                self.search.state = SearchState.FAILED
                self.search.error = texts.SEARCH_FAILED.format(why=why)
                self._changed_search()

    def interrupted(self) -> None:
        """The socket is gone with the request in flight: ask again on the next."""
        match self._in_flight:
            case SearchPage() if self.search and self._in_flight.number == self.search.number:
                self._search_wanted = True
        self._in_flight = None

    def clear(self) -> None:
        """Signed out, or another account: forget everything."""
        self._older, self._in_flight, self._failed, self._target = False, None, None, None
        self._first = _UNKNOWN
        if self.search is not None:
            self.end_search(now=0.0)

    def flush(self) -> None:
        """A ScrollbackChanged event if the state moved since the last one."""
        state = self.state
        if state is not self._shown:
            self._shown = state
            self._out.emit(ScrollbackChanged(state=state, error=self._failed))

    # --- Helpers ----------------------------------------------------------------------

    def _reach_target(self) -> None:
        """Show the hit once it is in with its context; else read further back."""
        target, timeline = self._target, self._sync.timeline
        assert target is not None
        at_first = self.state is Scrollback.BEGINNING
        if target.id in timeline:
            if at_first or timeline.position(timeline.get(target.id).sort_key) >= CONTEXT:
                self._target = None
                self._out.emit(ShowMessage(message_id=target.id))
                return
        elif at_first:  # read back to the first message, and it was not there
            self._target = None
            self._out.emit(Notice(text=texts.HIT_GONE))
            return
        self._older = True

    def _changed_search(self) -> None:
        search = self.search
        if search is not None:
            self._out.emit(SearchChanged(text=search.text, hits=tuple(search.hits),
                                         state=search.state, error=search.error))

    def _oldest(self) -> Message | None:
        timeline = self._sync.timeline
        return timeline.get(timeline.key_at(0)[1]) if len(timeline) else None

    def _ids_at(self, created: float) -> list[Any]:
        """The ids of the loaded messages created at exactly ``created`` (the oldest)."""
        timeline, ids = self._sync.timeline, []
        for position in range(len(timeline)):
            key = timeline.key_at(position)
            if key[0] != created:
                break
            ids.append(key[1])
        return ids

"""Search by text on the server: the filter a search sends, the check each hit must also
pass, and the hits found so far, newest first, a page at a time (docs/SCHEMA.md,
"Search").

The text is only ever a value in a filter object, never part of a string built by hand.
Directus' ``_icontains`` is SQL ``LIKE`` without an escape, so the pieces between ``%``,
``_`` and ``\\`` are searched for and ``matches`` keeps the real hits; "null", "true" and
"false" are capitalised, or Directus would turn them into null and booleans (and then
never answer); lower-casing removes the ``$NOW`` and ``$CURRENT_USER`` variables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from chat.core.events import SearchState
from chat.core.protocol import Message, format_time

_COERCED = ("null", "true", "false")  # values Directus turns into null and booleans


def search_filter(text: str) -> dict[str, Any] | None:
    """The server-side part of a search for ``text`` in content (None: every message is
    a candidate)."""
    pieces = [p for p in re.split(r"[%_\\]+", text.lower()) if p]
    parts: list[dict[str, Any]] = [
        {"content": {"_icontains": p.capitalize() if p in _COERCED else p}} for p in pieces]
    return None if not parts else parts[0] if len(parts) == 1 else {"_and": parts}


def matches(text: str, content: str) -> bool:
    """The client-side check of a hit: the server's answer is a superset."""
    return text.lower() in content.lower()


@dataclass
class Search:
    """One search: its text, the hits so far and where the next page starts."""

    text: str
    number: int  # which search of the session: answers to an earlier one are dropped
    hits: list[Message] = field(default_factory=list)
    state: SearchState = SearchState.SEARCHING
    error: str | None = None
    _oldest: float | None = None  # the date_created of the oldest candidate read
    _seen: list[Any] = field(default_factory=list)  # candidates' ids at that date

    @property
    def where(self) -> dict[str, Any] | None:
        """The filter of the next page: the text's, and older than the candidates read."""
        parts = [p for p in (search_filter(self.text), self._older()) if p is not None]
        return None if not parts else parts[0] if len(parts) == 1 else {"_and": parts}

    def take(self, page: list[Message], *, full: bool) -> None:
        """A page of candidates, newest first; ``full``: more may follow."""
        self.hits += [m for m in page if matches(self.text, m.content)]
        if page:
            oldest = page[-1].created
            if oldest != self._oldest:
                self._oldest, self._seen = oldest, []
            self._seen += [m.id for m in page if m.created == oldest]
        self.state = SearchState.MORE if full and page else SearchState.DONE
        self.error = None

    def _older(self) -> dict[str, Any] | None:
        return None if self._oldest is None else older_than(self._oldest, self._seen)


def older_than(date: float, seen: list[Any]) -> dict[str, Any]:
    """The keyset of pages sorted newest first (date_created, then id): the messages
    older than ``date``, or at ``date`` and not one of ``seen`` (the ids loaded at that
    date; Directus has no ``_lt`` on a uuid, so the tie-break is "not loaded yet")."""
    stamp = format_time(date)
    return {"_or": [{"date_created": {"_lt": stamp}},
                    {"_and": [{"date_created": {"_eq": stamp}}, {"id": {"_nin": list(seen)}}]}]}

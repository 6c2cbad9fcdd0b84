"""Which messages are in the DOM: a window over everything shown, so that a long chat
keeps the page light. Pure (no js), so it is unit-tested in CPython; chat.ui.view
draws what it says.

While the list is at its end the window holds the newest ``size`` messages and follows
new ones; scrolled near an edge it grows by ``page`` messages on that side, up to
``max_size``, dropping from the far side::

    window = Window()
    window.upsert(message)            # for every message shown, as events bring them
    for message_id in window.take_stale():
        ...                           # drawn, but changed or removed: drop its node now
    window.move(pinned=True, grow=None)
    redraw = window.sync()            # redraw.drop: ids to remove, redraw.add: to draw
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from chat.core.protocol import Message
from chat.core.timeline import Timeline

WINDOW = 200  # messages kept in the DOM while the list is at its end
MAX_WINDOW = 400  # ... and while scrolling through older ones
PAGE = 100  # messages brought back when scrolling near an edge of the window


class Side(Enum):
    OLDER = "older"
    NEWER = "newer"


@dataclass(frozen=True)
class Redraw:
    drop: list[str]  # ids drawn but now outside the window
    add: list[Message]  # inside the window but not drawn, oldest first
    newer_outside: bool  # newer messages than the window's exist


class Window:
    def __init__(self, *, size: int = WINDOW, max_size: int = MAX_WINDOW,
                 page: int = PAGE) -> None:
        self.shown = Timeline()  # every message shown, drawn or not
        self._size, self._max_size, self._page = size, max_size, page
        self._drawn: set[str] = set()
        self._stale: list[str] = []
        # The window, by sort key: from _lo to _hi (None: from the oldest, to the newest).
        self._lo: tuple[float, str] | None = None
        self._hi: tuple[float, str] | None = None

    def clear(self) -> None:
        """Forget everything (the DOM is emptied too)."""
        self.shown.clear()
        self._drawn.clear()
        self._stale.clear()
        self._lo = self._hi = None

    def upsert(self, message: Message) -> bool:
        """Take in a new or changed message; True if it is new."""
        new = message.id not in self.shown
        if self.shown.upsert(message) and message.id in self._drawn:
            self._undraw(message.id)  # drawn again by sync(), where it belongs now
        return new

    def remove(self, message_id: str) -> None:
        if self.shown.remove(message_id) and message_id in self._drawn:
            self._undraw(message_id)

    def take_stale(self) -> list[str]:
        """Drawn messages that changed or went since: their nodes must go now."""
        stale, self._stale = self._stale, []
        return stale

    @property
    def follows_newest(self) -> bool:
        return self._hi is None

    def follow_newest(self) -> None:
        """Bring the newest in (the next move trims the rest)."""
        self._hi = None

    def can_grow(self, side: Side) -> bool:
        """Are there messages beyond the window on that side?"""
        return (self._lo if side is Side.OLDER else self._hi) is not None

    def edge(self, side: Side) -> str | None:
        """The oldest (OLDER) or newest (NEWER) drawn message of the window."""
        first, end = self._bounds()
        keys = range(first, end) if side is Side.OLDER else range(end - 1, first - 1, -1)
        return next((self.shown.key_at(i)[1] for i in keys
                     if self.shown.key_at(i)[1] in self._drawn), None)

    def around(self, message_id: str) -> None:
        """Centre the window on a message (a search hit opened), ``size`` messages wide;
        the next ``move(pinned=False, grow=None)`` keeps it."""
        shown = self.shown
        message = shown.get(message_id)
        if message is None:
            return
        position = shown.position(message.sort_key)
        first = max(0, min(position - self._size // 2, len(shown) - self._size))
        end = min(len(shown), first + self._size)
        self._lo = shown.key_at(first) if first > 0 else None
        self._hi = shown.key_at(end - 1) if end < len(shown) else None

    def move(self, *, pinned: bool, grow: Side | None) -> None:
        """Follow the newest while ``pinned`` (at the end of the list); else grow towards
        the edge scrolled near. Then trim the far side to the window's size."""
        shown, page = self.shown, self._page
        if pinned:
            self._hi, grow = None, None
        if grow is Side.OLDER and self._lo is not None:
            first = max(0, shown.position(self._lo) - page)
            self._lo = shown.key_at(first) if first > 0 else None
        elif grow is Side.NEWER and self._hi is not None:
            last = shown.position(self._hi, after=True) + page
            self._hi = shown.key_at(last - 1) if last < len(shown) else None
        first, end = self._bounds()
        size = self._size if pinned else self._max_size
        if end - first <= size:
            return
        if grow is Side.OLDER:  # the reader goes upwards: drop the newest
            self._hi = shown.key_at(first + size - 1)
        else:
            self._lo = shown.key_at(end - size)

    def redraw(self) -> list[str]:
        """Forget what is drawn, keeping the window where it is: returns the ids drawn
        (their nodes are to be dropped), and the next ``sync`` adds them all again."""
        drawn, self._drawn = list(self._drawn), set()
        return drawn

    def sync(self) -> Redraw:
        """What to change in the DOM so that it holds exactly the window."""
        first, end = self._bounds()
        inside = self.shown.messages(first, end)
        ids = {m.id for m in inside}
        drop = [i for i in self._drawn if i not in ids]
        add = [m for m in inside if m.id not in self._drawn]
        self._drawn = ids
        return Redraw(drop=drop, add=add, newer_outside=end < len(self.shown))

    def _bounds(self) -> tuple[int, int]:
        first = self.shown.position(self._lo) if self._lo is not None else 0
        end = (self.shown.position(self._hi, after=True) if self._hi is not None
               else len(self.shown))
        return first, end

    def _undraw(self, message_id: str) -> None:
        self._drawn.discard(message_id)
        self._stale.append(message_id)

"""The unread marks: the count in the tab's title ("(3) Chat"), the "New" divider before
the first unread message and "Jump to first unread" when it is out of view.

Unread are the messages of others newer than the read position (chat/core/unread.py).
Reading is seeing: while the tab is visible, the newest message in view is read (the
newest of all while the list is at its end), and the core moves the position forward to
it, which clears the count. The divider stays where the unread began until new ones
come after everything was read. Nothing is marked read before the core said where the
position was (its first ReadPositionChanged of a session)."""

from __future__ import annotations

import js
from pyscript import document
from pyscript.ffi import is_none

from chat.core import ReadPositionChanged
from chat.core.protocol import Message
from chat.ui.dom import el, listen, options

TITLE = "Chat"


class Unread:
    def __init__(self, by_id, app, log, loop) -> None:
        self._app = app
        self._log = log
        self._loop = loop
        self._jump = by_id("jump-unread")
        self._divider = el("div", "unread-divider", role="separator",
                           aria_label="New messages")
        self._divider.append(el("span", "", "New"))
        self.user_id: str | None = None
        self._settled = False
        self._position: tuple[float, object] | None = None  # (created, id) read up to
        self._first: Message | None = None  # the divider is before this one
        self._count = 0
        self._asked: object = None  # the last message asked to be marked read
        self._jumping = False  # "Jump to first unread" waits for the core's ShowMessage
        self._scroll_to_divider = False
        self._listeners = listen([(self._jump, "click", lambda event: self._jump_to())])

    def moved(self, event: ReadPositionChanged) -> None:
        self._settled = True
        if event.message_id is not None and event.created is not None:
            self._position = (event.created, event.message_id)

    def reset(self) -> None:
        """Signed out, or another account: nothing is known."""
        self._settled = False
        self._position = self._first = self._asked = None
        self._count = 0
        self._jumping = self._scroll_to_divider = False
        self._divider.remove()
        self._jump.hidden = True
        document.title = TITLE

    def sent(self) -> None:
        """The user wrote: they have caught up, the divider goes."""
        self._first = None
        self._divider.remove()

    def update(self, window, messages, *, pinned: bool) -> None:
        """After each draw, scroll and change of visibility: read, count, mark."""
        shown = window.shown
        visible = js.document.visibilityState == "visible"
        if self._settled and self._position is None:
            # Nothing read yet: a first-time user's history is not unread, but what
            # comes into an empty chat is.
            if not len(shown):
                self._position = (float("-inf"), "")
            elif self._asked is None:
                self._asked = shown.newest().id
                self._loop.call_soon(self._app.read_up_to, self._asked)
        elif self._settled and visible and len(shown):
            seen = shown.messages(len(shown) - 1)[0] if pinned else self._last_in_view(shown)
            if seen is not None and seen.id != self._asked and self._newer(seen):
                self._asked = seen.id
                self._loop.call_soon(self._app.read_up_to, seen.id)
        unread = self._unread(shown) if self._settled else []
        # The first unread is known once the last message read is loaded: until then
        # the oldest loaded is not it, and the jump reads back to it (jump_to_unread).
        known = self._position is not None and (
            self._position[0] == float("-inf") or self._position[1] in shown)
        if not known:
            self._first = None
        elif unread and (self._count == 0 or self._first is None):
            self._first = unread[0]  # new unread after everything was read
        self._count = len(unread)
        document.title = f"({self._count}) {TITLE}" if self._count else TITLE
        node = messages.node(self._first.id) if self._first is not None else None
        if node is None:
            self._divider.remove()
        elif node.previousElementSibling is not self._divider:
            node.before(self._divider)
        if self._scroll_to_divider and self._divider.isConnected:
            self._scroll_to_divider = False
            self._divider.scrollIntoView(options(block="start"))
        # More unread than fit: the divider is above the view (or not drawn).
        if self._first is None:  # nothing unread, or where it starts is not loaded
            self._jump.hidden = known or not self._count or self._jumping
        else:
            self._jump.hidden = node is not None and node.getBoundingClientRect().bottom \
                >= self._log.getBoundingClientRect().top

    def _newer(self, message: Message) -> bool:
        return self._position is None or _key(message) > _key_of(self._position)

    def _unread(self, shown) -> list[Message]:
        if self._position is None:
            return []
        start = shown.position(self._position, after=True)
        return [m for m in shown.messages(start) if m.user_id != self.user_id]

    def _last_in_view(self, shown) -> Message | None:
        """The message at the bottom edge of the list's viewport."""
        box = self._log.getBoundingClientRect()
        hit = js.document.elementFromPoint(box.left + box.width / 2, box.bottom - 4)
        article = None if is_none(hit) else hit.closest("article.msg")
        found = None if is_none(article) else article.dataset.id
        if not found:
            return None
        return shown.get(found) or (shown.get(int(found)) if found.isdigit() else None)

    def jumped(self, message_id) -> bool:
        """Whether this ShowMessage answers "Jump to first unread" (then no hit is
        marked: the divider is scrolled to at the next update)."""
        if not self._jumping or self._position is None or \
                str(message_id) != str(self._position[1]):
            return False
        self._jumping, self._scroll_to_divider = False, True
        return True

    def _jump_to(self) -> None:
        if self._divider.isConnected:
            self._divider.scrollIntoView(options(block="start"))
        else:  # not drawn, or not even loaded: the core brings the last read message in
            self._jumping = True
            self._app.jump_to_unread()
        self._jump.hidden = True


def _key(message: Message) -> tuple[float, str]:
    return (message.created, str(message.id))


def _key_of(position: tuple[float, object]) -> tuple[float, str]:
    return (position[0], str(position[1]))

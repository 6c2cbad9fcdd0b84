"""The search box and its results: Ctrl/Cmd+K or "/" focuses it, typing searches (after
a short pause, or at once with Enter), the hits show as a list of buttons (author, time,
the text around the match, marked), arrow keys move through them, Enter or a click opens
one in the timeline, Escape closes the search and returns to the live end.

User text reaches the DOM only as text nodes."""

from __future__ import annotations

from collections.abc import Callable

import js

from chat.core.events import SearchChanged, SearchState
from chat.ui.dom import el, listen, options

TYPING_PAUSE = 0.3  # seconds after the last key before the search goes
SNIPPET = 160  # characters of a hit's text shown
BEFORE = 40  # ... of them before the match

_STAMP = js.Intl.DateTimeFormat.new(None, options(dateStyle="medium", timeStyle="short"))


def snippet(text: str, query: str) -> list[tuple[str, bool]]:
    """The part of ``text`` to show, as pieces (text, is a match)."""
    folded, needle = text.lower(), query.lower()
    if len(folded) != len(text) or not needle:  # lower() changed lengths: no marks
        return [(text[:SNIPPET], False)]
    start = max(0, folded.find(needle) - BEFORE)
    part, folded = text[start:start + SNIPPET], folded[start:start + SNIPPET]
    pieces, at = [], 0
    while (found := folded.find(needle, at)) >= 0:
        pieces += [(part[at:found], False), (part[found:found + len(needle)], True)]
        at = found + len(needle)
    pieces.append((part[at:], False))
    prefix = [("…", False)] if start else []
    return prefix + [p for p in pieces if p[0]]


class SearchBox:
    def __init__(self, by_id, app, loop, *, closed: Callable[[], None]) -> None:
        """``closed()`` is called when the user leaves the search with Escape."""
        self._app, self._loop, self._closed = app, loop, closed
        self._form, self._input = by_id("search"), by_id("search-input")
        self._panel, self._status = by_id("search-panel"), by_id("search-status")
        self._list, self._more = by_id("search-results"), by_id("search-more")
        self._text: str | None = None
        self._ids: dict[str, object] = {}  # a hit's id as the DOM has it -> the message id
        self._typing = None  # the pending search while the user types
        self._listeners = listen([
            (self._form, "submit", self._on_submit),
            (self._input, "input", lambda event: self._typed()),
            (self._input, "keydown", self._on_input_key),
            (self._list, "keydown", self._on_list_key),
            (self._list, "click", self._on_click),
            (self._more, "click", lambda event: app.more_results()),
            (js.document, "keydown", self._on_page_key),
        ])

    def show(self, event: SearchChanged) -> None:
        self._text = event.text
        if event.text is None:
            self._panel.hidden = True
            self._list.replaceChildren()
            self._ids = {}
            return
        self._panel.hidden = False
        count = len(event.hits)
        match event.state:
            case SearchState.SEARCHING:
                status = f"{count} found so far; searching…" if count else "Searching…"
            case SearchState.FAILED:
                status = event.error or "Search failed."
            case SearchState.MORE:
                status = f"{count} found; more may be older."
            case _:
                status = (f"{count} message{'' if count == 1 else 's'} found." if count
                          else "No messages match.")
        self._status.textContent = status
        self._more.hidden = event.state not in (SearchState.MORE, SearchState.FAILED)
        self._more.textContent = ("Try again" if event.state is SearchState.FAILED
                                  else "Show more results")
        self._draw(event)

    def focus(self) -> None:
        self._input.focus()
        self._input.select()

    def forget(self) -> None:
        """Signed out: nothing of the search stays."""
        self._cancel_typing()
        self._input.value = ""

    # --- Drawing ----------------------------------------------------------------------

    def _draw(self, event: SearchChanged) -> None:
        drawn = {node.dataset.id: node for node in self._list.children}
        self._ids = {str(m.id): m.id for m in event.hits}
        items = []
        for message in event.hits:
            item = drawn.get(str(message.id))
            items.append(item if item is not None else self._hit(message, event.text or ""))
        self._list.replaceChildren(*items)

    def _hit(self, message, query: str):
        item = el("li")
        item.dataset.id = str(message.id)
        button = el("button", "hit-button", type="button")
        button.dataset.id = str(message.id)
        meta = el("span", "meta")
        meta.append(el("span", "author", message.user_name or "Unknown user"))
        stamp = el("time", "", _STAMP.format(message.created * 1000))
        stamp.dateTime = js.Date.new(message.created * 1000).toISOString()
        meta.append(stamp)
        text = el("span", "text")
        for piece, marked in snippet(message.content, query):
            text.append(el("mark", "", piece) if marked else js.document.createTextNode(piece))
        button.append(meta, text)
        item.append(button)
        return item

    # --- The user ---------------------------------------------------------------------

    def _typed(self) -> None:
        self._cancel_typing()
        self._typing = self._loop.call_later(TYPING_PAUSE, self._find)

    def _cancel_typing(self) -> None:
        if self._typing is not None:
            self._typing.cancel()
            self._typing = None

    def _find(self) -> None:
        self._typing = None
        if self._input.value != (self._text or ""):
            self._app.find(self._input.value)

    def _on_submit(self, event) -> None:
        event.preventDefault()
        self._cancel_typing()
        self._find()

    def _close(self) -> None:
        self._cancel_typing()
        self._input.value = ""
        self._app.end_search()
        self._closed()

    def _buttons(self) -> list:
        return list(self._list.querySelectorAll(".hit-button"))

    def _on_input_key(self, event) -> None:
        if event.key == "Escape":
            event.preventDefault()
            self._close()
        elif event.key == "ArrowDown" and (buttons := self._buttons()):
            event.preventDefault()
            buttons[0].focus()

    def _on_list_key(self, event) -> None:
        buttons = self._buttons()
        if not buttons:
            return
        index = next((i for i, b in enumerate(buttons) if b == js.document.activeElement), 0)
        moves = {"ArrowDown": index + 1, "ArrowUp": index - 1, "Home": 0,
                 "End": len(buttons) - 1}
        if event.key in moves:
            event.preventDefault()
            target = moves[event.key]
            if target < 0:
                self._input.focus()
            else:
                buttons[min(target, len(buttons) - 1)].focus()
        elif event.key == "Escape":
            event.preventDefault()
            self._close()

    def _on_click(self, event) -> None:
        button = event.target.closest(".hit-button")
        if button is not None and button.dataset.id in self._ids:
            self._app.open_hit(self._ids[button.dataset.id])

    def _on_page_key(self, event) -> None:
        """Ctrl/Cmd+K anywhere, or "/" outside a text field, focuses the search;
        Escape with a search open (or a hit shown) outside it closes it."""
        key = event.key
        target = event.target
        typing = target.tagName in ("INPUT", "TEXTAREA") or bool(target.isContentEditable)
        if key.lower() == "k" and (event.ctrlKey or event.metaKey) and not event.altKey:
            event.preventDefault()
            self.focus()
        elif key == "/" and not typing and not (event.ctrlKey or event.metaKey):
            event.preventDefault()
            self.focus()
        elif (key == "Escape" and self._text is not None and target != self._input
              and not self._list.contains(target)):
            self._close()

"""The @ picker on the draft: typing "@" offers the people of the chat by first name;
Up and Down choose, Enter or Tab picks, Escape closes, a click picks too. The draft keeps
the name as typed ("@Bob"); the ids picked whose name is still in the text are sent as
the message's mentions (chat.ui.picking says which).

For screen readers the draft is a textbox with an autocomplete list: it controls the
listbox (aria-controls, aria-autocomplete="list") and points at the option chosen
(aria-activedescendant), and a polite status says how many people match.
"""

from __future__ import annotations

from collections.abc import Callable

import js

from chat.core import Person
from chat.ui import picking
from chat.ui.dom import el, listen

LIST_ID = "mention-list"


class MentionPicker:
    def __init__(self, by_id, *, people: Callable[[], tuple[Person, ...]],
                 me: Callable[[], str | None]) -> None:
        self._draft, self._list = by_id("draft"), by_id(LIST_ID)
        self._status = by_id("mention-status")
        self._people, self._me = people, me
        self._offered: list[Person] = []
        self._active = 0
        self._query: picking.Query | None = None
        self.picked: dict[str, str] = {}  # id -> first name, since the last send
        self._draft.setAttribute("aria-autocomplete", "list")
        self._listeners = listen([
            (self._draft, "input", lambda event: self.update()),
            (self._draft, "blur", lambda event: self.close()),
            (self._list, "mousedown", self._on_mousedown),
        ])

    @property
    def open(self) -> bool:
        return bool(self._offered)

    def key(self, event) -> bool:
        """Handle a key of the draft if the list is open; True if it was taken."""
        if not self.open:
            return False
        match event.key:
            case "ArrowDown" | "ArrowUp":
                step = 1 if event.key == "ArrowDown" else -1
                self._active = (self._active + step) % len(self._offered)
                self._draw()
            case "Enter" | "Tab" if not event.isComposing and not event.shiftKey:
                self._pick(self._offered[self._active])
            case "Escape":
                self.close()
            case _:
                return False
        event.preventDefault()
        return True

    def mentions(self, text: str) -> tuple[str, ...]:
        """The ids to send with ``text``."""
        return picking.picked_in(text, self.picked)

    def reset(self) -> None:
        """The draft was sent or cleared."""
        self.picked.clear()
        self.close()

    def update(self) -> None:
        """The draft changed: open, filter or close the list."""
        draft = self._draft
        query = picking.query_at(draft.value, draft.selectionStart)
        offered = (picking.matching(self._people(), query.text, me=self._me())
                   if query is not None else [])
        ids = [p.id for p in offered]
        if ids != [p.id for p in self._offered]:
            self._active = 0
        self._query, self._offered = query, offered
        self._draw()

    def close(self) -> None:
        if self._offered or not self._list.hidden:
            self._offered, self._query = [], None
            self._draw()

    def _pick(self, person: Person) -> None:
        if self._query is None or not person.first_name:
            return
        draft = self._draft
        value, caret = picking.insert(draft.value, self._query, draft.selectionStart,
                                      person.first_name)
        draft.value = value
        draft.setSelectionRange(caret, caret)
        self.picked[person.id] = person.first_name
        self.close()
        draft.dispatchEvent(js.Event.new("input"))  # the counter, the list

    def _on_mousedown(self, event) -> None:
        event.preventDefault()  # the draft keeps the focus
        option = event.target.closest("[role=option]")
        if option is not None:
            index = int(option.dataset.index)
            if index < len(self._offered):
                self._pick(self._offered[index])

    def _draw(self) -> None:
        draft, options = self._draft, []
        for index, person in enumerate(self._offered):
            option = el("li", "option", person.first_name, role="option",
                        id=f"mention-{index}",
                        aria_selected="true" if index == self._active else "false")
            option.dataset.index = str(index)
            options.append(option)
        self._list.replaceChildren(*options)
        self._list.hidden = not options
        if options:
            draft.setAttribute("aria-controls", LIST_ID)
            draft.setAttribute("aria-activedescendant", f"mention-{self._active}")
            count = len(options)
            self._status.textContent = (
                f"{count} {'person' if count == 1 else 'people'} to mention: "
                f"{self._offered[self._active].first_name}. Up and Down to choose, "
                "Enter to pick, Escape to close.")
        else:
            draft.removeAttribute("aria-controls")
            draft.removeAttribute("aria-activedescendant")
            self._status.textContent = ""

"""The small menu of a message, opened from its "⋯" button (mouse, touch or keyboard):
Reply, a few reactions, more reactions (the picker of the server's emoji), and on your
own messages within the edit window Edit and Delete. Arrow keys move, Enter or Space
picks, Escape or Tab closes and focus goes back to the button.

One menu for the whole list, moved into the message it is opened for."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from chat.ui.dom import el, listen


@dataclass(frozen=True)
class Item:
    label: str  # what a screen reader says
    text: str  # what shows
    act: Callable[[], None]
    name: str  # data-action, for styles and tests


class ActionsMenu:
    def __init__(self) -> None:
        self.node = el("div", "menu", role="menu", hidden="")
        self.node.id = "message-menu"
        self._button = None
        self._items: list = []
        self._listeners = listen([(self.node, "keydown", self._on_key),
                                  (self.node, "click", self._on_click)])
        self._acts: dict[str, Callable[[], None]] = {}

    def open(self, button, items: list[Item], label: str) -> None:
        """Show ``items`` under ``button``, the first one focused."""
        self.close(refocus=False)
        self._button = button
        self.node.className = "menu"
        self.node.replaceChildren()
        self.node.setAttribute("aria-label", label)
        self._acts = {}
        self._items = []
        for index, item in enumerate(items):
            node = el("button", "menu-item", item.text, type="button", role="menuitem",
                      tabindex="0" if index == 0 else "-1", aria_label=item.label)
            node.dataset.action = item.name
            node.dataset.index = str(index)
            self._acts[str(index)] = item.act
            self._items.append(node)
            self.node.append(node)
        button.setAttribute("aria-expanded", "true")
        button.after(self.node)
        self.node.hidden = False
        if self._items:
            self._items[0].focus()

    def close(self, *, refocus: bool = True) -> None:
        if self.node.hidden:
            return
        self.node.hidden = True
        button, self._button = self._button, None
        if button is not None:
            button.setAttribute("aria-expanded", "false")
            if refocus and button.isConnected:
                button.focus()

    def _on_click(self, event) -> None:
        item = event.target.closest(".menu-item")
        if item:
            event.stopPropagation()
            self._pick(item)

    def _pick(self, item) -> None:
        act = self._acts.get(item.dataset.index)
        self.close()
        if act is not None:
            act()

    def _on_key(self, event) -> None:
        key = event.key
        if key == "Escape":
            event.preventDefault()
            event.stopPropagation()
            self.close()
        elif key == "Tab":
            self.close(refocus=False)
        elif key in ("ArrowDown", "ArrowUp", "ArrowRight", "ArrowLeft", "Home", "End"):
            event.preventDefault()
            if not self._items:
                return
            current = int(event.target.dataset.index or 0)
            step = 1 if key in ("ArrowDown", "ArrowRight") else -1
            index = {"Home": 0, "End": len(self._items) - 1}.get(
                key, (current + step) % len(self._items))
            for i, node in enumerate(self._items):
                node.setAttribute("tabindex", "0" if i == index else "-1")
            self._items[index].focus()

"""Replies in the view: the one-line quote above a reply (author and the start of the
original, "Original deleted" when it is gone), which scrolls to the original when
clicked, and the composer's bar that says what the next Enter does (reply to someone,
or save an edit) with a way to cancel it. User text goes in only as text."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from chat.core import Quote
from chat.core.protocol import Message
from chat.ui.dom import el

START = 80  # characters of the original quoted


def start_of(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= START else line[:START - 1] + "…"


def quote_text(original: Message | Quote | None) -> str:
    if original is None:
        return "Loading the original…"
    if isinstance(original, Quote) and original.deleted:
        return "Original deleted"
    author = (original.user_name if isinstance(original, Message) else original.author)
    return f"{author or 'Unknown user'}: {start_of(original.content or '')}"


def quote_node(original: Message | Quote | None):
    node = el("button", "quote", quote_text(original), type="button")
    node.setAttribute("aria-label", "In reply to " + quote_text(original)
                      + ". Show the original.")
    return node


def set_quote(node, original: Message | Quote | None) -> None:
    node.textContent = quote_text(original)
    node.setAttribute("aria-label", "In reply to " + quote_text(original)
                      + ". Show the original.")


class Mode(Enum):
    SEND = "send"
    REPLY = "reply"
    EDIT = "edit"


@dataclass
class Target:
    mode: Mode
    message_id: str | None = None


class ComposeBar:
    """"Replying to Alice: …" or "Editing your message" above the draft, with Cancel."""

    def __init__(self, form, draft) -> None:
        self.node = el("div", "compose-mode", hidden="")
        self.node.id = "compose-mode"
        self._label = el("span", "compose-label")
        self._cancel = el("button", "link", "Cancel", type="button",
                          aria_label="Cancel (Escape)")
        self._cancel.id = "compose-cancel"
        self.node.append(self._label, self._cancel)
        form.insertBefore(self.node, draft)
        self.cancel_button = self._cancel
        self.target = Target(Mode.SEND)

    def show(self, target: Target, text: str) -> None:
        self.target = target
        self._label.textContent = text
        self.node.hidden = target.mode is Mode.SEND

    def clear(self) -> None:
        self.show(Target(Mode.SEND), "")

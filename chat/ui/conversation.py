"""The conversation around messages in the view: what each message node gets besides
its text (the "⋯" actions button, the quote of a reply, its reactions, "edited" with
the time on hover), the actions menu and the reaction picker, and the composer's modes
(reply to a message, edit your own; Up arrow in an empty draft edits your last one,
Escape cancels). It draws the core's ReactionsChanged, QuotesChanged and
ChangesWaiting; what the server lacks is not offered (``app.features()``)."""

from __future__ import annotations

import asyncio
import time

import js

from chat.core import ChangesWaiting, Quote, QuotesChanged, Reaction, ReactionsChanged
from chat.core.protocol import Message
from chat.ui import reactions as reaction_row
from chat.ui.actions_menu import ActionsMenu, Item
from chat.ui.dom import listen, options
from chat.ui.reply import ComposeBar, Mode, Target, quote_node, set_quote, start_of

FLASH = 1.5  # seconds the original shows outlined after a quote's click
_FULL = js.Intl.DateTimeFormat.new(None, options(dateStyle="full", timeStyle="medium"))


class TalkView:
    def __init__(self, by_id, app, messages, shown, composer, notice) -> None:
        """``messages``: the MessageList; ``shown()``: the Timeline of what is shown;
        ``notice(text)``: a sentence on the page."""
        self._app = app
        self._messages = messages
        self._shown = shown
        self._composer = composer
        self._notice = notice
        self._draft = by_id("draft")
        self.user_id: str | None = None
        self._reactions: dict[str, tuple[Reaction, ...]] = {}
        self._quotes: dict[str, Quote] = {}
        self._replies: dict[str, set[str]] = {}  # original id -> ids of replies drawn
        self._waiting: set[str] = set()
        self.menu = ActionsMenu()
        self.bar = ComposeBar(by_id("composer"), self._draft)
        composer.submit = self._submit
        composer.intercept = self._on_key
        messages.decorate = self.decorate
        self._listeners = listen([
            (by_id("days"), "click", self._on_click),
            (self.bar.cancel_button, "click", lambda event: self.cancel()),
        ])

    # --- Drawing a message ----------------------------------------------------------

    def decorate(self, node, message: Message) -> None:
        """Add what the features give to a message's node, as it is drawn."""
        features = self._app.features()
        if message.updated is not None:
            edited = node.querySelector(".edited")
            if edited:
                edited.title = "Edited " + _FULL.format(message.updated * 1000)
        if message.reply_to is not None and features.replies:
            original = self._shown().get(message.reply_to) or self._quotes.get(message.reply_to)
            node.querySelector(".meta").after(quote_node(original))
            self._replies.setdefault(message.reply_to, set()).add(message.id)
        row = reaction_row.row(self._reactions.get(message.id, ()), self.user_id)
        if row is not None:
            node.append(row)
        if features.replies or features.reactions or self._changeable(message):
            js.chatDom.actionsButton(node, "Actions for the message by "
                                     + (message.user_name or "Unknown user"))
        if message.id in self._waiting:
            node.classList.add("changing")

    def _changeable(self, message: Message) -> bool:
        return self._app.features().changeable(message, self.user_id, time.time())

    # --- Events from the core ---------------------------------------------------------

    def apply(self, event) -> None:
        match event:
            case ReactionsChanged():
                for message_id, reactions in event.messages:
                    self._reactions[message_id] = reactions
                    if not reactions:
                        del self._reactions[message_id]
                    node = self._messages.node(message_id)
                    if node is not None:
                        old = node.querySelector(".reactions")
                        new = reaction_row.row(reactions, self.user_id)
                        if old:
                            old.remove()
                        if new is not None:
                            node.append(new)
            case QuotesChanged():
                for quote in event.quotes:
                    self._quotes[quote.id] = quote
                    self.original_changed(quote.id)
            case ChangesWaiting():
                self._waiting = set(event.message_ids)
                for node in js.document.querySelectorAll("#days .msg.changing"):
                    node.classList.remove("changing")
                for message_id in self._waiting:
                    node = self._messages.node(message_id)
                    if node is not None:
                        node.classList.add("changing")

    def original_changed(self, message_id: str) -> None:
        """A message replies quote changed, came or went: redraw those quotes."""
        if message_id not in self._replies:
            return
        original = self._shown().get(message_id) or self._quotes.get(message_id)
        if original is None and message_id not in self._shown():
            original = self._quotes.get(message_id, Quote(id=message_id, deleted=True))
        for reply_id in list(self._replies.get(message_id, ())):
            node = self._messages.node(reply_id)
            quote = node.querySelector(".quote") if node is not None else None
            if not quote:
                self._replies[message_id].discard(reply_id)
            else:
                set_quote(quote, original)

    def forget(self) -> None:
        """Another account, or signed out."""
        self._reactions.clear()
        self._quotes.clear()
        self._replies.clear()
        self._waiting.clear()
        self.cancel()

    # --- The user -----------------------------------------------------------------------

    def _on_click(self, event) -> None:
        target = event.target
        button = target.closest(".msg-actions")
        if button:
            if button.getAttribute("aria-expanded") == "true":
                return self.menu.close()
            return self._open_menu(button)
        self.menu.close(refocus=False)  # a click elsewhere
        reaction = target.closest(".reaction")
        if reaction:
            message = self._message_of(reaction)
            if message is not None:
                self._react(message.id, reaction.dataset.emoji)
            return
        quote = target.closest(".quote")
        if quote:
            message = self._message_of(quote)
            if message is not None and message.reply_to is not None:
                self._show_original(message.reply_to)

    def _message_of(self, node) -> Message | None:
        """The message a node inside a message's node belongs to (an integer id shows
        as its digits in the DOM)."""
        text = node.closest(".msg").dataset.id
        message = self._shown().get(text)
        if message is None and text.isdigit():
            message = self._shown().get(int(text))
        return message

    def _open_menu(self, button) -> None:
        message = self._message_of(button)
        if message is None:
            return
        features = self._app.features()
        items: list[Item] = []
        if features.replies:
            items.append(Item("Reply", "Reply", lambda: self.reply(message), "reply"))
        if features.reactions:
            for emoji in [e for e in reaction_row.QUICK if e in features.emoji]:
                items.append(Item(f"React {emoji}", emoji,
                                  lambda e=emoji: self._react(message.id, e), "react"))
            items.append(Item("More reactions", "More reactions…",
                              lambda: self._picker(button, message), "more"))
        if self._changeable(message):
            if features.edit:
                items.append(Item("Edit", "Edit", lambda: self.edit(message), "edit"))
            if features.delete:
                items.append(Item("Delete", "Delete", lambda: self._delete(message.id),
                                  "delete"))
        self.menu.open(button, items, "Message actions")

    def _picker(self, button, message: Message) -> None:
        emoji = self._app.features().emoji
        self.menu.open(button, [Item(f"React {e}", e, lambda e=e: self._react(message.id, e),
                                     "react") for e in emoji], "Pick a reaction")
        self.menu.node.classList.add("picker")

    def _react(self, message_id: str, emoji: str) -> None:
        error = self._app.react(message_id, emoji)
        if error:
            self._notice(error)

    def _delete(self, message_id: str) -> None:
        error = self._app.delete(message_id)
        if error:
            self._notice(error)
        if self.bar.target.message_id == message_id:
            self.cancel()

    def _show_original(self, message_id) -> None:
        node = self._messages.node(message_id)
        if node is None:  # not drawn: the core brings it in (ShowMessage), reading back
            error = self._app.show_original(message_id)
            if error:
                self._notice(error)
            return
        node.setAttribute("tabindex", "-1")
        node.scrollIntoView(options(block="center"))
        node.focus(options(preventScroll=True))
        node.classList.add("flash")
        asyncio.get_event_loop().call_later(FLASH, node.classList.remove, "flash")

    # --- The composer's modes -----------------------------------------------------------

    def reply(self, message: Message) -> None:
        self.bar.show(Target(Mode.REPLY, message.id),
                      f"Replying to {message.user_name or 'Unknown user'}: "
                      f"{start_of(message.content)}")
        self._draft.focus()

    def edit(self, message: Message) -> None:
        self.bar.show(Target(Mode.EDIT, message.id), "Editing your message")
        self._draft.value = message.content
        self._composer.changed()
        self._draft.focus()

    def cancel(self) -> None:
        editing = self.bar.target.mode is Mode.EDIT
        self.bar.clear()
        if editing:
            self._draft.value = ""
            self._composer.changed()

    def _submit(self, text: str, mentions: tuple[str, ...] = ()) -> str | None:
        target = self.bar.target
        if target.mode is Mode.EDIT:
            error = self._app.edit(target.message_id, text)
        else:
            error = self._app.send(text, mentions, target.message_id)
        if not error:
            self.bar.clear()
        return error

    def _on_key(self, event) -> bool:
        """Keys the composer leaves to us; True if handled."""
        if event.key == "Escape" and self.bar.target.mode is not Mode.SEND:
            event.preventDefault()
            self.cancel()
            return True
        if (event.key == "ArrowUp" and not self._draft.value and not event.shiftKey
                and self._app.features().edit):
            mine = next((m for m in reversed(self._shown().messages())
                         if m.user_id == self.user_id), None)
            if mine is not None and self._changeable(mine):
                event.preventDefault()
                self.edit(mine)
                return True
        return False

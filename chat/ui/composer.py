"""The composer: the draft, Enter to send (Shift+Enter for a new line), the length
counter and what stops a message from going. A draft belongs to the account that typed
it: another account signing in in the same tab never finds it. It is kept in the browser
as it is typed (``app.drafts``, chat.store) and comes back when its account signs in
again, after a reload or a closed tab too."""

from __future__ import annotations

from collections.abc import Callable

from chat.ui.dom import listen

COUNTER_FROM = 0.8  # share of the maximum length from which the counter shows


class Composer:
    def __init__(self, by_id, app, *, max_length: int, sent: Callable[[], None],
                 picker=None) -> None:
        """``sent()`` is called once a message is queued; ``picker``, the @ picker
        (chat.ui.mentions), takes the keys it needs first and gives the mentions."""
        self._app = app
        self._picker = picker
        self._max_length = max_length
        self._sent = sent
        self._form, self._draft = by_id("composer"), by_id("draft")
        self._counter, self._error = by_id("counter"), by_id("composer-error")
        self._owner: str | None = None
        # Replaced by chat.ui.conversation: where a submitted text goes (a reply, an
        # edit), and the keys it handles first (Up arrow, Escape).
        self.submit: Callable[[str, tuple[str, ...]], str | None] = app.send
        self.intercept: Callable[[object], bool] = lambda event: False
        self._listeners = listen([
            (self._form, "submit", self._on_submit),
            (self._draft, "keydown", self._on_key),
            (self._draft, "input", lambda event: self._typed()),
        ])

    def focus(self) -> None:
        self._draft.focus()

    def owned_by(self, user_id: str) -> None:
        if self._owner not in (None, user_id):
            self._draft.value = ""  # the previous account's draft is not this one's
        self._owner = user_id
        if not self._draft.value:
            self._draft.value = self._app.drafts.load(user_id)
        self._count()

    def forget(self) -> None:
        """Signed out on purpose: leave nothing of this account's typing behind."""
        if self._owner is not None:
            self._app.drafts.forget(self._owner)
        self._draft.value = ""
        self._owner = None
        self._count()

    def changed(self) -> None:
        """The draft was set from outside (an edit): count it again."""
        self._count()

    def _typed(self) -> None:
        if self._owner is not None:
            self._app.drafts.save(self._owner, self._draft.value)
        self._count()

    def _on_key(self, event) -> None:
        if (self._picker is not None and self._picker.key(event)) or self.intercept(event):
            return
        # Enter sends, Shift+Enter adds a line; never while an input method composes text.
        if event.key == "Enter" and not event.shiftKey and not event.isComposing:
            event.preventDefault()
            self._send()

    def _on_submit(self, event) -> None:
        event.preventDefault()
        self._send()

    def _send(self) -> None:
        text = self._draft.value
        if not text.strip():
            return
        mentions = self._picker.mentions(text) if self._picker is not None else ()
        error = self.submit(text, mentions)
        if error:
            self._error.textContent = error
            self._error.hidden = False
            return
        self._draft.value = ""
        if self._picker is not None:
            self._picker.reset()
        self._typed()
        self._sent()

    def _count(self) -> None:
        length = len(self._draft.value.strip())
        over = length > self._max_length
        self._counter.hidden = length < self._max_length * COUNTER_FROM
        self._counter.textContent = f"{length:,} / {self._max_length:,}"
        self._counter.classList.toggle("over", over)
        if over:
            self._error.textContent = (
                f"Too long by {length - self._max_length:,} characters: messages can be "
                f"at most {self._max_length:,}.")
        self._error.hidden = not over
        self._draft.setAttribute("aria-invalid", "true" if over else "false")

"""The sign-in form. It works before Python is up (static/boot.js holds a submit made
meanwhile and hands it over in ``ready``), says when a saved session is being resumed
instead, and shows why signing in failed."""

from __future__ import annotations

from collections.abc import Callable

from pyscript import window

from chat.core import Phase, PhaseChanged
from chat.ui.dom import listen


class SignIn:
    def __init__(self, by_id, app, *, phase: Callable[[], Phase]) -> None:
        self._app = app
        self._phase = phase
        self._form, self._email = by_id("sign-in-form"), by_id("email")
        self._password, self._remember = by_id("password"), by_id("remember")
        self._button = by_id("sign-in-button")
        self._error, self._status = by_id("sign-in-error"), by_id("sign-in-status")
        self._resuming = False
        self._listeners = listen([(self._form, "submit", self._on_submit)])

    @property
    def remember(self) -> bool:
        return bool(self._remember.checked)

    def ready(self) -> None:
        """Python is running: act on a submit made before."""
        boot = getattr(window, "chatBoot", None)
        if boot is not None:
            boot.ready = True
            if boot.pending:
                boot.pending = False
                self._submit()

    def resuming(self) -> None:
        """A saved session is being resumed: say so instead of asking for a password."""
        self._remember.checked = True
        self._resuming = True

    def show(self, event: PhaseChanged) -> None:
        """Signing in, or signed out (with the reason, if any)."""
        busy = event.phase == Phase.SIGNING_IN
        self._button.textContent = "Signing in…" if busy else "Sign in"
        self._button.setAttribute("aria-busy", "true" if busy else "false")
        if busy:
            self._error.hidden = True
            self._status.textContent = ("Resuming your session…" if self._resuming
                                        else "Signing in…")
            return
        self._resuming = False
        self._status.textContent = ""
        if event.reason:
            self._error.textContent = event.reason
            self._error.hidden = False

    def focus(self) -> None:
        (self._email if not self._email.value else self._password).focus()

    def passed(self) -> None:
        """Signed in: clear the password and what the form said."""
        self._resuming = False
        self._password.value = ""
        self._error.hidden = True
        self._status.textContent = ""

    def _on_submit(self, event) -> None:
        event.preventDefault()
        self._submit()

    def _submit(self) -> None:
        if self._phase() != Phase.SIGNED_OUT:
            return
        self._error.hidden = True
        self._app.sign_in(self._email.value.strip(), self._password.value, self.remember)

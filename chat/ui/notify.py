"""Desktop notifications and the small settings menu that turns them on.

The browser asks for permission only when the user ticks "Desktop notifications" (a
click), never on load; refused, the box unticks and the menu says how to allow them.
The choices are kept per user in the browser (``app.notify_settings``, chat.store).
Which messages notify is chat.ui.attention's rule; a notification shows the author and
a short preview, and clicking it brings the tab forward at that message."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import js
from pyscript.ffi import create_proxy

from chat.core.protocol import Message
from chat.ui.attention import Settings, preview, should_notify
from chat.ui.dom import listen, options

BLOCKED = ("Notifications are blocked for this site. Allow them in the browser's site "
           "settings, then tick the box again.")
UNSUPPORTED = "This browser cannot show desktop notifications."


def _supported() -> bool:
    return hasattr(js.window, "Notification")


class Notify:
    def __init__(self, by_id, app, *, show_message: Callable[[object], None]) -> None:
        self._app = app
        self._show_message = show_message
        self._on, self._everything = by_id("notify-on"), by_id("notify-all")
        self._problem = by_id("notify-problem")
        self.user_id: str | None = None
        self._settings = Settings()
        self._clicks: dict[str, object] = {}  # tag -> the click handler of a notification
        self._listeners = listen([
            (self._on, "change", lambda event: self._toggled()),
            (self._everything, "change", lambda event: self._save()),
        ])

    def owned_by(self, user_id: str | None) -> None:
        """Whose choices these are; they come back as kept (never asking again)."""
        self.user_id = user_id
        kept = self._app.notify_settings.load(user_id) if user_id else None
        granted = _supported() and js.Notification.permission == "granted"
        self._settings = Settings(on=bool(kept and kept.on and granted),
                                  everything=kept.everything if kept else True)
        self._on.checked = self._settings.on
        self._everything.checked = self._settings.everything
        self._problem.hidden = True

    def arrived(self, messages: list[Message]) -> None:
        """Messages that came live: notify those the rule says."""
        hidden = js.document.visibilityState == "hidden"
        for message in messages:
            if should_notify(message, user_id=self.user_id, settings=self._settings,
                             hidden=hidden):
                self._notify(message)

    def _notify(self, message: Message) -> None:
        tag = str(message.id)
        note = js.Notification.new(message.user_name or "Someone",
                                   options(body=preview(message.content), tag=tag))

        def clicked(event=None) -> None:
            js.window.focus()
            note.close()
            self._show_message(message.id)
            handler = self._clicks.pop(tag, None)
            if handler is not None:
                asyncio.get_event_loop().call_soon(handler.destroy)

        if tag in self._clicks:
            self._clicks.pop(tag).destroy()
        self._clicks[tag] = create_proxy(clicked)
        note.onclick = self._clicks[tag]

    def _toggled(self) -> None:
        if not self._on.checked:
            return self._save()
        if not _supported():
            self._refused(UNSUPPORTED)
        elif js.Notification.permission == "granted":
            self._save()
        else:  # asked now, in the click that ticked the box
            asyncio.ensure_future(self._ask(js.Notification.requestPermission()))

    async def _ask(self, answer) -> None:
        if await answer == "granted":
            self._save()
        else:
            self._refused(BLOCKED)

    def _refused(self, why: str) -> None:
        self._on.checked = False
        self._problem.textContent = why
        self._problem.hidden = False
        self._save()

    def _save(self) -> None:
        if self._on.checked:
            self._problem.hidden = True
        self._settings = Settings(on=bool(self._on.checked),
                                  everything=bool(self._everything.checked))
        if self.user_id is not None:
            self._app.notify_settings.save(self.user_id, self._settings)

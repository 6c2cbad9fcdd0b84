"""Which new messages ask for the user's attention with a desktop notification, and
what it says. Pure (no js), so it is unit-tested in CPython; chat.ui.notify shows them.

Only messages that arrive live (never history, nor a reconnect's catching up), only
while the tab is hidden, never the user's own; a message that mentions the user always
notifies, the others unless muted in the settings menu."""

from __future__ import annotations

from dataclasses import dataclass

from chat.core.protocol import Message

PREVIEW = 120  # characters of the text shown


@dataclass(frozen=True)
class Settings:
    on: bool = False  # the user opted in (and the browser allowed it)
    everything: bool = True  # False: only messages that mention the user


def mentions(message: Message, user_id: str | None) -> bool:
    """Does the message mention this user? (docs/SCHEMA.md, "Mentions".)"""
    return user_id is not None and user_id in message.mentions


def should_notify(message: Message, *, user_id: str | None, settings: Settings,
                  hidden: bool) -> bool:
    if not settings.on or not hidden or message.user_id == user_id:
        return False
    return settings.everything or mentions(message, user_id)


def preview(text: str) -> str:
    """The first characters of the text, on one line."""
    line = " ".join(text.split())
    return line if len(line) <= PREVIEW else line[:PREVIEW - 1].rstrip() + "…"

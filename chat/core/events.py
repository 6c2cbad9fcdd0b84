"""What the core tells the view: frozen, keyword-only dataclasses. (The sentences
for people they carry are in texts.py.)"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from chat.core.phases import Phase
from chat.core.protocol import Message


@dataclass(frozen=True, kw_only=True)
class PhaseChanged:
    phase: Phase
    attempt: int = 0  # reconnect attempts so far
    retry_in: float | None = None  # seconds until the next attempt (WAITING)
    reason: str | None = None  # a sentence for people: why we are signed out or down
    user_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class TimelineChanged:
    upserted: tuple[Message, ...] = ()
    removed: tuple[str, ...] = ()
    reset: bool = False  # everything before is gone: redraw from ``upserted``


class OutboxState(Enum):
    PENDING = "pending"  # waits for the connection, or for the message before it
    SENDING = "sending"  # its create is in flight
    FAILED = "failed"  # refused or unanswered: the user may retry or discard it


@dataclass(frozen=True, kw_only=True)
class Outgoing:
    """A message typed here and not yet stored by the server."""

    id: str
    content: str
    state: OutboxState
    error: str | None = None
    mentions: tuple[str, ...] = ()  # ids of the users mentioned


@dataclass(frozen=True, kw_only=True)
class OutboxChanged:
    entries: tuple[Outgoing, ...]


@dataclass(frozen=True, kw_only=True)
class Notice:
    text: str


@dataclass(frozen=True, kw_only=True)
class Person:
    """Someone who can chat here: what every chat user may read of another."""

    id: str
    first_name: str | None = None
    avatar: str | None = None  # a file id, fetched from /assets with the token in a header


@dataclass(frozen=True, kw_only=True)
class PeopleChanged:
    """The people of the chat (for mentions, avatars and who you are), by first name."""

    people: tuple[Person, ...]


Event = PhaseChanged | TimelineChanged | OutboxChanged | Notice | PeopleChanged

"""What the core tells the view: frozen, keyword-only dataclasses. (The sentences
for people they carry are in texts.py.)"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from chat.core.phases import Phase
from chat.core.protocol import Message, MessageId


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


@dataclass(frozen=True, kw_only=True)
class OutboxChanged:
    entries: tuple[Outgoing, ...]


@dataclass(frozen=True, kw_only=True)
class ReadPositionChanged:
    """The user has read everything up to this message (chat/core/unread.py); also sent
    once a session when what the server has is known (None: nothing read yet): the
    view marks messages read only from then on."""

    message_id: MessageId | None
    created: float | None


@dataclass(frozen=True, kw_only=True)
class Notice:
    text: str


Event = PhaseChanged | TimelineChanged | OutboxChanged | ReadPositionChanged | Notice

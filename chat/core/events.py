"""What the core tells the view: frozen, keyword-only dataclasses, and the sentences
for people that they carry."""

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


@dataclass(frozen=True, kw_only=True)
class OutboxChanged:
    entries: tuple[Outgoing, ...]


@dataclass(frozen=True, kw_only=True)
class Notice:
    text: str


Event = PhaseChanged | TimelineChanged | OutboxChanged | Notice


# --- Sentences for people -------------------------------------------------------------

WRONG_PASSWORD = "Wrong email or password."
SESSION_EXPIRED = "Your session has expired. Please sign in again."
UNREACHABLE = ("Can't reach the chat server at {url}. Check that it is running; "
               "we keep trying.")
UNREACHABLE_SIGN_IN = "Can't reach the chat server at {url}. Check that it is running."
CORS_REFUSED = ("The chat server at {url} refused this page's origin. Add this page's "
                "address to the server's CORS_ORIGIN setting.")
GAVE_UP = "Can't reach the chat server after {n} attempts."
NO_ACCESS = "Your account may not read the chat. Ask an administrator for the Chat User role."
SERVER_BUSY = "The server is busy; your message will be sent again in a moment."
NO_ANSWER = "Not sent: the server did not answer. It may have refused this message."
NOT_RESUMED = ("Not sent: your session has not reached the server yet. Your text stays "
               "here; send it once connected.")

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
    reply_to: str | None = None
    mentions: tuple[str, ...] = ()  # ids of the users mentioned


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


@dataclass(frozen=True, kw_only=True)
class Reaction:
    """One user's emoji under a message."""

    id: str
    message: MessageId
    emoji: str
    user_id: str | None = None
    user_name: str | None = None


@dataclass(frozen=True, kw_only=True)
class ReactionsChanged:
    """The reactions now under each of these messages (oldest first)."""

    messages: tuple[tuple[str, tuple[Reaction, ...]], ...]


@dataclass(frozen=True, kw_only=True)
class Quote:
    """What a reply quotes of a message that is not in the timeline."""

    id: str
    author: str | None = None
    content: str | None = None
    deleted: bool = False  # the original is gone (or never existed)


@dataclass(frozen=True, kw_only=True)
class QuotesChanged:
    quotes: tuple[Quote, ...]


@dataclass(frozen=True, kw_only=True)
class ChangesWaiting:
    """The messages with an edit or a delete made here and not yet done by the server."""

    message_ids: tuple[str, ...]


class Scrollback(Enum):
    MORE = "more"  # older messages may be on the server: scrolling up reads them
    LOADING = "loading"  # a page of older messages is on its way
    BEGINNING = "beginning"  # the oldest message loaded is the first of the conversation
    FAILED = "failed"  # the last page was refused or unanswered: scrolling up tries again


@dataclass(frozen=True, kw_only=True)
class ScrollbackChanged:
    state: Scrollback
    error: str | None = None  # a sentence for people, when FAILED


class SearchState(Enum):
    SEARCHING = "searching"  # a page of results is on its way
    MORE = "more"  # more results may be on the server ("Show more")
    DONE = "done"  # every hit is shown
    FAILED = "failed"  # the last page was refused or unanswered: the user may try again


@dataclass(frozen=True, kw_only=True)
class SearchChanged:
    """The search and its hits, newest first (``text`` None: no search any more)."""

    text: str | None
    hits: tuple[Message, ...] = ()
    state: SearchState | None = None
    error: str | None = None  # a sentence for people, when FAILED


@dataclass(frozen=True, kw_only=True)
class ShowMessage:
    """A hit opened: it is in the timeline now, with the messages around it."""

    message_id: MessageId


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


Event = (PhaseChanged | TimelineChanged | OutboxChanged | ReadPositionChanged | Notice
         | ScrollbackChanged | SearchChanged | ShowMessage | PeopleChanged | ReactionsChanged
         | QuotesChanged | ChangesWaiting)

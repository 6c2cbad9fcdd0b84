"""The messages typed here and not yet stored, in the order typed.

Each has a client-made id, so sending it again can never store it twice: it leaves the
outbox only when the server shows it stored (its reply, its create event, a read). Every
entry has an owner, the account that typed it, and is never sent as another.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from chat.core.events import OutboxChanged, OutboxState, Outgoing
from chat.core.output import Output
from chat.core.texts import TOO_LONG, TYPE_FIRST


def content_of(text: str, max_length: int) -> str:
    """What is sent of ``text``: it stripped. Raises ValueError with a sentence for people
    if nothing is left or it is too long."""
    content = text.strip()
    if not content:
        raise ValueError(TYPE_FIRST)
    if len(content) > max_length:
        raise ValueError(TOO_LONG.format(limit=max_length, length=len(content)))
    return content


@dataclass
class _Entry:
    id: str
    content: str
    reply_to: str | None = None
    state: OutboxState = OutboxState.PENDING
    error: str | None = None
    mentions: tuple[str, ...] = ()

    def snapshot(self) -> Outgoing:
        return Outgoing(id=self.id, content=self.content, state=self.state, error=self.error,
                        reply_to=self.reply_to, mentions=self.mentions)


class Outbox:
    def __init__(self, out: Output) -> None:
        self._out = out
        self._entries: list[_Entry] = []
        self._owner: str | None = None
        self._changed = False

    def __contains__(self, message_id: object) -> bool:
        return self._get(message_id) is not None

    def snapshot(self) -> tuple[Outgoing, ...]:
        return tuple(entry.snapshot() for entry in self._entries)

    def own(self, user_id: str) -> bool:
        """The session is ``user_id``'s. True if another account's entries were dropped."""
        other = self._owner not in (None, user_id)
        if other:
            self.clear()
        self._owner = user_id
        return other

    # --- What the user does ---------------------------------------------------------------

    def add(self, message_id: str, content: str, mentions: tuple[str, ...] = (),
            reply_to: str | None = None) -> None:
        self._entries.append(_Entry(id=message_id, content=content, mentions=mentions,
                                    reply_to=reply_to))
        self._changed = True

    def restore(self, entries: Iterable[Outgoing]) -> int:
        """Take back entries a closed page left (failed ones stay failed, the rest wait
        again), after those here; an id here already is skipped. Returns how many."""
        taken = 0
        for entry in entries:
            if entry.id in self:
                continue
            failed = entry.state is OutboxState.FAILED
            self._entries.append(_Entry(id=entry.id, content=entry.content,
                                        state=OutboxState.FAILED if failed
                                        else OutboxState.PENDING,
                                        error=entry.error if failed else None))
            taken += 1
        self._changed = self._changed or taken > 0
        return taken

    def retry(self, message_id: str) -> bool:
        """Queue a failed entry again, after the others waiting. False if none."""
        entry = self._get(message_id)
        if entry is None or entry.state != OutboxState.FAILED:
            return False
        self._entries.remove(entry)
        entry.state, entry.error = OutboxState.PENDING, None
        self._entries.append(entry)
        self._changed = True
        return True

    def discard(self, message_id: str) -> None:
        entry = self._get(message_id)
        if entry is not None and entry.state == OutboxState.FAILED:
            self._entries.remove(entry)
            self._changed = True

    def clear(self) -> None:
        self._entries.clear()
        self._changed = True

    # --- What the server does ---------------------------------------------------------------

    def next_to_send(self) -> _Entry | None:
        """The oldest pending entry, now sending; None if none waits."""
        entry = next((e for e in self._entries if e.state == OutboxState.PENDING), None)
        if entry is not None:
            entry.state = OutboxState.SENDING
            self._changed = True
        return entry

    def requeue(self, message_id: str) -> None:
        """Not stored after all: send it again."""
        entry = self._get(message_id)
        if entry is not None:
            entry.state = OutboxState.PENDING
            self._changed = True

    def fail(self, message_id: str, error: str) -> None:
        """Refused, or unanswered: the user may retry (the id keeps a retry from storing
        it twice) or discard it."""
        entry = self._get(message_id)
        if entry is not None:
            entry.state, entry.error = OutboxState.FAILED, error
            self._changed = True

    def unsend(self) -> None:
        """The socket is gone: what was sending waits again."""
        for entry in self._entries:
            if entry.state == OutboxState.SENDING:
                entry.state = OutboxState.PENDING
                self._changed = True

    def stored(self, message_id: str) -> bool:
        """The server stored it: it leaves the outbox. True if it was here."""
        entry = self._get(message_id)
        if entry is None:
            return False
        self._entries.remove(entry)
        self._changed = True
        return True

    def flush(self) -> None:
        """An OutboxChanged event if anything changed since the last one."""
        if self._changed:
            self._changed = False
            self._out.emit(OutboxChanged(entries=self.snapshot()))

    def _get(self, message_id: object) -> _Entry | None:
        return next((e for e in self._entries if e.id == message_id), None)

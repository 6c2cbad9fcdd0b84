"""The messages on screen, in order, each exactly once.

History, live events, gap fills and our own confirmed sends all go through
``upsert``: a message already known by id is replaced, never added twice.
Order is by creation time, then id (uuids as strings, or the integers of the
tutorial's collection: one collection has one kind), so every client that holds the same
messages shows them in the same order.

``complete_until`` is the creation time up to which nothing is missing (None:
nothing is known yet). Only what shows the server's whole state moves it (a page
or gap read, the subscription's events in their order); a message known some
other way, such as the reply to our own create, does not.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort

from chat.core.protocol import Message, MessageId


class Timeline:
    def __init__(self) -> None:
        self._by_id: dict[MessageId, Message] = {}
        self._keys: list[tuple[float, MessageId]] = []  # sorted sort keys
        self.complete_until: float | None = None

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, message_id: object) -> bool:
        return message_id in self._by_id

    def get(self, message_id: MessageId) -> Message | None:
        return self._by_id.get(message_id)

    def messages(self, start: int = 0, stop: int | None = None) -> list[Message]:
        """All messages, oldest first (or those at positions ``start`` to ``stop``)."""
        return [self._by_id[key[1]] for key in self._keys[start:stop]]

    def position(self, key: tuple[float, MessageId], *, after: bool = False) -> int:
        """How many messages sort before ``key`` (``after``: before it or at it)."""
        return (bisect_right if after else bisect_left)(self._keys, key)

    def key_at(self, position: int) -> tuple[float, MessageId]:
        return self._keys[position]

    def newest(self) -> Message | None:
        return self._by_id[self._keys[-1][1]] if self._keys else None

    def upsert(self, message: Message) -> bool:
        """Add or replace ``message``. Returns False if nothing changed."""
        old = self._by_id.get(message.id)
        if old == message:
            return False
        if old is not None and old.sort_key != message.sort_key:
            self._remove_key(old.sort_key)
            old = None
        self._by_id[message.id] = message
        if old is None:
            insort(self._keys, message.sort_key)
        return True

    def remove(self, message_id: MessageId) -> bool:
        """Remove a message by id. Returns False if it was not there."""
        old = self._by_id.pop(message_id, None)
        if old is None:
            return False
        self._remove_key(old.sort_key)
        return True

    def ids_from(self, key: tuple[float, MessageId]) -> list[MessageId]:
        """Ids of the messages at ``key`` or later in order."""
        return [k[1] for k in self._keys[bisect_left(self._keys, key):]]

    def mark_complete(self, until: float) -> None:
        """Nothing created up to ``until`` is missing."""
        if self.complete_until is None or until > self.complete_until:
            self.complete_until = until

    def clear(self) -> None:
        self._by_id.clear()
        self._keys.clear()
        self.complete_until = None

    def _remove_key(self, key: tuple[float, MessageId]) -> None:
        index = bisect_left(self._keys, key)
        if index < len(self._keys) and self._keys[index] == key:
            del self._keys[index]

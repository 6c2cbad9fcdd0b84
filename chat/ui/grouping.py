"""Which drawn messages continue the one above them: same author, same day, within a few
minutes (as Slack and Element group them), drawn without their own name, time and
avatar. Pure (no js), unit-tested in CPython with the DOM window adding and dropping
messages at both ends; chat.ui.messages applies what it says.

It looks only at the messages drawn: the first one drawn always shows its author, even
when the one before it (out of the window now) was theirs too.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from datetime import date, datetime

from chat.core.protocol import Message

GAP = 300  # seconds between two messages of one author that still group them


def local_day(created: float) -> date:
    return datetime.fromtimestamp(created).date()


def continues(previous: Message | None, message: Message,
              day: Callable[[float], date] = local_day) -> bool:
    """Does ``message`` continue ``previous`` (the one drawn just above it)?"""
    return (previous is not None and message.user_id is not None
            and previous.user_id == message.user_id
            and 0 <= message.created - previous.created <= GAP
            and day(previous.created) == day(message.created))


class Runs:
    """The drawn messages in order, and which of them continue the one above."""

    def __init__(self, day: Callable[[float], date] = local_day) -> None:
        self._day = day
        self._keys: list[tuple[float, str]] = []
        self._messages: dict[str, Message] = {}
        self.continued: dict[str, bool] = {}

    def clear(self) -> None:
        self._keys.clear()
        self._messages.clear()
        self.continued.clear()

    def add(self, message: Message) -> dict[str, bool]:
        """Draw ``message``; returns the messages whose grouping is new or changed
        (it, and the one after it), id -> continued."""
        index = bisect_left(self._keys, message.sort_key)
        self._keys.insert(index, message.sort_key)
        self._messages[message.id] = message
        return self._update(index, index + 1)

    def drop(self, message_id: str) -> dict[str, bool]:
        """Undraw a message; returns the changes to the one after it."""
        message = self._messages.pop(message_id)
        index = bisect_left(self._keys, message.sort_key)
        del self._keys[index]
        del self.continued[message_id]
        return self._update(index)

    def _update(self, *indexes: int) -> dict[str, bool]:
        changes = {}
        for index in indexes:
            if index >= len(self._keys):
                continue
            message = self._messages[self._keys[index][1]]
            previous = self._messages[self._keys[index - 1][1]] if index else None
            flag = continues(previous, message, self._day)
            if self.continued.get(message.id) != flag:
                self.continued[message.id] = changes[message.id] = flag
        return changes

"""The messages drawn in the list, grouped by day under a heading ("Today",
"Yesterday", a date), each node built in one call to static/dom.js (for speed: see
docs/PERFORMANCE.md), with relative times ("5 min ago") and day labels kept fresh.
Which messages are drawn is chat.ui.window's choice; their text's links and mentions
chat.ui.text's, who continues whom chat.ui.grouping's, avatars chat.ui.avatars'."""

from __future__ import annotations

import time
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import js

from chat.core import Person
from chat.core.protocol import Message
from chat.ui import text
from chat.ui.avatars import Avatars, colour, initials
from chat.ui.dom import el, options
from chat.ui.grouping import Runs

RECENT = 3600  # seconds a time is shown relative ("5 min ago") before it shows the clock
TICK = 30  # seconds between refreshes of relative times

# Formats in the browser's own locale and time zone (None is the default locale).
_CLOCK = js.Intl.DateTimeFormat.new(None, options(hour="numeric", minute="2-digit"))
_DAY = js.Intl.DateTimeFormat.new(None, options(weekday="long", day="numeric",
                                                month="long", year="numeric"))


def when(created: float, now: float) -> str:
    age = now - created
    if age < 60:
        return "just now"
    if age < RECENT:
        return f"{int(age // 60)} min ago"
    return _CLOCK.format(created * 1000)


def day_label(day: date, today: date) -> str:
    if day == today:
        return "Today"
    if day == today - timedelta(days=1):
        return "Yesterday"
    return _DAY.format(js.Date.new(day.year, day.month - 1, day.day))


@dataclass
class _Day:
    """One day's group in the list: a heading and its messages in order."""

    day: date
    node: object
    label: object
    items: object
    keys: list[tuple[float, str]] = field(default_factory=list)


class MessageList:
    def __init__(self, days_node, loop, avatars: Avatars) -> None:
        self._days_node = days_node
        self._loop = loop
        self._avatars = avatars
        self.user_id: str | None = None  # whose messages are drawn as own
        self.my_name: str | None = None  # their first name, once one of theirs is drawn
        self.people: dict[str, Person] = {}  # by id: names of mentions, avatars
        self._runs = Runs()
        self._avatar_of: dict[str, tuple[str, object]] = {}  # id -> (file id, element)
        self._nodes: dict[str, tuple[object, Message]] = {}
        self._days: dict[date, _Day] = {}
        self._day_order: list[date] = []
        self._recent: dict[str, tuple[object, float]] = {}  # nodes with relative times
        self.decorate = lambda node, message: None  # chat.ui.conversation's additions
        self._loop.call_later(TICK, self._tick)

    def days(self) -> list[tuple[object, object]]:
        """The (section, heading) nodes of the days drawn, oldest first."""
        return [(self._days[d].node, self._days[d].label) for d in self._day_order]

    def node(self, message_id: str | None):
        drawn = self._nodes.get(message_id) if message_id is not None else None
        return drawn[0] if drawn else None

    def clear(self) -> None:
        self._days_node.replaceChildren()
        for file_id, element in self._avatar_of.values():
            self._avatars.release(file_id, element)
        self._avatar_of.clear()
        self._runs.clear()
        self._nodes.clear()
        self._days.clear()
        self._day_order.clear()
        self._recent.clear()

    def add(self, message: Message, now: float) -> None:
        day = self._day(datetime.fromtimestamp(message.created).date())
        index = bisect_left(day.keys, message.sort_key)
        day.keys.insert(index, message.sort_key)
        node = self._message_node(message, now)
        if index + 1 < len(day.keys):
            day.items.insertBefore(node, self._nodes[day.keys[index + 1][1]][0])
        else:
            day.items.append(node)
        self._nodes[message.id] = (node, message)
        self._group(self._runs.add(message))

    def drop(self, message_id: str) -> None:
        node, message = self._nodes.pop(message_id)
        node.remove()
        self._recent.pop(message_id, None)
        if message_id in self._avatar_of:
            self._avatars.release(*self._avatar_of.pop(message_id))
        self._group(self._runs.drop(message_id))
        day = self._days[datetime.fromtimestamp(message.created).date()]
        day.keys.remove(message.sort_key)
        if not day.keys:
            day.node.remove()
            del self._days[day.day]
            self._day_order.remove(day.day)

    def _day(self, day: date) -> _Day:
        """The group for ``day``, made and put in order if new."""
        if day in self._days:
            return self._days[day]
        label = el("span", "", day_label(day, date.today()))
        heading = el("h2", "day-label")
        heading.append(label)
        items = el("div", "day-items")
        node = el("section", "day")
        node.append(heading, items)
        index = bisect_left(self._day_order, day)
        if index < len(self._day_order):
            self._days_node.insertBefore(node, self._days[self._day_order[index]].node)
        else:
            self._days_node.append(node)
        self._day_order.insert(index, day)
        self._days[day] = _Day(day=day, node=node, label=label, items=items)
        return self._days[day]

    def _group(self, changes: dict[str, bool]) -> None:
        """Continued messages show no name, time or avatar of their own (CSS)."""
        for message_id, continued in changes.items():
            self._nodes[message_id][0].classList.toggle("cont", continued)

    def _message_node(self, message: Message, now: float):
        own = message.user_id is not None and message.user_id == self.user_id
        if own and message.user_name:
            self.my_name = message.user_name
        person = self.people.get(message.user_id or "")
        name = message.user_name or (person.first_name if person else None) or "Unknown user"
        names = {i: p.first_name for i in message.mentions
                 if (p := self.people.get(i)) is not None and p.first_name}
        parts = text.encoded(text.parts(message.content, names)) if (
            names or "http" in message.content.lower()) else ""
        me = self.user_id or ""
        node = js.chatDom.message(message.id, own, name, message.created * 1000,
                                  when(message.created, now), bool(message.updated),
                                  message.content, parts, initials(name),
                                  colour(message.user_id), me, me in names)
        file_id = (person.avatar if person else None) or message.user_avatar
        if file_id:
            element = node.querySelector(".avatar")
            self._avatar_of[message.id] = (file_id, element)
            self._avatars.use(file_id, element)
        self.decorate(node, message)
        if now - message.created < RECENT:
            self._recent[message.id] = (node, message.created)
        return node

    def _tick(self) -> None:
        """Refresh relative times ("5 min ago") and day labels (midnight passes)."""
        self._loop.call_later(TICK, self._tick)
        now = time.time()
        for message_id, (node, created) in list(self._recent.items()):
            node.querySelector(".when").textContent = when(created, now)
            if now - created >= RECENT:
                del self._recent[message_id]
        today = date.today()
        for day in self._days.values():
            day.label.textContent = day_label(day.day, today)

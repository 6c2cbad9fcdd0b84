"""Grouping stays right while the DOM window adds and drops messages at both ends:
after every redraw, each drawn message is grouped exactly as if drawn from scratch."""

from __future__ import annotations

import random

from chat.core.protocol import Message
from chat.ui.grouping import GAP, Runs, continues
from chat.ui.window import Side, Window


def msg(i: int, at: float, user: str = "u-a") -> Message:
    return Message(id=f"m{i:04d}", content="x", created=at, user_id=user)


def day(t: float) -> int:
    return int(t // 86_400)


def test_one_author_within_minutes_on_one_day_continues():
    a, b = msg(1, 1000.0), msg(2, 1000.0 + GAP)
    assert continues(a, b, day)
    assert not continues(None, a, day)
    assert not continues(a, msg(3, 1000.0 + GAP + 1), day)  # too late
    assert not continues(a, msg(4, 1010.0, "u-b"), day)  # someone else
    assert not continues(msg(5, 86_399.0), msg(6, 86_401.0), day)  # another day
    nobody = Message(id="m7", content="x", created=1001.0)
    assert not continues(Message(id="m8", content="x", created=1000.0), nobody, day)


def expected(drawn: list[Message]) -> dict[str, bool]:
    ordered = sorted(drawn, key=lambda m: m.sort_key)
    return {m.id: continues(ordered[i - 1] if i else None, m, day)
            for i, m in enumerate(ordered)}


def test_grouping_follows_the_window_through_scrolling_both_ways_and_live_messages():
    rng = random.Random(12)
    window, runs = Window(size=20, max_size=40, page=10), Runs(day)
    t, n = 0.0, 0

    def add_messages(count: int) -> None:
        nonlocal t, n
        for _ in range(count):
            t += rng.choice([5, 30, 200, 400, 40_000])
            n += 1
            window.upsert(msg(n, t, rng.choice(["u-a", "u-a", "u-b"])))

    def redraw(**move) -> None:
        for message_id in window.take_stale():
            runs.drop(message_id)
        window.move(**move)
        r = window.sync()
        for message_id in r.drop:
            runs.drop(message_id)
        for m in r.add:
            runs.add(m)
        drawn = [window.shown.get(i) for i in runs.continued]
        assert runs.continued == expected(drawn)
        first = min(drawn, key=lambda m: m.sort_key)
        assert runs.continued[first.id] is False  # the first drawn always shows its author

    add_messages(120)
    redraw(pinned=True, grow=None)
    for _ in range(12):  # up to the beginning, past the window's size
        redraw(pinned=False, grow=Side.OLDER)
    for _ in range(12):  # and back down
        redraw(pinned=False, grow=Side.NEWER)
    for _ in range(30):  # live, pinned, with deletes in the middle
        add_messages(rng.randint(1, 3))
        drawn = list(runs.continued)
        window.remove(rng.choice(drawn))
        redraw(pinned=True, grow=None)


def test_dropping_a_message_regroups_the_one_after_it():
    runs = Runs(day)
    a, b, c = msg(1, 10.0), msg(2, 20.0), msg(3, 30.0)
    assert runs.add(a) == {"m0001": False}
    assert runs.add(c) == {"m0003": True}
    assert runs.add(b) == {"m0002": True}  # c stays continued: nothing to change
    assert runs.drop("m0001") == {"m0002": False}

"""The adapter loop: every action reaches its effect, the events reach ``show``, and an
input that raises is drained all the same."""

from __future__ import annotations

import typing

import pytest

from chat import core as c
from chat.loop import Loop

ONE_OF_EACH = [
    c.OpenSocket(conn=1, url="ws://x/websocket"),
    c.SendFrame(conn=1, text="{}"),
    c.CloseSocket(conn=1),
    c.HttpRequest(id=1, path="/server/ping", method=c.Method.GET),
    c.SetTimer(timer=c.Timer.PROBE, delay=1.0),
    c.CancelTimer(timer=c.Timer.PROBE),
    c.SaveSession(refresh_token=None),
]
EFFECT = {c.OpenSocket: "open_socket", c.SendFrame: "send_frame",
          c.CloseSocket: "close_socket", c.HttpRequest: "request", c.SetTimer: "set_timer",
          c.CancelTimer: "cancel_timer", c.SaveSession: "save_session"}


class Core:
    """Stands in for the client: each input queues the given actions and a notice."""

    def __init__(self) -> None:
        self.actions: list = []
        self.events: list = []
        self.fed: list = []

    def take_actions(self):
        taken, self.actions = self.actions, []
        return taken

    def take_events(self):
        taken, self.events = self.events, []
        return taken

    def act(self, *actions, now: float) -> str:
        self.fed.append(now)
        self.actions += actions
        self.events.append(c.Notice(text="done"))
        return "result"

    def fail(self, *actions, now: float) -> None:
        self.act(*actions, now=now)
        raise ValueError("refused")


class Recorder:
    def __init__(self) -> None:
        self.done: list = []

    def __getattr__(self, name):
        return lambda argument: self.done.append((name, argument))


def test_every_kind_of_action_reaches_its_own_effect_in_order():
    assert {type(a) for a in ONE_OF_EACH} == set(typing.get_args(c.Action)) == set(EFFECT)
    core, effects = Core(), Recorder()
    loop = Loop(core, effects, clock=lambda: 12.5)
    assert loop.feed(core.act, *ONE_OF_EACH) == "result"
    assert effects.done == [(EFFECT[type(a)], a) for a in ONE_OF_EACH] + [
        ("show", [c.Notice(text="done")])]
    assert core.fed == [12.5]  # the clock's time, as ``now``


def test_an_input_that_raises_is_still_drained_and_the_error_reaches_the_caller():
    core, effects = Core(), Recorder()
    loop = Loop(core, effects, clock=lambda: 0.0)
    with pytest.raises(ValueError, match="refused"):
        loop.feed(core.fail, c.CloseSocket(conn=3))
    assert effects.done == [("close_socket", c.CloseSocket(conn=3)),
                            ("show", [c.Notice(text="done")])]


def test_an_unknown_action_is_an_error_not_ignored():
    core, effects = Core(), Recorder()
    with pytest.raises(TypeError, match="no effect for str"):
        Loop(core, effects, clock=lambda: 0.0).feed(core.act, "not an action")

"""The adapter loop, the one every adapter runs (the page's, the CPython one, the unit
tests' driver): feed the core one input with the clock's time, then drain it, even when
the input raised. Each action goes to one method of the adapter's effects, the events to
its ``show``::

    loop = Loop(client, effects, clock=time.monotonic)
    message_id = loop.feed(client.send, "hello")

No I/O here: the effects do it, and feed what comes of it back through ``feed``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from chat.core import (
    CancelTimer,
    ChatClient,
    CloseSocket,
    Event,
    HttpRequest,
    OpenSocket,
    SaveSession,
    SendFrame,
    SetTimer,
    Timer,
)

T = TypeVar("T")


class Effects(Protocol):
    """What an adapter does for the core: one method per kind of action, and ``show``
    for the events of each input."""

    def open_socket(self, action: OpenSocket) -> None: ...
    def send_frame(self, action: SendFrame) -> None: ...
    def close_socket(self, action: CloseSocket) -> None: ...
    def request(self, action: HttpRequest) -> None: ...
    def set_timer(self, action: SetTimer) -> None: ...
    def cancel_timer(self, action: CancelTimer) -> None: ...
    def save_session(self, action: SaveSession) -> None: ...
    def show(self, events: list[Event]) -> None: ...


class Loop:
    def __init__(self, client: ChatClient, effects: Effects, *,
                 clock: Callable[[], float]) -> None:
        self.client = client
        self._effects = effects
        self._clock = clock

    def feed(self, method: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call one input of the core (a method of ``client``) at the clock's time and
        return what it returns; then do what the core asks, whether it raised or not."""
        try:
            return method(*args, **kwargs, now=self._clock())
        finally:
            self.drain()

    def drain(self) -> None:
        effects = self._effects
        for action in self.client.take_actions():
            match action:
                case OpenSocket():
                    effects.open_socket(action)
                case SendFrame():
                    effects.send_frame(action)
                case CloseSocket():
                    effects.close_socket(action)
                case HttpRequest():
                    effects.request(action)
                case SetTimer():
                    effects.set_timer(action)
                case CancelTimer():
                    effects.cancel_timer(action)
                case SaveSession():
                    effects.save_session(action)
                case _:
                    raise TypeError(f"no effect for {type(action).__name__}")
        effects.show(self.client.take_events())


class AsyncioTimers:
    """The core's timers on an asyncio event loop, for the real adapters: a timer that
    falls due is fed back as ``timer_fired``."""

    def __init__(self, loop: Loop, event_loop: Callable[[], asyncio.AbstractEventLoop]) -> None:
        self._loop = loop
        self._event_loop = event_loop
        self._handles: dict[Timer, asyncio.TimerHandle] = {}

    def set(self, action: SetTimer) -> None:
        self.cancel(action.timer)
        self._handles[action.timer] = self._event_loop().call_later(
            action.delay, self._fired, action.timer)

    def cancel(self, timer: Timer) -> None:
        handle = self._handles.pop(timer, None)
        if handle is not None:
            handle.cancel()

    def cancel_all(self) -> None:
        for timer in list(self._handles):
            self.cancel(timer)

    def _fired(self, timer: Timer) -> None:
        self._handles.pop(timer, None)
        self._loop.feed(self._loop.client.timer_fired, timer)

"""The one buffer the parts of the client write to: actions for the adapter, events for
the view, the timers that are set, and the numbers of REST requests and the uids of
frames (neither ever reused)."""

from __future__ import annotations

from enum import Enum
from typing import Any

from chat.core.actions import Action, CancelTimer, HttpRequest, Method, SetTimer, Timer
from chat.core.events import Event


class Purpose(Enum):
    """What a REST request is for, so that its answer goes to the right place."""

    LOGIN = "login"
    REFRESH = "refresh"
    LOGOUT = "logout"
    PROBE = "probe"
    PEOPLE = "people"
    FIELDS = "fields"  # GET /fields/messages (chat/core/schema.py)
    PERMISSIONS = "permissions"  # GET /permissions/me
    EDIT_WINDOW = "edit window"  # GET /permissions: the rules of update (conversation.py)
    READ_POSITION = "read position"  # GET the user's row of read_positions (unread.py)
    SAVE_POSITION = "save position"  # create or update it


class Output:
    def __init__(self, *, http_timeout: float) -> None:
        self.actions: list[Action] = []
        self.events: list[Event] = []
        self._http_timeout = http_timeout
        self._timers: set[Timer] = set()
        self._purposes: dict[int, Purpose] = {}  # REST requests awaiting their answer
        self._requests = 0
        self._uids = 0

    def act(self, action: Action) -> None:
        self.actions.append(action)

    def emit(self, event: Event) -> None:
        self.events.append(event)

    # --- Timers -----------------------------------------------------------------------

    def set_timer(self, timer: Timer, delay: float) -> None:
        self._timers.add(timer)
        self.act(SetTimer(timer=timer, delay=max(0.0, delay)))

    def cancel_timer(self, timer: Timer) -> None:
        if timer in self._timers:
            self._timers.discard(timer)
            self.act(CancelTimer(timer=timer))

    def cancel_timers(self) -> None:
        for timer in sorted(self._timers, key=lambda t: t.value):
            self.cancel_timer(timer)

    def fired(self, timer: Timer) -> bool:
        """A timer fell due: True if it was still set (a cancelled one is stale)."""
        if timer not in self._timers:
            return False
        self._timers.discard(timer)
        return True

    # --- REST and frames ----------------------------------------------------------------

    def request(self, purpose: Purpose, path: str, body: dict[str, Any] | None, *,
                method: Method = Method.POST, timeout: float | None = None,
                token: str | None = None) -> None:
        self._requests += 1
        self._purposes[self._requests] = purpose
        self.act(HttpRequest(id=self._requests, path=path, body=body, method=method,
                             timeout=timeout or self._http_timeout, token=token))

    def answered(self, request_id: int) -> Purpose | None:
        """The purpose of a request answered now (None: unknown, or from a session over)."""
        return self._purposes.pop(request_id, None)

    def awaiting(self, purpose: Purpose) -> list[int]:
        return [i for i, p in self._purposes.items() if p == purpose]

    def forget_requests(self) -> None:
        """The session is over: answers to its requests are stale."""
        self._purposes.clear()

    def uid(self, kind: str) -> str:
        """A uid for a frame, never used before on any socket."""
        self._uids += 1
        return f"{kind}-{self._uids}"

"""What the core asks its adapter to do: frozen, keyword-only dataclasses.

The adapter performs each one in order and feeds back what came of it (``socket_opened``,
``http_response``, ``timer_fired``, ...). No password or token shows in the repr of any
action, so in no str, log line, pprint or pytest report of a failed comparison either:
the actions that may carry one (``SendFrame``, ``HttpRequest``, ``SaveSession``) mask it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from enum import Enum
from typing import Any

SECRET_KEYS = frozenset({"password", "access_token", "refresh_token"})
REDACTED = "<redacted>"


def _masked(value: Any) -> Any:
    """``value`` with the values of ``SECRET_KEYS`` replaced, at any depth."""
    if isinstance(value, dict):
        return {k: REDACTED if k in SECRET_KEYS and v is not None else _masked(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


class _Masked:
    """Base of the actions that may carry a password or a token: their repr (and so
    str, logs and pprint) shows ``_shown()``, where those are masked. Equality is
    written here rather than by ``dataclass``: pytest then explains a failed comparison
    with these reprs instead of printing each raw field."""

    def _shown(self) -> dict[str, Any]:
        raise NotImplementedError

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f.name) for f in fields(self))  # type: ignore[arg-type]

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._values() == other._values()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self._shown().items())
        return f"{type(self).__name__}({shown})"


# --- The socket -----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class OpenSocket:
    """Open a WebSocket to ``url``; report it with ``socket_opened(conn)``, each text
    frame with ``socket_message(conn, text)`` and its end with ``socket_closed(conn)``."""

    conn: int
    url: str


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class SendFrame(_Masked):
    """Send ``text`` on socket ``conn``, if it is still open."""

    conn: int
    text: str

    def _shown(self) -> dict[str, Any]:
        try:
            frame = json.loads(self.text)
        except ValueError:
            return {"conn": self.conn, "text": f"<{len(self.text)} characters>"}
        return {"conn": self.conn,
                "text": json.dumps(_masked(frame), separators=(",", ":"), ensure_ascii=False)}


@dataclass(frozen=True, kw_only=True)
class CloseSocket:
    """Close socket ``conn``; the core expects nothing more from it."""

    conn: int
    code: int = 1000
    reason: str = ""


# --- REST -----------------------------------------------------------------------------


class Method(Enum):
    GET = "GET"
    POST = "POST"
    PATCH = "PATCH"


class Failure(Enum):
    """Why a REST request got no answer, for ``http_failed``."""

    NETWORK = "network"  # nothing answered (or too late)
    CORS = "cors"  # the server answered, but the browser hid it from the page


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class HttpRequest(_Masked):
    """Send ``method`` to the Directus URL + ``path``, a POST with ``body`` as JSON, with
    ``token`` (if any) as ``Authorization: Bearer``; answer with ``http_response(id,
    status, body)``, or with ``http_failed(id, failure)`` if no answer came within
    ``timeout`` seconds."""

    id: int
    path: str
    body: dict[str, Any] | None = None
    method: Method = Method.POST
    timeout: float = 15.0
    token: str | None = None

    def _shown(self) -> dict[str, Any]:
        return {"id": self.id, "method": self.method.value, "path": self.path,
                "body": _masked(self.body), "timeout": self.timeout,
                "token": None if self.token is None else REDACTED}


# --- Timers ---------------------------------------------------------------------------


class Timer(Enum):
    RECONNECT = "reconnect"  # the next connection attempt
    REFRESH = "refresh"  # refresh the access token
    WATCHDOG = "watchdog"  # check that the socket opens, syncs and stays alive
    BUSY = "busy"  # the wait after the server's rate limit
    PROBE = "probe"  # the next reachability probe while waiting
    READ_POSITION = "read position"  # the next save of the read position is due


@dataclass(frozen=True, kw_only=True)
class SetTimer:
    """Call ``timer_fired(timer)`` after ``delay`` seconds, replacing that timer if set."""

    timer: Timer
    delay: float


@dataclass(frozen=True, kw_only=True)
class CancelTimer:
    timer: Timer


# --- Storage --------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class SaveSession(_Masked):
    """Keep the newest refresh token (None: forget it), but only where the user asked to
    stay signed in; it resumes the session after a reload."""

    refresh_token: str | None

    def _shown(self) -> dict[str, Any]:
        return {"refresh_token": None if self.refresh_token is None else REDACTED}


Action = OpenSocket | SendFrame | CloseSocket | HttpRequest | SetTimer | CancelTimer | SaveSession

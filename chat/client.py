"""The chat client as a state machine: inputs in, actions and events out.

No I/O, no clock, no randomness of its own. The adapter (the browser's in
``chat.browser``, a ``websockets`` one in the tests) calls an input method
with the current monotonic time, then performs the actions and hands the
events to the view::

    client = ChatClient(Config(directus_url="http://127.0.0.1:8055"),
                        new_id=lambda: str(uuid.uuid4()), random=random.random)
    client.sign_in("alice@example.com", "secret", now=time.monotonic())
    for action in client.take_actions():
        ...  # HttpRequest, OpenSocket, SendFrame, CloseSocket, SetTimer, CancelTimer
    for event in client.take_events():
        ...  # PhaseChanged, TimelineChanged, OutboxChanged, SessionSaved, Notice

What it guarantees (see ``shared/docs/directus-realtime.md`` for why):
- one owner for the single-use refresh token, refreshed over REST before
  the access token expires, a failed refresh retried on a backoff; nothing is
  sent between ``TOKEN_EXPIRED`` and the next ``auth`` ``ok``;
- sign-out revokes the session, also when a refresh in flight rotates its
  token (the token it brings is logged out too);
- exactly one live subscription per socket, uids never reused;
- every message typed is sent exactly once: it has a client-made UUID, waits
  in the outbox across disconnects and is confirmed by its reply, its own
  create event or, after ``RECORD_NOT_UNIQUE``, by reading it back;
- the user is known from every token taken, however the session started, and
  nothing is queued before it is: a message waiting in the outbox is only ever
  sent as the account that typed it;
- no password or token in any repr of an action or event (so in no log line
  or test report either);
- at most one ``items`` request in flight, because Directus 11 sends error
  frames for them without the uid;
- after every (re)connect the newest page is merged and any larger gap read
  from where the timeline was complete (as pages, reads and the subscription's
  events showed it, never the replies to our own creates, which overtake a
  busy server's queued events), then what is newer than the page read once
  more (Directus reads the page before it registers the subscription), all
  before the outbox goes and the phase is live: nothing created while away or
  while subscribing is missing, and nothing shows twice;
- back within seconds of the server answering again, however long it was
  down: while waiting, a cheap probe (``GET /server/ping``, every ~2 s,
  jittered) decides when to reconnect; the socket's backoff still spaces the
  attempts when the server answers but the socket fails.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from enum import Enum
from typing import Any

from chat import protocol
from chat.backoff import backoff
from chat.protocol import Message
from chat.timeline import Timeline

log = logging.getLogger("chat")


# --- Configuration ------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Config:
    directus_url: str
    history_limit: int = 100
    max_length: int = 4000
    heartbeat_period: float = 30.0  # the server's WEBSOCKETS_HEARTBEAT_PERIOD
    connect_timeout: float = 20.0  # socket open, authenticated and first page in
    refresh_at: float = 0.8  # share of the access token's lifetime
    max_attempts: int = 20  # failed reconnect attempts in a row before giving up
    stable_after: float = 10.0  # a connection live this long resets the backoff
    gap_overlap: float = 5.0  # seconds read again before the newest known message
    gap_limit: int = 1000
    busy_wait: float = 2.0  # wait after REQUESTS_EXCEEDED
    request_timeout: float = 15.0  # an items request unanswered this long is given up
    http_timeout: float = 15.0  # a REST request unanswered this long has failed
    probe_interval: float = 2.0  # mean seconds between reachability probes while waiting
    probe_timeout: float = 5.0

    @property
    def socket_url(self) -> str:
        base = self.directus_url.rstrip("/")
        scheme, sep, rest = base.partition("://")
        return ("wss" if scheme == "https" else "ws") + sep + rest + "/websocket"


# --- Phases -------------------------------------------------------------------------


class Phase(Enum):
    SIGNED_OUT = "signed-out"
    SIGNING_IN = "signing-in"  # REST login, or resuming a saved session
    CONNECTING = "connecting"  # refreshing the token if needed, opening the socket
    AUTHENTICATING = "authenticating"  # socket open, auth frame sent
    SYNCING = "syncing"  # authenticated, waiting for the subscription's first page
    LIVE = "live"
    WAITING = "waiting"  # disconnected, the next attempt is scheduled
    OFFLINE = "offline"  # the browser says there is no network: wait for it
    GAVE_UP = "gave-up"  # too many attempts: wait for a manual retry


_CONNECTED = {Phase.AUTHENTICATING, Phase.SYNCING, Phase.LIVE}
_DOWN = {Phase.WAITING, Phase.OFFLINE, Phase.GAVE_UP}
_ANY_SESSION = {Phase.SIGNING_IN, Phase.CONNECTING, *_CONNECTED, *_DOWN}

# Every allowed phase change, read top to bottom. SIGNED_OUT is reachable from
# every phase (sign out, session ended) and is added below.
TRANSITIONS: dict[Phase, set[Phase]] = {
    Phase.SIGNED_OUT: {Phase.SIGNING_IN},
    Phase.SIGNING_IN: {Phase.CONNECTING, *_DOWN},
    Phase.CONNECTING: {Phase.AUTHENTICATING, *_DOWN},
    Phase.AUTHENTICATING: {Phase.SYNCING, Phase.CONNECTING, *_DOWN},
    Phase.SYNCING: {Phase.LIVE, *_DOWN},
    Phase.LIVE: {Phase.CONNECTING, *_DOWN},
    Phase.WAITING: {Phase.CONNECTING, Phase.OFFLINE},
    Phase.OFFLINE: {Phase.CONNECTING},
    Phase.GAVE_UP: {Phase.CONNECTING, Phase.OFFLINE},
}
for _targets in TRANSITIONS.values():
    _targets.add(Phase.SIGNED_OUT)


class InvalidState(Exception):
    """An input that makes no sense in the current phase (a bug in the caller)."""


# --- Secrets out of reprs -----------------------------------------------------------

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
    """Base of the actions and events that may carry a password or a token: their
    repr (and so str, logs and pprint) shows ``_shown()``, where those are masked.
    Equality is written here rather than by ``dataclass``: pytest then explains a
    failed comparison with these reprs instead of printing each raw field."""

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


# --- Actions for the adapter --------------------------------------------------------


@dataclass(frozen=True)
class OpenSocket:
    conn: int
    url: str


@dataclass(frozen=True, eq=False, repr=False)
class SendFrame(_Masked):
    conn: int
    text: str

    def _shown(self) -> dict[str, Any]:
        try:
            frame = json.loads(self.text)
        except ValueError:
            return {"conn": self.conn, "text": f"<{len(self.text)} characters>"}
        return {"conn": self.conn,
                "text": json.dumps(_masked(frame), separators=(",", ":"), ensure_ascii=False)}


@dataclass(frozen=True)
class CloseSocket:
    conn: int
    code: int = 1000
    reason: str = ""


class Method(Enum):
    GET = "GET"
    POST = "POST"


@dataclass(frozen=True, eq=False, repr=False)
class HttpRequest(_Masked):
    """Send ``method`` to the Directus URL + ``path``, a POST with ``body`` as JSON;
    answer with ``http_response(id, status, body)``, or with ``http_failed(id, kind)``
    if no answer came within ``timeout`` seconds."""

    id: int
    path: str
    body: dict[str, Any] | None = None
    method: Method = Method.POST
    timeout: float = 15.0

    def _shown(self) -> dict[str, Any]:
        return {"id": self.id, "method": self.method.value, "path": self.path,
                "body": _masked(self.body), "timeout": self.timeout}


@dataclass(frozen=True)
class SetTimer:
    """Call ``timer_fired(name)`` after ``delay`` seconds, replacing any timer of that name."""

    name: str
    delay: float


@dataclass(frozen=True)
class CancelTimer:
    name: str


Action = OpenSocket | SendFrame | CloseSocket | HttpRequest | SetTimer | CancelTimer


# --- Events for the view ------------------------------------------------------------


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


@dataclass(frozen=True, kw_only=True)
class Outgoing:
    id: str
    content: str
    state: str  # "pending", "sending" or "failed"
    error: str | None = None


@dataclass(frozen=True, kw_only=True)
class OutboxChanged:
    entries: tuple[Outgoing, ...]


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class SessionSaved(_Masked):
    """The newest refresh token (None: forget it). Persist it only if the user asked to."""

    refresh_token: str | None

    def _shown(self) -> dict[str, Any]:
        return {"refresh_token": None if self.refresh_token is None else REDACTED}


@dataclass(frozen=True, kw_only=True)
class Notice:
    text: str


Event = PhaseChanged | TimelineChanged | OutboxChanged | SessionSaved | Notice


# --- Messages for people ------------------------------------------------------------

WRONG_PASSWORD = "Wrong email or password."
SESSION_EXPIRED = "Your session has expired. Please sign in again."
UNREACHABLE = ("Can't reach the chat server at {url}. Check that it is running; "
               "we keep trying.")
UNREACHABLE_SIGN_IN = "Can't reach the chat server at {url}. Check that it is running."
OFFLINE_SIGN_IN = "You're offline: sign in once you're back online."
CORS_REFUSED = ("The chat server at {url} refused this page's origin. Add this page's "
                "address to the server's CORS_ORIGIN setting.")
GAVE_UP = "Can't reach the chat server after {n} attempts."
NO_ACCESS = "Your account may not read the chat. Ask an administrator for the Chat User role."
SERVER_BUSY = "The server is busy; your message will be sent again in a moment."
NO_ANSWER = "Not sent: the server did not answer. It may have refused this message."
NOT_RESUMED = ("Not sent: your session has not reached the server yet. Your text stays "
               "here; send it once connected.")


def user_id_from_token(access_token: str) -> str | None:
    """The user id in a Directus access token (a JWT). Not verified: the server does that."""
    try:
        payload = access_token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return None
    user_id = claims.get("id") if isinstance(claims, dict) else None
    return user_id if isinstance(user_id, str) else None


@dataclass
class _Entry:
    id: str
    content: str
    state: str = "pending"
    error: str | None = None

    def snapshot(self) -> Outgoing:
        return Outgoing(id=self.id, content=self.content, state=self.state, error=self.error)


@dataclass
class _Request:
    """The one ``items`` request in flight."""

    uid: str
    kind: str  # "create", "sync", "gap" or "verify"
    frame: str
    message_id: str | None = None
    since: float | None = None  # a gap read's start
    noticed_at: float | None = None  # when the watchdog first saw it unanswered


class ChatClient:
    def __init__(self, config: Config, *, new_id: Callable[[], str],
                 random: Callable[[], float]) -> None:
        self.config = config
        self._new_id = new_id
        self._random = random
        self.phase = Phase.SIGNED_OUT
        self.timeline = Timeline()
        self.user_id: str | None = None
        self._outbox: list[_Entry] = []
        self._outbox_owner: str | None = None
        self._actions: list[Action] = []
        self._events: list[Event] = []
        self._changed: dict[str, Message | None] = {}
        self._reset = False
        self._outbox_dirty = False
        self._timers: set[str] = set()
        self._revoke: set[int] = set()  # refreshes in flight at sign-out: revoke their token
        # Counters that never restart, so that no uid or socket number is ever reused.
        self._requests = 0
        self._uids = 0
        self._conn_count = 0
        self._reset_session()

    def _reset_session(self) -> None:
        self._access: str | None = None
        self._access_expires_at = 0.0
        self._refresh: str | None = None
        self._http: dict[int, str] = {}  # request id -> purpose
        self._refreshing = False
        self._refresh_delays: Iterator[float] = backoff(random=self._random)
        self._handshake_retried = False
        self._conn: int | None = None
        self._sub_uid: str | None = None
        self._synced = False
        self._paused = False  # between TOKEN_EXPIRED and the next auth ok
        self._missed = False  # events were refused while paused
        self._busy = False  # REQUESTS_EXCEEDED: hold requests until the "busy" timer
        self._last_rx = 0.0
        self._opened_at = 0.0
        self._live_since: float | None = None
        self._in_flight: _Request | None = None
        self._reads: list[_Request] = []  # queued "sync" and "gap" reads
        self._verify: list[str] = []  # ids to read back after RECORD_NOT_UNIQUE
        self._attempt = 0
        self._delays: Iterator[float] = backoff(random=self._random)
        self._online = True
        self._probing = False  # a probe is scheduled or in flight, until live again
        self._saw_down = False  # a probe failed since probing started

    # --- Drains ---------------------------------------------------------------------

    def take_actions(self) -> list[Action]:
        """What the adapter must do now, in order. Call after every input."""
        actions, self._actions = self._actions, []
        return actions

    def take_events(self) -> list[Event]:
        """What the view must show now, in order. Call after every input."""
        self._flush()
        events, self._events = self._events, []
        return events

    @property
    def outbox(self) -> tuple[Outgoing, ...]:
        return tuple(entry.snapshot() for entry in self._outbox)

    # --- Inputs: the user -------------------------------------------------------------

    def sign_in(self, email: str, password: str, *, now: float) -> None:
        """Sign in with a password over REST. Answer the HttpRequest it asks for."""
        self._require(Phase.SIGNED_OUT, "sign in")
        self._set_phase(Phase.SIGNING_IN)
        self._post("login", "/auth/login", {"email": email, "password": password, "mode": "json"})

    def resume(self, refresh_token: str, *, now: float, user_id: str | None = None) -> None:
        """Resume a saved session from its refresh token, without the password.
        ``user_id``: whose session it was when saved, if the adapter kept that: messages
        typed before the server is reached (offline) then wait in the outbox as theirs;
        if the tokens name another account, those are dropped, never sent as it."""
        self._require(Phase.SIGNED_OUT, "resume a session")
        self._refresh = refresh_token
        if user_id is not None:
            self.user_id = self._outbox_owner = user_id
        self._set_phase(Phase.SIGNING_IN)
        self._start_refresh()

    def sign_out(self, *, now: float) -> None:
        """Revoke the session and close the socket cleanly. Never reconnects."""
        if self._refresh:
            self._post("logout", "/auth/logout", {"refresh_token": self._refresh, "mode": "json"})
        # Directus rotates the token in place: if a refresh in flight got there first,
        # the logout above finds nothing, and only the token it brings can end the session.
        self._revoke.update(i for i, purpose in self._http.items() if purpose == "refresh")
        self._outbox.clear()
        self._outbox_dirty = True
        self.timeline.clear()
        self._reset = True
        self._end_session(None)

    def send(self, text: str, *, now: float) -> str:
        """Queue a message and return its id. Raises ValueError with a sentence for
        people if the text is empty or too long, or if the session's user is not known
        yet (a resumed session that has not reached the server): every message waiting
        in the outbox has an owner, so it is never sent as another account."""
        if self.phase == Phase.SIGNED_OUT or self.phase == Phase.SIGNING_IN:
            raise InvalidState(f"cannot send while {self.phase.value}")
        if self.user_id is None:
            raise ValueError(NOT_RESUMED)
        content = text.strip()
        if not content:
            raise ValueError("Type a message first.")
        if len(content) > self.config.max_length:
            raise ValueError(f"Messages can be at most {self.config.max_length:,} characters; "
                             f"this one has {len(content):,}.")
        entry = _Entry(id=self._new_id(), content=content)
        self._outbox.append(entry)
        self._outbox_dirty = True
        self._pump()
        return entry.id

    def retry(self, message_id: str, *, now: float) -> None:
        """Send a failed message again, after the others waiting."""
        entry = self._entry(message_id)
        if entry is None or entry.state != "failed":
            return
        self._outbox.remove(entry)
        entry.state, entry.error = "pending", None
        self._outbox.append(entry)
        self._outbox_dirty = True
        self._pump()

    def discard(self, message_id: str, *, now: float) -> None:
        """Drop a failed message from the outbox."""
        entry = self._entry(message_id)
        if entry is not None and entry.state == "failed":
            self._outbox.remove(entry)
            self._outbox_dirty = True

    def retry_now(self, *, now: float) -> None:
        """The user asked to reconnect now (after giving up, or while waiting)."""
        if self.phase in _DOWN:
            if self.phase == Phase.GAVE_UP:
                self._attempt = 0
                self._delays = backoff(random=self._random)
            self._connect(now)

    def network_changed(self, online: bool, *, now: float) -> None:
        """The browser's online/offline signal. Online again retries at once."""
        self._online = online
        if online and self.phase in _DOWN:
            self._connect(now)
        elif not online and self.phase == Phase.WAITING:
            self._cancel_timer("reconnect")
            self._stop_probing()
            self._set_phase(Phase.OFFLINE)

    # --- Inputs: the adapter ----------------------------------------------------------

    def http_response(self, request_id: int, status: int, body: Any, *, now: float) -> None:
        """A REST answer: ``body`` is the parsed JSON (or None)."""
        if request_id in self._revoke:
            self._revoke.discard(request_id)
            data = body.get("data") if isinstance(body, dict) else None
            refresh = data.get("refresh_token") if isinstance(data, dict) else None
            if status == 200 and isinstance(refresh, str):
                self._post("logout", "/auth/logout", {"refresh_token": refresh, "mode": "json"})
            return
        purpose = self._http.pop(request_id, None)
        if purpose == "login":
            self._on_login(status, body, now)
        elif purpose == "refresh":
            self._on_refresh(status, body, now)
        elif purpose == "probe":
            self._on_probe(200 <= status < 300, now)

    def http_failed(self, request_id: int, kind: str = "network", *, now: float) -> None:
        """A REST request got no answer. ``kind`` is "network" or "cors"."""
        self._revoke.discard(request_id)
        purpose = self._http.pop(request_id, None)
        url = self.config.directus_url
        text = (CORS_REFUSED if kind == "cors" else UNREACHABLE_SIGN_IN).format(url=url)
        if purpose == "login":
            self._end_session(text if self._online else OFFLINE_SIGN_IN)
        elif purpose == "refresh":
            self._refreshing = False
            if self.phase in (Phase.SIGNING_IN, Phase.CONNECTING):
                self._connection_lost(text, now)
            elif self.phase in _CONNECTED:
                self._retry_refresh(now)
        elif purpose == "probe":
            self._on_probe(False, now)

    def socket_opened(self, conn: int, *, now: float) -> None:
        if conn != self._conn or self.phase != Phase.CONNECTING:
            return
        self._last_rx = now
        self._set_phase(Phase.AUTHENTICATING)
        self._send_auth()

    def socket_message(self, conn: int, text: Any, *, now: float) -> None:
        """One text frame from socket ``conn``. Stale sockets and bad frames are ignored."""
        if conn != self._conn:
            return
        self._last_rx = now
        frame = protocol.parse(text)
        match frame:
            case protocol.Ping():
                self._send(protocol.encode_pong())
            case protocol.AuthOk():
                self._on_auth_ok(now)
            case protocol.AuthError():
                self._on_auth_error(frame, now)
            case protocol.SubscriptionEvent():
                self._on_subscription(frame, now)
            case protocol.ItemsReply():
                self._on_items(frame, now)
            case protocol.RequestError():
                self._on_request_error(frame, now)
            case protocol.Unparsable():
                log.warning("ignored a frame: %s", frame.reason)

    def socket_closed(self, conn: int, code: int = 1006, reason: str = "", *,
                      now: float) -> None:
        if conn != self._conn:
            return
        self._conn = None  # the adapter closed it already: send no CloseSocket
        log.info("socket closed (code %s)", code)
        self._connection_lost(UNREACHABLE.format(url=self.config.directus_url), now)

    def timer_fired(self, name: str, *, now: float) -> None:
        if name not in self._timers:
            return
        self._timers.discard(name)
        if name == "reconnect" and self.phase == Phase.WAITING:
            self._connect(now)
        elif name == "refresh" and self.phase in _ANY_SESSION:
            self._start_refresh()
        elif name == "watchdog" and self._conn is not None:
            self._watch(now)
        elif name == "busy":
            self._busy = False
            self._resend_held()
        elif name == "probe" and self._probing:
            if self.phase == Phase.WAITING:
                self._post("probe", "/server/ping", None, Method.GET, self.config.probe_timeout)
            else:  # an attempt is under way: probe again if it fails
                self._probe_later()

    # --- REST answers -----------------------------------------------------------------

    def _on_login(self, status: int, body: Any, now: float) -> None:
        if status == 200 and self._take_tokens(body, now):
            self._connect(now)
        elif status == 401:
            self._end_session(WRONG_PASSWORD)
        else:
            self._end_session(f"Sign-in failed: {_error_message(body, status)}")

    def _on_refresh(self, status: int, body: Any, now: float) -> None:
        self._refreshing = False
        if status != 200 or not self._take_tokens(body, now):
            if status in (400, 401, 403):
                self._end_session(SESSION_EXPIRED)
            elif self.phase in (Phase.SIGNING_IN, Phase.CONNECTING):
                self._connection_lost(UNREACHABLE.format(url=self.config.directus_url), now)
            elif self.phase in _CONNECTED:
                self._retry_refresh(now)
            return
        if self.phase == Phase.SIGNING_IN or (self.phase == Phase.CONNECTING
                                              and self._conn is None):
            self._connect(now)
        elif self._conn is not None and self.phase in _CONNECTED:
            # Same socket, new token: moves its expiry, and ends a TOKEN_EXPIRED pause.
            self._send_auth()

    def _take_tokens(self, body: Any, now: float) -> bool:
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            return False
        access, refresh, expires = (data.get(k) for k in ("access_token", "refresh_token",
                                                          "expires"))
        user_id = user_id_from_token(access) if isinstance(access, str) else None
        if user_id is None or not isinstance(refresh, str):
            return False
        lifetime = expires / 1000 if isinstance(expires, (int, float)) and expires > 0 else 900
        self._access, self._refresh = access, refresh
        self._access_expires_at = now + lifetime
        self._refresh_delays = backoff(random=self._random)
        self._events.append(SessionSaved(refresh_token=refresh))
        self._set_timer("refresh", lifetime * self.config.refresh_at)
        self._start_user(user_id)
        return True

    def _start_user(self, user_id: str) -> None:
        """Tokens were taken: they say whose session this is, whatever the phase."""
        if self._outbox_owner not in (None, user_id):
            # Another account signed in: the previous one's unsent messages are not theirs.
            self._outbox.clear()
            self._outbox_dirty = True
            self.timeline.clear()
            self._reset = True
        self.user_id = self._outbox_owner = user_id

    def _retry_refresh(self, now: float) -> None:
        """The socket may still be fine: try the refresh again after the next delay of
        its own backoff, sooner while the token is valid (never sooner than a second)."""
        delay = next(self._refresh_delays)
        left = self._token_left(now)
        if left > 0:
            delay = min(delay, max(1.0, left / 2))
        self._set_timer("refresh", delay)

    def _start_refresh(self) -> None:
        if self._refreshing or not self._refresh:
            return
        self._refreshing = True
        self._post("refresh", "/auth/refresh", {"refresh_token": self._refresh, "mode": "json"})

    # --- Connection -------------------------------------------------------------------

    def _connect(self, now: float) -> None:
        self._cancel_timer("reconnect")
        self._set_phase(Phase.CONNECTING)
        if self._token_left(now) < 5.0:
            self._start_refresh()  # its answer calls _connect again
            return
        self._conn_count += 1
        self._conn = self._conn_count
        self._opened_at = self._last_rx = now
        self._actions.append(OpenSocket(self._conn, self.config.socket_url))
        self._set_timer("watchdog", self._watch_interval)

    @property
    def _watch_interval(self) -> float:
        return min(self.config.connect_timeout, self.config.heartbeat_period) / 3

    def _watch(self, now: float) -> None:
        if self.phase != Phase.LIVE:
            if now - self._opened_at > self.config.connect_timeout:
                log.info("socket did not open and sync in time")
                return self._connection_lost(UNREACHABLE.format(url=self.config.directus_url),
                                             now)
        elif now - self._last_rx > 2 * self.config.heartbeat_period:
            log.info("socket silent for %.0f s: treating it as dead", now - self._last_rx)
            return self._connection_lost(UNREACHABLE.format(url=self.config.directus_url), now)
        elif self._request_timed_out(now):
            request, self._in_flight = self._in_flight, None
            log.warning("no answer to a %s request", request.kind)
            entry = self._entry(request.message_id or "")
            if request.kind != "create" or entry is None:
                return self._connection_lost(UNREACHABLE.format(url=self.config.directus_url),
                                             now)
            # Retrying is safe: the id makes a second create fail RECORD_NOT_UNIQUE,
            # and a late reply or create event still confirms it.
            entry.state, entry.error = "failed", NO_ANSWER
            self._outbox_dirty = True
            self._pump()
        self._set_timer("watchdog", self._watch_interval)

    def _request_timed_out(self, now: float) -> bool:
        """Has the request in flight waited too long? Directus 11 answers some refused
        creates (FAILED_VALIDATION) with nothing at all, which would hold the outbox
        forever. The wait counts from the first watchdog tick that saw the request."""
        request = self._in_flight
        if request is None or self._paused or self._busy:
            return False
        if request.noticed_at is None:
            request.noticed_at = now
        return now - request.noticed_at > self.config.request_timeout

    def _connection_lost(self, reason: str, now: float) -> None:
        """Drop the socket (if any) and schedule the next attempt."""
        self._drop_socket(code=4000, reason="reconnecting")
        if self._live_since is not None:
            # It reached the server: count attempts towards giving up afresh. The delays
            # restart only after a connection held, so a flapping server is not hammered.
            self._attempt = 0
            if now - self._live_since >= self.config.stable_after:
                self._delays = backoff(random=self._random)
        self._live_since = None
        self._attempt += 1
        if self._attempt > self.config.max_attempts:
            self._set_phase(Phase.GAVE_UP,
                            reason=GAVE_UP.format(n=self.config.max_attempts) + " " + reason)
        elif not self._online:
            self._set_phase(Phase.OFFLINE, reason=reason)
        else:
            delay = next(self._delays)
            self._set_phase(Phase.WAITING, retry_in=delay, reason=reason)
            self._set_timer("reconnect", delay)
            self._start_probing()
            return
        self._stop_probing()

    # --- Probing while waiting ------------------------------------------------------
    #
    # While waiting, GET /server/ping (no auth, cheap) every probe_interval, jittered.
    # A probe that works after one that failed means the server is back: connect now,
    # whatever the backoff says. A probe that works with none failed means the server
    # was up all along and the socket failed for another reason: the backoff decides.

    def _start_probing(self) -> None:
        if not self._probing:
            self._probing = True
            self._probe_later()

    def _stop_probing(self) -> None:
        self._probing = self._saw_down = False
        self._cancel_timer("probe")

    def _probe_later(self) -> None:
        self._set_timer("probe", self.config.probe_interval * (0.5 + self._random()))

    def _on_probe(self, up: bool, now: float) -> None:
        if not self._probing:
            return
        if not up:
            self._saw_down = True
        if self.phase == Phase.WAITING and up:
            back = self._saw_down
            self._stop_probing()
            if back:
                log.info("the server answers again: reconnecting now")
                self._connect(now)
        elif self.phase in (Phase.WAITING, Phase.CONNECTING, *_CONNECTED):
            self._probe_later()
        else:
            self._stop_probing()

    def _drop_socket(self, *, code: int, reason: str) -> None:
        if self._conn is not None:
            self._actions.append(CloseSocket(self._conn, code, reason))
            self._conn = None
        self._cancel_timer("watchdog")
        self._cancel_timer("busy")
        self._sub_uid = None
        self._synced = self._paused = self._missed = self._busy = False
        self._in_flight = None
        self._reads.clear()
        self._verify.clear()
        for entry in self._outbox:
            if entry.state == "sending":
                entry.state = "pending"
                self._outbox_dirty = True

    def _end_session(self, reason: str | None) -> None:
        """Signed out: by the user (reason None) or because the session cannot go on."""
        self._drop_socket(code=1000, reason="signed out")
        for name in list(self._timers):
            self._cancel_timer(name)
        if self._refresh is not None or reason is None:
            self._events.append(SessionSaved(refresh_token=None))
        self._reset_session()
        self.user_id = None
        self._set_phase(Phase.SIGNED_OUT, reason=reason)

    def _token_left(self, now: float) -> float:
        return self._access_expires_at - now if self._access else 0.0

    # --- Frames -----------------------------------------------------------------------

    def _send_auth(self) -> None:
        self._send(protocol.encode_auth(self._access or "", self._next_uid("auth")))

    def _on_auth_ok(self, now: float) -> None:
        self._handshake_retried = False
        if self.phase == Phase.AUTHENTICATING:
            self._set_phase(Phase.SYNCING)
            self._sub_uid = self._next_uid("live")
            self._send(protocol.encode_subscribe(self._sub_uid, limit=self.config.history_limit))
        elif self._paused:
            self._paused = False
            if self._missed:
                self._missed = False
                self._queue_read("sync")
            self._pump()

    def _on_auth_error(self, frame: protocol.AuthError, now: float) -> None:
        log.info("auth error %s", frame.code)
        if frame.code == "TOKEN_EXPIRED" and self.phase in (Phase.SYNCING, Phase.LIVE):
            self._paused = True
            self._start_refresh()
        elif self.phase == Phase.AUTHENTICATING and frame.code in ("AUTH_FAILED",
                                                                   "TOKEN_EXPIRED"):
            if self._handshake_retried:
                self._end_session(SESSION_EXPIRED)
                return
            self._handshake_retried = True
            self._drop_socket(code=4001, reason="auth failed")
            self._set_phase(Phase.CONNECTING)
            self._access = None
            self._start_refresh()
        else:
            self._connection_lost(UNREACHABLE.format(url=self.config.directus_url), now)

    def _on_subscription(self, frame: protocol.SubscriptionEvent, now: float) -> None:
        if frame.uid != self._sub_uid or self._sub_uid is None:
            log.info("ignored an event of an unknown subscription")
            return
        if frame.event == "init":
            self._apply_window(frame.data)
            self._synced = True
            # Directus reads the init page before it registers the subscription: a
            # message created in between is in neither. One read of everything newer
            # than the page (with the overlap) closes that window, before the outbox
            # goes; the timeline is live once it is answered. (A larger gap, queued
            # already, covers the window too.)
            self._queue_read("gap", since=self._read_since())
            self._pump()
        elif frame.event in ("create", "update"):
            page = self._parse_page(frame.data if isinstance(frame.data, list) else [frame.data])
            for message in page:
                self._upsert_message(message)
            if page:  # events come in the server's order: nothing before them is missing
                self.timeline.mark_complete(max(m.created for m in page))
        elif frame.event == "delete":
            for message_id in frame.data if isinstance(frame.data, list) else [frame.data]:
                if isinstance(message_id, str) and self.timeline.remove(message_id):
                    self._changed[message_id] = None

    def _on_items(self, frame: protocol.ItemsReply, now: float) -> None:
        request = self._in_flight
        if isinstance(frame.data, dict):
            self._upsert(frame.data)  # a create's stored row, whatever its uid
        if request is None or frame.uid != request.uid:
            return
        self._in_flight = None
        if request.kind == "create":
            if self._entry(request.message_id or "") is not None:
                # The reply did not carry the stored row: read it back, as after
                # RECORD_NOT_UNIQUE, rather than leave it "sending" and send the next.
                self._verify.append(request.message_id or "")
        else:
            items = frame.data if isinstance(frame.data, list) else []
            if request.kind == "verify":
                for item in items:
                    self._upsert(item)
                entry = self._entry(request.message_id or "")
                if entry is not None:  # not stored after all: send it again
                    entry.state = "pending"
                    self._outbox_dirty = True
            elif request.kind == "sync":
                self._apply_window(items)
            else:
                self._apply_gap(items)
            self._caught_up(now)
        self._pump()

    def _on_request_error(self, frame: protocol.RequestError, now: float) -> None:
        if frame.code == "REQUESTS_EXCEEDED":
            log.info("rate limited by the server")
            self._events.append(Notice(text=SERVER_BUSY))
            self._busy = True
            self._set_timer("busy", self.config.busy_wait)
            return
        if frame.type in ("subscribe", "subscription"):
            if self._paused:
                self._missed = True  # an event was refused while the token was expired
            elif not self._synced and frame.code == "FORBIDDEN":
                self._end_session(NO_ACCESS)
            return
        request = self._in_flight
        # Directus 11 sends items errors without uid: it is the one request in flight.
        # An error of any other type without a uid is about something else.
        if request is None or frame.uid not in (None, request.uid):
            return
        if frame.uid is None and frame.type != "items":
            log.info("ignored a %s error without uid: %s", frame.type[:40], frame.code[:40])
            return
        self._in_flight = None
        entry = self._entry(request.message_id or "")
        if request.kind in ("sync", "gap"):
            log.warning("a %s read failed: %s", request.kind, frame.code)
            self._caught_up(now)
        elif entry is not None and request.kind == "create" and frame.code == "RECORD_NOT_UNIQUE":
            self._verify.append(entry.id)  # stored already? read it back to be sure
        elif entry is not None:
            # A refused create, or a failed read-back (stored or not is unknown): the
            # user may retry, and the id keeps a retry from storing it twice.
            entry.state = "failed"
            entry.error = f"Not sent: {frame.message or frame.code}"
            self._outbox_dirty = True
        self._pump()

    def _caught_up(self, now: float) -> None:
        """A read after the subscription's init was answered: live once none is left."""
        if self.phase == Phase.SYNCING and not self._reads:
            self._live_since = now
            self._stop_probing()
            self._set_phase(Phase.LIVE)

    def _resend_held(self) -> None:
        """After REQUESTS_EXCEEDED: send again whatever may have been refused."""
        if self._conn is None:
            return
        if self._sub_uid and not self._synced:
            # The same uid replaces the first subscription, if it was made after all.
            self._send(protocol.encode_subscribe(self._sub_uid, limit=self.config.history_limit))
        if self._in_flight is not None:
            # Fresh uid: a late answer to the old one is matched by the row's id only.
            self._in_flight.uid = self._next_uid(self._in_flight.kind)
            self._in_flight.noticed_at = None
            self._in_flight.frame = self._frame_for(self._in_flight)
            self._send(self._in_flight.frame)
        self._pump()

    # --- Items: the one request in flight ---------------------------------------------

    def _queue_read(self, kind: str, since: float | None = None) -> None:
        if all(r.kind != kind for r in self._reads):
            self._reads.append(_Request(uid="", kind=kind, frame="", since=since))

    def _pump(self) -> None:
        """Send the next items request if the socket may take one."""
        if (self._in_flight is not None or not self._synced or self._paused or self._busy
                or self._conn is None):
            return
        request: _Request | None = None
        if self._verify:
            message_id = self._verify.pop(0)
            request = _Request(uid=self._next_uid("verify"), kind="verify", frame="",
                               message_id=message_id)
        elif self._reads:
            request = self._reads.pop(0)
            request.uid = self._next_uid(request.kind)
        else:
            entry = next((e for e in self._outbox if e.state == "pending"), None)
            if entry is not None:
                entry.state = "sending"
                self._outbox_dirty = True
                request = _Request(uid=self._next_uid("create"), kind="create", frame="",
                                   message_id=entry.id)
        if request is not None:
            request.frame = self._frame_for(request)
            self._in_flight = request
            self._send(request.frame)

    def _frame_for(self, request: _Request) -> str:
        if request.kind == "create":
            entry = self._entry(request.message_id or "")
            return protocol.encode_create(request.uid, request.message_id or "",
                                          entry.content if entry else "")
        if request.kind == "verify":
            return protocol.encode_read(request.uid, limit=1, ids=(request.message_id or "",))
        if request.kind == "gap":
            return protocol.encode_read(request.uid, limit=self.config.gap_limit,
                                        since=request.since)
        return protocol.encode_read(request.uid, limit=self.config.history_limit)

    # --- Merging ----------------------------------------------------------------------

    def _apply_window(self, data: Any) -> None:
        """Merge the newest page of messages (the subscription's first page, or a resync).

        Known messages inside the page's time span that the page lacks were
        deleted while we were away. If the page is full and does not reach back
        to where the timeline is complete, more were created than it holds: read
        the gap.
        """
        items = data if isinstance(data, list) else []
        page = self._parse_page(items)
        complete = self.timeline.complete_until
        full = len(items) >= self.config.history_limit
        if full and not page:
            return
        seen = {m.id for m in page}
        oldest = min(m.sort_key for m in page) if full else (0.0, "")
        for message_id in self.timeline.ids_from(oldest):
            if message_id not in seen and self.timeline.remove(message_id):
                self._changed[message_id] = None
        for message in page:
            self._upsert_message(message)
        if full and complete is not None and complete < oldest[0]:
            self._queue_read("gap", since=self._read_since())
        elif page:
            self.timeline.mark_complete(max(m.created for m in page))

    def _read_since(self) -> float | None:
        """Where a gap read starts: a little before the timeline is complete until."""
        complete = self.timeline.complete_until
        return None if complete is None else complete - self.config.gap_overlap

    def _apply_gap(self, data: Any) -> None:
        """Merge the messages created since a little before where the timeline was complete."""
        items = data if isinstance(data, list) else []
        page = self._parse_page(items)
        if len(items) >= self.config.gap_limit and page:
            # Even the gap read was full: drop what is older, rather than show a hole.
            log.info("too many messages missed: showing the newest ones only")
            oldest = min(m.sort_key for m in page)
            for message in self.timeline.messages():
                if message.sort_key < oldest:
                    self.timeline.remove(message.id)
            self._reset = True
        for message in page:
            self._upsert_message(message)
        if page:  # it read everything since where the timeline was complete
            self.timeline.mark_complete(max(m.created for m in page))

    def _parse_page(self, items: list[Any]) -> list[Message]:
        page = [protocol.parse_message(item) for item in items]
        if None in page:
            log.warning("ignored %d malformed messages", page.count(None))
        return [m for m in page if m is not None]

    def _upsert(self, item: Any) -> None:
        message = protocol.parse_message(item)
        if message is None:
            log.warning("ignored a malformed message")
            return
        self._upsert_message(message)

    def _upsert_message(self, message: Message) -> None:
        if self.timeline.upsert(message):
            self._changed[message.id] = message
        entry = self._entry(message.id)
        if entry is not None:  # our own message is stored: it leaves the outbox
            self._outbox.remove(entry)
            self._outbox_dirty = True
            if message.id in self._verify:
                self._verify.remove(message.id)

    # --- Helpers ----------------------------------------------------------------------

    def _entry(self, message_id: str) -> _Entry | None:
        return next((e for e in self._outbox if e.id == message_id), None)

    def _send(self, text: str) -> None:
        if self._conn is not None:
            self._actions.append(SendFrame(self._conn, text))

    def _post(self, purpose: str, path: str, body: dict[str, Any] | None,
              method: Method = Method.POST, timeout: float | None = None) -> None:
        self._requests += 1
        self._http[self._requests] = purpose
        self._actions.append(HttpRequest(self._requests, path, body, method,
                                         timeout or self.config.http_timeout))

    def _next_uid(self, kind: str) -> str:
        self._uids += 1
        return f"{kind}-{self._uids}"

    def _set_timer(self, name: str, delay: float) -> None:
        self._timers.add(name)
        self._actions.append(SetTimer(name, max(0.0, delay)))

    def _cancel_timer(self, name: str) -> None:
        if name in self._timers:
            self._timers.discard(name)
            self._actions.append(CancelTimer(name))

    def _require(self, phase: Phase, what: str) -> None:
        if self.phase != phase:
            raise InvalidState(f"cannot {what} while {self.phase.value}")

    def _set_phase(self, phase: Phase, *, retry_in: float | None = None,
                   reason: str | None = None) -> None:
        if phase != self.phase and phase not in TRANSITIONS[self.phase]:
            raise InvalidState(f"no transition from {self.phase.value} to {phase.value}")
        self.phase = phase
        self._flush()
        self._events.append(PhaseChanged(phase=phase, attempt=self._attempt, retry_in=retry_in,
                                         reason=reason, user_id=self.user_id))

    def _flush(self) -> None:
        """Turn the changes collected since the last flush into events."""
        if self._changed or self._reset:
            if self._reset:
                upserted = tuple(self.timeline.messages())
                removed: tuple[str, ...] = ()
            else:
                upserted = tuple(m for m in self._changed.values() if m is not None)
                removed = tuple(k for k, m in self._changed.items() if m is None)
            self._events.append(TimelineChanged(upserted=upserted, removed=removed,
                                                reset=self._reset))
            self._changed = {}
            self._reset = False
        if self._outbox_dirty:
            self._outbox_dirty = False
            self._events.append(OutboxChanged(entries=self.outbox))


def _error_message(body: Any, status: int) -> str:
    """The first error message of a Directus error body, for people."""
    try:
        return str(body["errors"][0]["message"])
    except (TypeError, KeyError, IndexError):
        return f"the server answered {status}."

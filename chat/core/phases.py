"""Where the client is, and every way it moves: the phases, what may happen in each
(triggers), and THE transition table, read top to bottom.

The client changes phase only by firing a trigger, which looks the table up: a pair in
``TRANSITIONS`` moves, a pair in ``IGNORED`` is a stale or repeated input that changes
nothing, and any other pair is a bug (``InvalidState``). Smaller states that are not
phases (a paused token, a refresh in flight, the rate limit) are the enums at the end.
"""

from __future__ import annotations

from enum import Enum


class Phase(Enum):
    SIGNED_OUT = "signed-out"
    SIGNING_IN = "signing-in"  # REST login, or resuming a saved session
    CONNECTING = "connecting"  # refreshing the token if needed, opening the socket
    AUTHENTICATING = "authenticating"  # socket open, auth frame sent
    SYNCING = "syncing"  # authenticated, reading the newest page and what it missed
    LIVE = "live"
    WAITING = "waiting"  # disconnected, the next attempt is scheduled
    OFFLINE = "offline"  # the browser says there is no network: wait for it
    GAVE_UP = "gave-up"  # too many attempts: wait for a manual retry


class Trigger(Enum):
    """What happened. The values complete "cannot ... while <phase>"."""

    SIGN_IN = "sign in"  # the user signed in with a password
    RESUME = "resume a session"  # a saved refresh token is used instead
    TOKENS_OK = "connect with new tokens"  # the tokens the connection waited for came
    SOCKET_OPEN = "authenticate a new socket"
    AUTH_OK = "subscribe"  # the handshake's auth was accepted
    AUTH_RETRY = "retry a refused handshake"  # refused once: refresh and reconnect
    SYNCED = "go live"  # the reads after the subscription's first page are answered
    LOST = "wait to reconnect"  # the connection failed or was lost
    LOST_OFFLINE = "wait for the network"  # ... while the browser says it is offline
    GIVE_UP = "give up"  # ... for the max_attempts-th time in a row
    RECONNECT_DUE = "reconnect when due"  # the backoff's delay is over
    SERVER_BACK = "reconnect to a server back"  # a probe answered after one failed
    RETRY_NOW = "retry now"  # the user asked (or came back to the tab)
    ONLINE = "reconnect when online"  # the browser is online again
    OFFLINE = "wait offline"  # the browser went offline
    SIGN_OUT = "sign out"  # the user signed out
    SESSION_ENDED = "end the session"  # refused, expired, or no access to the chat


class InvalidState(Exception):
    """An input that makes no sense in the current phase (a bug in the caller)."""


CONNECTED = frozenset({Phase.AUTHENTICATING, Phase.SYNCING, Phase.LIVE})
DOWN = frozenset({Phase.WAITING, Phase.OFFLINE, Phase.GAVE_UP})
# Past the sign-in form: the chat is shown, messages may be typed.
SIGNED_IN = frozenset({Phase.CONNECTING, *CONNECTED, *DOWN})

P, T = Phase, Trigger

TRANSITIONS: dict[tuple[Phase, Trigger], Phase] = {
    (P.SIGNED_OUT, T.SIGN_IN): P.SIGNING_IN,
    (P.SIGNED_OUT, T.RESUME): P.SIGNING_IN,
    (P.SIGNED_OUT, T.SIGN_OUT): P.SIGNED_OUT,  # nothing to end, but the token is forgotten

    (P.SIGNING_IN, T.TOKENS_OK): P.CONNECTING,
    (P.SIGNING_IN, T.LOST): P.WAITING,  # a resume's refresh got no answer
    (P.SIGNING_IN, T.LOST_OFFLINE): P.OFFLINE,

    (P.CONNECTING, T.TOKENS_OK): P.CONNECTING,  # refreshed before opening: open now
    (P.CONNECTING, T.SOCKET_OPEN): P.AUTHENTICATING,
    (P.CONNECTING, T.LOST): P.WAITING,
    (P.CONNECTING, T.LOST_OFFLINE): P.OFFLINE,
    (P.CONNECTING, T.GIVE_UP): P.GAVE_UP,

    (P.AUTHENTICATING, T.AUTH_OK): P.SYNCING,
    (P.AUTHENTICATING, T.AUTH_RETRY): P.CONNECTING,
    (P.AUTHENTICATING, T.LOST): P.WAITING,
    (P.AUTHENTICATING, T.LOST_OFFLINE): P.OFFLINE,
    (P.AUTHENTICATING, T.GIVE_UP): P.GAVE_UP,

    (P.SYNCING, T.SYNCED): P.LIVE,
    (P.SYNCING, T.LOST): P.WAITING,
    (P.SYNCING, T.LOST_OFFLINE): P.OFFLINE,
    (P.SYNCING, T.GIVE_UP): P.GAVE_UP,

    # Live counts as reached: a loss starts the count of attempts again (never GIVE_UP).
    (P.LIVE, T.LOST): P.WAITING,
    (P.LIVE, T.LOST_OFFLINE): P.OFFLINE,

    (P.WAITING, T.RECONNECT_DUE): P.CONNECTING,
    (P.WAITING, T.SERVER_BACK): P.CONNECTING,
    (P.WAITING, T.RETRY_NOW): P.CONNECTING,
    (P.WAITING, T.ONLINE): P.CONNECTING,
    (P.WAITING, T.OFFLINE): P.OFFLINE,

    (P.OFFLINE, T.RETRY_NOW): P.CONNECTING,
    (P.OFFLINE, T.ONLINE): P.CONNECTING,

    (P.GAVE_UP, T.RETRY_NOW): P.CONNECTING,  # with a fresh count of attempts
    (P.GAVE_UP, T.ONLINE): P.CONNECTING,
}
# From every phase of a session: the user signs out, or the server ends the session.
for _phase in Phase:
    if _phase is not P.SIGNED_OUT:
        TRANSITIONS[_phase, T.SIGN_OUT] = P.SIGNED_OUT
        TRANSITIONS[_phase, T.SESSION_ENDED] = P.SIGNED_OUT

_BEFORE_DOWN = frozenset(Phase) - DOWN
IGNORED: frozenset[tuple[Phase, Trigger]] = frozenset({
    # Asked to reconnect while not down: it is connecting already, or signed out.
    *((phase, T.RETRY_NOW) for phase in _BEFORE_DOWN),
    *((phase, T.ONLINE) for phase in _BEFORE_DOWN),
    # Offline matters only while waiting: elsewhere it is noted for the next loss.
    *((phase, T.OFFLINE) for phase in frozenset(Phase) - {P.WAITING}),
    # Tokens that come while down: kept for the next attempt.
    *((phase, T.TOKENS_OK) for phase in DOWN),
    # The same socket opened twice; auth ok again after a refresh; a read answered live.
    *((phase, T.SOCKET_OPEN) for phase in CONNECTED),
    (P.CONNECTING, T.AUTH_OK), (P.SYNCING, T.AUTH_OK), (P.LIVE, T.AUTH_OK),
    (P.LIVE, T.SYNCED),
})
assert not IGNORED & TRANSITIONS.keys()


def next_phase(phase: Phase, trigger: Trigger) -> Phase | None:
    """Where ``trigger`` leads from ``phase``; None if it changes nothing there."""
    if (phase, trigger) in TRANSITIONS:
        return TRANSITIONS[phase, trigger]
    if (phase, trigger) in IGNORED:
        return None
    raise InvalidState(f"cannot {trigger.value} while {phase.value}")


# --- Smaller states -------------------------------------------------------------------


class TokenState(Enum):
    """The socket's access token, between ``TOKEN_EXPIRED`` and the next auth ok."""

    VALID = "valid"
    EXPIRED = "expired"  # send nothing but auth until it is valid again
    EXPIRED_MISSED = "expired, missed events"  # the server refused events meanwhile


class Refresh(Enum):
    IDLE = "idle"
    IN_FLIGHT = "in flight"  # one at a time: a refresh token is used once


class RateLimit(Enum):
    OPEN = "open"
    HELD = "held"  # REQUESTS_EXCEEDED: nothing is sent until the BUSY timer


class Subscription(Enum):
    NONE = "none"
    SUBSCRIBING = "subscribing"  # sent, its first page (init) not in yet
    SUBSCRIBED = "subscribed"


class Handshake(Enum):
    FIRST = "first"
    RETRIED = "retried"  # auth was refused once since the last auth ok: a second ends it


class Probe(Enum):
    """The reachability probe while waiting to reconnect."""

    OFF = "off"
    ON = "on"  # scheduled or in flight
    SAW_DOWN = "saw the server down"  # one failed: the next that works means it is back

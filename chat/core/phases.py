"""The client's phases and the changes allowed between them."""

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


class InvalidState(Exception):
    """An input that makes no sense in the current phase (a bug in the caller)."""


CONNECTED = frozenset({Phase.AUTHENTICATING, Phase.SYNCING, Phase.LIVE})
DOWN = frozenset({Phase.WAITING, Phase.OFFLINE, Phase.GAVE_UP})
# Past the sign-in form: the chat is shown, messages may be typed.
SIGNED_IN = frozenset({Phase.CONNECTING, *CONNECTED, *DOWN})

# Every allowed phase change, read top to bottom. SIGNED_OUT is reachable from
# every phase (sign out, session ended) and is added below.
TRANSITIONS: dict[Phase, set[Phase]] = {
    Phase.SIGNED_OUT: {Phase.SIGNING_IN},
    Phase.SIGNING_IN: {Phase.CONNECTING, *DOWN},
    Phase.CONNECTING: {Phase.AUTHENTICATING, *DOWN},
    Phase.AUTHENTICATING: {Phase.SYNCING, Phase.CONNECTING, *DOWN},
    Phase.SYNCING: {Phase.LIVE, *DOWN},
    Phase.LIVE: {Phase.CONNECTING, *DOWN},
    Phase.WAITING: {Phase.CONNECTING, Phase.OFFLINE},
    Phase.OFFLINE: {Phase.CONNECTING},
    Phase.GAVE_UP: {Phase.CONNECTING, Phase.OFFLINE},
}
for _targets in TRANSITIONS.values():
    _targets.add(Phase.SIGNED_OUT)

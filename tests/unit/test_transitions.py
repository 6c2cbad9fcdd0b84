"""Every edge of the transition table (chat/core/phases.py), walked through the client's
public inputs: each (phase, trigger) of TRANSITIONS moves to its phase with one
PhaseChanged, each of IGNORED changes nothing. A new edge without a way below to reach
its phase and cause its trigger fails here."""

from __future__ import annotations

import json

import pytest

from chat import core as c
from chat.core import IGNORED, TRANSITIONS
from chat.core import Phase as P
from chat.core import Trigger as T
from chat.core.phases import next_phase

from .driver import Driver

REFUSED = {"errors": [{"message": "Invalid user credentials."}]}


def phases(d: Driver) -> list[P]:
    return [e.phase for e in d.events if isinstance(e, c.PhaseChanged)]


def newest(d: Driver, *paths: str) -> c.HttpRequest:
    return [a for a in d.history if isinstance(a, c.HttpRequest) and a.path in paths][-1]


# --- Reaching each phase --------------------------------------------------------------


def live(d: Driver, refresh_pending: bool) -> None:
    d.sign_in_and_connect()
    if refresh_pending:
        d.advance(720)  # the refresh falls due; it is left unanswered


def waiting(d: Driver, refresh_pending: bool) -> None:
    live(d, refresh_pending)
    d.drop()


def connecting(d: Driver, refresh_pending: bool) -> None:
    waiting(d, refresh_pending)
    d.next_socket()  # after one failed attempt, so that the next may be the last


def authenticating(d: Driver, refresh_pending: bool) -> None:
    connecting(d, refresh_pending)
    d.socket_opened(d.conn)


def syncing(d: Driver, refresh_pending: bool) -> None:
    """Subscribed, the first page in, the read after it in flight."""
    authenticating(d, refresh_pending)
    d.frame({"type": "auth", "status": "ok"})
    subscribe = d.frames()[-1]
    d.frame({"type": "subscription", "event": "init", "uid": subscribe["uid"], "data": []})


def offline(d: Driver, refresh_pending: bool) -> None:
    live(d, refresh_pending)
    d.network_changed(False)
    d.drop()


def gave_up(d: Driver, refresh_pending: bool) -> None:
    waiting(d, refresh_pending)
    while d.phase is not P.GAVE_UP:
        d.fail_attempt()


REACH = {
    P.SIGNED_OUT: lambda d, refresh_pending: None,
    P.SIGNING_IN: lambda d, refresh_pending: d.resume("saved-refresh"),  # refresh pending
    P.CONNECTING: connecting,
    P.AUTHENTICATING: authenticating,
    P.SYNCING: syncing,
    P.LIVE: live,
    P.WAITING: waiting,
    P.OFFLINE: offline,
    P.GAVE_UP: gave_up,
}


def waiting_for_tokens(d: Driver) -> None:
    """Connecting, but first refreshing a token about to expire: no socket yet."""
    d.sign_in("alice@example.com", "pw")
    d.answer_http(200, d.tokens_body(expires_ms=4000))


def probe_failed_once(d: Driver) -> None:
    """Waiting, a probe failed, and the next one is in flight."""
    waiting(d, refresh_pending=False)
    failed = False
    while True:
        for action in d.take(c.OpenSocket):
            d.socket_closed(action.conn)
        probes = [r for r in d.take(c.HttpRequest) if r.path == "/server/ping"]
        if probes and failed and d.phase is P.WAITING:
            return
        if probes:
            d.http_failed(probes[-1].id)
            failed = True
        d.advance(0.1)


def resync_in_flight(d: Driver) -> None:
    """Live, reading the newest page again after events were missed while expired."""
    live(d, refresh_pending=False)
    d.frame({"type": "auth", "status": "error", "error": {"code": "TOKEN_EXPIRED"}})
    d.frame({"type": "subscription", "status": "error", "error": {"code": "FORBIDDEN"}})
    d.answer_http(200, d.tokens_body(), newest(d, "/auth/refresh"))
    d.frame({"type": "auth", "status": "ok"})


SPECIAL = {
    (P.CONNECTING, T.TOKENS_OK): waiting_for_tokens,
    (P.WAITING, T.SERVER_BACK): probe_failed_once,
    (P.LIVE, T.SYNCED): resync_in_flight,
}


def reach(phase: P, trigger: T) -> Driver:
    """A client in ``phase``, ready for ``trigger``: one more failed attempt gives up
    if the trigger is GIVE_UP, and a refresh is in flight if it answers one."""
    d = Driver(max_attempts=1 if trigger is T.GIVE_UP else 5)
    if (phase, trigger) in SPECIAL:
        SPECIAL[phase, trigger](d)
    else:
        REACH[phase](d, refresh_pending=trigger in (T.TOKENS_OK, T.SESSION_ENDED))
    assert d.phase is phase
    d.events.clear()
    return d


# --- Causing each trigger ---------------------------------------------------------------


def lose(d: Driver) -> None:
    """The socket closes; without one, the refresh in flight gets no answer."""
    if d.conn is not None:
        d.socket_closed(d.conn)
    else:
        d.http_failed(newest(d, "/auth/refresh").id)


def answer_read(d: Driver) -> None:
    reads = [json.loads(a.text) for a in d.history if isinstance(a, c.SendFrame)]
    read = [f for f in reads if f["type"] == "items" and f["action"] == "read"][-1]
    d.frame({"type": "items", "uid": read["uid"], "data": []})


CAUSE = {
    T.SIGN_IN: lambda d: d.sign_in("alice@example.com", "pw"),
    T.RESUME: lambda d: d.resume("saved-refresh"),
    T.TOKENS_OK: lambda d: d.answer_http(200, d.tokens_body(),
                                         newest(d, "/auth/login", "/auth/refresh")),
    T.SOCKET_OPEN: lambda d: d.socket_opened(d.conn),
    T.AUTH_OK: lambda d: d.frame({"type": "auth", "status": "ok"}),
    T.AUTH_RETRY: lambda d: d.frame({"type": "auth", "status": "error",
                                     "error": {"code": "AUTH_FAILED"}}),
    T.SYNCED: answer_read,
    T.LOST: lose,
    T.LOST_OFFLINE: lambda d: (d.network_changed(False), lose(d)),
    T.GIVE_UP: lose,
    T.RECONNECT_DUE: lambda d: d.advance(d.timers[c.Timer.RECONNECT] - d.now),
    T.SERVER_BACK: lambda d: d.http_response(newest(d, "/server/ping").id, 200, None),
    T.RETRY_NOW: lambda d: d.retry_now(),
    T.ONLINE: lambda d: d.network_changed(True),
    T.OFFLINE: lambda d: d.network_changed(False),
    T.SIGN_OUT: lambda d: d.sign_out(),
    T.SESSION_ENDED: lambda d: d.answer_http(401, REFUSED,
                                             newest(d, "/auth/login", "/auth/refresh")),
}


def edge_id(edge: tuple[P, T]) -> str:
    return f"{edge[0].name}-{edge[1].name}"


@pytest.mark.parametrize("edge", list(TRANSITIONS), ids=edge_id)
def test_every_edge_of_the_table_is_taken_by_its_trigger(edge):
    phase, trigger = edge
    d = reach(phase, trigger)
    CAUSE[trigger](d)
    assert phases(d) == [TRANSITIONS[edge]]
    assert d.phase is TRANSITIONS[edge]


@pytest.mark.parametrize("edge", sorted(IGNORED, key=edge_id), ids=edge_id)
def test_an_ignored_trigger_changes_nothing(edge):
    phase, trigger = edge
    d = reach(phase, trigger)
    CAUSE[trigger](d)
    assert phases(d) == [] and d.phase is phase


def test_every_trigger_leads_somewhere_and_anything_else_is_invalid():
    assert {trigger for _, trigger in TRANSITIONS} == set(T)
    for phase in P:
        for trigger in T:
            if (phase, trigger) not in TRANSITIONS.keys() | IGNORED:
                with pytest.raises(c.InvalidState, match=f"cannot {trigger.value} while"):
                    next_phase(phase, trigger)

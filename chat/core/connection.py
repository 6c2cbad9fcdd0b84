"""One socket at a time: opening it, the state of its auth, the watchdog (open and synced
in time, never silent for two heartbeats), the reconnect backoff and giving up, online
and offline, and the probe that says when the server is back.

While waiting to reconnect, ``GET /server/ping`` (no auth, cheap) goes out every
``probe_interval``, jittered. A probe that works after one that failed means the server
is back: connect now, whatever the backoff says. A probe that works with none failed
means the server was up all along and the socket failed for another reason: the backoff
decides.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from chat.core.actions import CloseSocket, Method, OpenSocket, SendFrame, Timer
from chat.core.backoff import backoff
from chat.core.config import Config
from chat.core.output import Output, Purpose
from chat.core.phases import CONNECTED, Handshake, Phase, Probe, TokenState, Trigger

log = logging.getLogger("chat")


class Connection:
    def __init__(self, config: Config, out: Output, random: Callable[[], float]) -> None:
        self._config = config
        self._out = out
        self._random = random
        self._count = 0  # never restarts, so that no socket number is ever reused
        self.reset()

    def reset(self) -> None:
        """No session: no socket, and the next one starts the count of attempts."""
        self.conn: int | None = None
        self.online = True
        self.attempt = 0  # failed attempts in a row
        self.handshake = Handshake.FIRST
        self.token = TokenState.VALID
        self.probe = Probe.OFF
        self._delays = backoff(random=self._random)
        self._opened_at = self._last_rx = 0.0
        self._live_since: float | None = None

    # --- The socket ---------------------------------------------------------------------

    def open(self, now: float) -> None:
        self._count += 1
        self.conn = self._count
        self._opened_at = self._last_rx = now
        self._out.act(OpenSocket(conn=self.conn, url=self._config.socket_url))
        self.watch_later()

    def is_current(self, conn: int | None) -> bool:
        """Is ``conn`` the socket open now? (Inputs of an older one are stale.)"""
        return conn is not None and conn == self.conn

    def heard(self, now: float) -> None:
        self._last_rx = now

    @property
    def ready(self) -> bool:
        """May requests go out? A socket, and a token the server accepts."""
        return self.conn is not None and self.token is TokenState.VALID

    # The token, between TOKEN_EXPIRED and the next auth ok (on this socket).

    @property
    def paused(self) -> bool:
        return self.token is not TokenState.VALID

    def token_expired(self) -> None:
        if self.token is TokenState.VALID:
            self.token = TokenState.EXPIRED

    def events_refused(self) -> bool:
        """The subscription's events were refused: True if the token was expired (they
        are read again once it is renewed)."""
        if self.token is TokenState.VALID:
            return False
        self.token = TokenState.EXPIRED_MISSED
        return True

    def token_renewed(self) -> bool:
        """Auth ok again: the pause is over. True if events were missed meanwhile."""
        missed = self.token is TokenState.EXPIRED_MISSED
        self.token = TokenState.VALID
        return missed

    def send(self, text: str) -> None:
        if self.conn is not None:
            self._out.act(SendFrame(conn=self.conn, text=text))

    def close(self, *, code: int, reason: str) -> None:
        """Let go of the socket (closing it, if the adapter has not already)."""
        if self.conn is not None:
            self._out.act(CloseSocket(conn=self.conn, code=code, reason=reason))
            self.conn = None
        self._out.cancel_timer(Timer.WATCHDOG)
        self.token = TokenState.VALID

    def closed(self) -> None:
        """The adapter saw the socket close: there is nothing to close any more."""
        self.conn = None

    # --- Attempts -------------------------------------------------------------------------

    def went_live(self, now: float) -> None:
        self._live_since = now
        self.stop_probing()

    def lost(self, now: float) -> tuple[Trigger, float | None]:
        """The socket is gone (or never came): count the attempt and schedule the next.
        Returns what happened (LOST, LOST_OFFLINE or GIVE_UP) and, for LOST, the
        seconds until the next attempt."""
        if self._live_since is not None:
            # It reached the server: count attempts towards giving up afresh. The delays
            # restart only after a connection held, so a flapping server is not hammered.
            self.attempt = 0
            if now - self._live_since >= self._config.stable_after:
                self._delays = backoff(random=self._random)
        self._live_since = None
        self.attempt += 1
        if self.attempt > self._config.max_attempts:
            self.stop_probing()
            return Trigger.GIVE_UP, None
        if not self.online:
            self.stop_probing()
            return Trigger.LOST_OFFLINE, None
        delay = next(self._delays)
        self._out.set_timer(Timer.RECONNECT, delay)
        self._start_probing()
        return Trigger.LOST, delay

    def restart_count(self) -> None:
        """The user asked to try again after giving up: a fresh count of attempts."""
        self.attempt = 0
        self._delays = backoff(random=self._random)

    # --- The watchdog ---------------------------------------------------------------------

    def watch_later(self) -> None:
        config = self._config
        self._out.set_timer(Timer.WATCHDOG,
                            min(config.connect_timeout, config.heartbeat_period) / 3)

    def healthy(self, now: float, *, live: bool) -> bool:
        """Not live: has it opened and synced within the connect timeout? Live: has
        anything come within two heartbeats?"""
        if not live:
            if now - self._opened_at > self._config.connect_timeout:
                log.info("socket did not open and sync in time")
                return False
        elif now - self._last_rx > 2 * self._config.heartbeat_period:
            log.info("socket silent for %.0f s: treating it as dead", now - self._last_rx)
            return False
        return True

    # --- Probing while waiting ------------------------------------------------------------

    def _start_probing(self) -> None:
        if self.probe is Probe.OFF:
            self.probe = Probe.ON
            self._probe_later()

    def stop_probing(self) -> None:
        self.probe = Probe.OFF
        self._out.cancel_timer(Timer.PROBE)

    def _probe_later(self) -> None:
        self._out.set_timer(Timer.PROBE, self._config.probe_interval * (0.5 + self._random()))

    def probe_due(self, phase: Phase) -> None:
        if phase is Phase.WAITING:
            self._out.request(Purpose.PROBE, "/server/ping", None, method=Method.GET,
                              timeout=self._config.probe_timeout)
        else:  # an attempt is under way: probe again if it fails
            self._probe_later()

    def probe_answered(self, up: bool, phase: Phase) -> bool:
        """A probe's outcome. True if the server is back: reconnect now."""
        if self.probe is Probe.OFF:
            return False
        if not up:
            self.probe = Probe.SAW_DOWN
        if phase is Phase.WAITING and up:
            back = self.probe is Probe.SAW_DOWN
            self.stop_probing()
            if back:
                log.info("the server answers again: reconnecting now")
            return back
        if phase in (Phase.WAITING, Phase.CONNECTING, *CONNECTED):
            self._probe_later()
        else:
            self.stop_probing()
        return False

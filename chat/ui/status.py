"""The connection's status in the header (with the countdown to the next attempt and
"Retry now"), the problem under it, and notices that pass."""

from __future__ import annotations

import math
import time

from chat.core import DOWN, Phase, PhaseChanged
from chat.ui.dom import listen

NOTICE_FOR = 6  # seconds a notice stays up


class Status:
    def __init__(self, by_id, app, loop) -> None:
        self._loop = loop
        self._status, self._dot = by_id("status"), by_id("status-dot")
        self._countdown, self._retry_now = by_id("countdown"), by_id("retry-now")
        self._problem, self._notice = by_id("problem"), by_id("notice")
        self._retry_at: float | None = None
        self._countdown_handle = None
        self._notice_handle = None
        self._listeners = listen([(self._retry_now, "click", lambda event: app.retry_now())])

    def show(self, event: PhaseChanged) -> None:
        """A phase of the session: connecting, live or down (and why)."""
        phase = event.phase
        if phase == Phase.LIVE:
            self._set("Connected", "ok")
        elif phase == Phase.WAITING:
            self._set(f"Reconnecting — attempt {event.attempt}", "warn")
        elif phase == Phase.OFFLINE:
            self._set("You're offline: messages will be sent when you're back", "warn")
        elif phase == Phase.GAVE_UP:
            self._set("Not connected", "bad")
        elif event.attempt:
            self._set(f"Reconnecting — attempt {event.attempt}…", "busy")
        else:
            self._set("Connecting…", "busy")
        self._retry_now.hidden = phase not in DOWN
        if event.reason:
            self._problem.textContent = event.reason
            self._problem.hidden = False
        elif phase == Phase.LIVE:
            self._problem.hidden = True
        if phase == Phase.WAITING and event.retry_in is not None:
            self._retry_at = time.monotonic() + event.retry_in
            self._count_down()
        else:
            self._stop_countdown()

    def signed_out(self) -> None:
        self._stop_countdown()
        self._set("Signed out", "off")

    def notice(self, text: str) -> None:
        self._notice.textContent = text
        self._notice.hidden = False
        if self._notice_handle is not None:
            self._notice_handle.cancel()
        self._notice_handle = self._loop.call_later(NOTICE_FOR, self._hide_notice)

    def _set(self, text: str, tone: str) -> None:
        # Only real changes: the region is announced to screen readers.
        if self._status.textContent != text:
            self._status.textContent = text
        self._dot.className = f"dot {tone}"

    def _count_down(self) -> None:
        self._stop_countdown()
        left = math.ceil(self._retry_at - time.monotonic())
        self._countdown.textContent = f"next try in {left} s" if left > 0 else "trying now…"
        if left > 0:
            self._countdown_handle = self._loop.call_later(1, self._count_down)

    def _stop_countdown(self) -> None:
        if self._countdown_handle is not None:
            self._countdown_handle.cancel()
            self._countdown_handle = None
        self._countdown.textContent = ""

    def _hide_notice(self) -> None:
        self._notice.hidden = True
        self._notice_handle = None

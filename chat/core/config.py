"""The client's settings: the Directus URL and the limits and timings it works to."""

from __future__ import annotations

from dataclasses import dataclass


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

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")

    @property
    def socket_url(self) -> str:
        base = self.directus_url.rstrip("/")
        scheme, sep, rest = base.partition("://")
        return ("wss" if scheme == "https" else "ws") + sep + rest + "/websocket"

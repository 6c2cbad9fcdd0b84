"""Chaos scenarios: headless chat clients keep chatting while the server or the
network fails, then an audit proves that every message arrived exactly once.

The tests in tests/chaos run short versions; the long ones are this command,
which starts its own Directus (bootstrapped into a temporary folder)::

    python -m stress.chaos storm --clients 10 --duration 180 --faults 10
    python -m stress.chaos storm --clients 50 --duration 90 --faults 2 --outage 30 --interval 10
    python -m stress.chaos cut --clients 10 --duration 180 --faults 12
    python -m stress.chaos expiry --clients 10 --duration 180
    python -m stress.chaos ratelimit --clients 10 --burst 30

Each prints one line of figures (clients, messages, faults, lost, duplicated,
recovery time) and exits non-zero if anything was lost, doubled or misordered.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from chat.core import Phase
from server.local import DirectusServer, SetupError, bootstrap, ensure_directus, free_port
from stress.crowd import Audit, Crowd, fetch_stored, percentile
from stress.proxy import FaultyProxy

# Short server timings that make the slow rules testable in seconds.
HEARTBEAT = 2.0  # WEBSOCKETS_HEARTBEAT_PERIOD for the network cut
CUT_ENV = {"WEBSOCKETS_HEARTBEAT_PERIOD": str(int(HEARTBEAT))}
EXPIRY_ENV = {"ACCESS_TOKEN_TTL": "10s"}
# 3 requests per second per socket (and per address for REST: logins are spaced out).
RATE_ENV = {"RATE_LIMITER_ENABLED": "true", "RATE_LIMITER_POINTS": "3",
            "RATE_LIMITER_DURATION": "1"}


class Server(Protocol):
    """What a scenario needs of a Directus: the tests' fixture or `scratch_directus`."""

    url: str
    admin_token: str

    def stop(self) -> None: ...
    def start(self) -> None: ...


@dataclass
class Figures:
    scenario: str
    audit: Audit
    faults: int
    duration: float  # seconds of chat
    recoveries: list[float] = field(default_factory=list)  # seconds until all live again
    settle: float = 0.0  # seconds from the end of chat until everything was delivered
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.audit.ok

    def line(self) -> str:
        recovery = (f"recovery max {max(self.recoveries):.1f} s, "
                    f"mean {sum(self.recoveries) / len(self.recoveries):.1f} s"
                    if self.recoveries else "recovery n/a")
        extra = "".join(f", {k} {v}" for k, v in self.notes.items())
        during = f"in {self.duration:.0f} s" if self.duration else "typed at once"
        return (f"{self.scenario}: {self.audit.clients} clients, {self.audit.sent} messages "
                f"{during}, {self.faults} faults, lost {self.audit.lost}, "
                f"duplicated {self.audit.duplicated}, missed {self.audit.missed}, "
                f"misordered {self.audit.misordered}, {recovery}, "
                f"settled {self.settle:.1f} s after the end{extra}")


async def chatter(crowd: Crowd, duration: float, interval: float, rng: random.Random) -> None:
    """Every client types a message every ``interval`` seconds on average (random
    gaps), online or not, for ``duration`` seconds."""
    end = time.monotonic() + duration

    async def one(i: int) -> None:
        while True:
            await asyncio.sleep(rng.expovariate(1 / interval))
            if time.monotonic() >= end:
                return
            crowd.send(i)

    await asyncio.gather(*(one(i) for i in range(len(crowd.clients))))


async def wait_until(predicate: Callable[[], bool], timeout: float) -> float | None:
    """Seconds until ``predicate()`` held, or None after ``timeout``."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            return None
        await asyncio.sleep(0.05)
    return time.monotonic() - started


async def finish(name: str, crowd: Crowd, server: Server, *, faults: int, duration: float,
                 recoveries: list[float], settle_timeout: float = 120,
                 **notes: Any) -> Figures:
    settle = await crowd.settle(settle_timeout)
    stored = await asyncio.to_thread(fetch_stored, server.url, server.admin_token, crowd.marker)
    return Figures(name, crowd.audit(stored), faults, duration, recoveries, settle, notes)


def requests_made(crowd: Crowd) -> Counter[str]:
    """Every socket and REST request the crowd has asked for so far, by kind."""
    return sum((c.requests for c in crowd.clients), Counter())


async def restart_storm(server: Server, *, clients: int, duration: float, restarts: int,
                        interval: float = 3.0, outage: float | None = None,
                        seed: int | None = None) -> Figures:
    """Directus is stopped and started ``restarts`` times at random moments while the
    clients chat, each time down for ``outage`` seconds (random 0.5-3 s if None) plus
    its start-up. Recovery: from Directus answering again until every client is live;
    ``back`` notes the spread of each client's own time to live again, ``during`` the
    requests the clients made per second while it was down."""
    rng = random.Random(seed)
    crowd = Crowd(server.url, clients)
    await crowd.sign_in()
    moments = sorted(rng.uniform(0.05, 0.8) * duration for _ in range(restarts))
    recoveries: list[float] = []
    back: list[float] = []  # per client and restart: seconds from the return to live
    down = 0.0  # seconds Directus was not answering, in all
    during: Counter[str] = Counter()  # requests made while it was not answering
    started = time.monotonic()

    async def storm() -> None:
        nonlocal down
        for moment in moments:
            await asyncio.sleep(max(0.0, started + moment - time.monotonic()))
            await asyncio.to_thread(server.stop)
            stopped, before = time.monotonic(), requests_made(crowd)
            await asyncio.sleep(rng.uniform(0.5, 3.0) if outage is None else outage)
            await asyncio.to_thread(server.start)
            answering = time.monotonic()
            down += answering - stopped
            during.update(requests_made(crowd) - before)
            # The next restart waits for this recovery; an overdue one follows at once.
            taken = await wait_until(crowd.all_live, 120)
            if taken is None:
                raise TimeoutError("clients did not come back within 120 s of a restart")
            recoveries.append(taken)
            back.extend(min(t for t in c.live_at if t > stopped) - answering
                        for c in crowd.clients)

    try:
        await asyncio.gather(chatter(crowd, duration, interval, rng), storm())
        rates = ", ".join(f"{kind} {n / down:.1f}/s" for kind, n in sorted(during.items()))
        return await finish("restart storm", crowd, server, faults=restarts,
                            duration=duration, recoveries=recoveries,
                            back=spread(back), down=f"{down:.0f} s in all",
                            during=f"{sum(during.values()) / down:.1f} requests/s ({rates})",
                            reconnects=sum(c.sockets_opened - 1 for c in crowd.clients),
                            gave_up=sum(Phase.GAVE_UP in c.phases for c in crowd.clients))
    finally:
        await crowd.close()


def spread(values: list[float]) -> str:
    """min / median / p95 / max of a list of seconds."""
    if not values:
        return "n/a"
    return (f"min {min(values):.1f} / median {percentile(values, 0.5):.1f} / "
            f"p95 {percentile(values, 0.95):.1f} / max {max(values):.1f} s")


async def network_cut(server: Server, *, clients: int, duration: float, cuts: int,
                      interval: float = 2.0, seed: int | None = None) -> Figures:
    """Clients reach Directus through a proxy that alternately black-holes (then
    resumes after an outage longer than the heartbeat rule's limit) and resets
    every connection. The server must run with WEBSOCKETS_HEARTBEAT_PERIOD=2.
    Recovery: from the network healing until every client is live again."""
    rng = random.Random(seed)
    proxy = FaultyProxy(int(server.url.rsplit(":", 1)[1]))
    await proxy.start()
    crowd = Crowd(proxy.url, clients, heartbeat_period=HEARTBEAT)
    await crowd.sign_in()
    recoveries: list[float] = []
    detections: list[float] = []
    started = time.monotonic()
    moments = sorted(rng.uniform(0.05, 0.75) * duration for _ in range(cuts))

    async def cutter() -> None:
        for n, moment in enumerate(moments):
            await asyncio.sleep(max(0.0, started + moment - time.monotonic()))
            black_hole = n % 2 == 0
            proxy.black_hole() if black_hole else proxy.reset()
            cut = time.monotonic()
            # After a black hole nothing closes: only the heartbeat rule (two periods
            # of silence) notices. A reset is seen at once.
            detected = await wait_until(
                lambda: all(c.phase != Phase.LIVE for c in crowd.clients), 30)
            if detected is None:
                raise TimeoutError("a network cut went unnoticed for 30 s")
            if black_hole:
                detections.append(detected)
                await asyncio.sleep(rng.uniform(0.5, 3.0))
                proxy.resume()
            healed = cut if not black_hole else time.monotonic()
            if await wait_until(crowd.all_live, 90) is None:
                raise TimeoutError("clients did not come back within 90 s of a cut")
            recoveries.append(time.monotonic() - healed)

    try:
        await asyncio.gather(chatter(crowd, duration, interval, rng), cutter())
        return await finish(
            "network cut", crowd, server, faults=cuts, duration=duration,
            recoveries=recoveries,
            detection=f"max {max(detections):.1f} s" if detections else "n/a",
            reconnects=sum(c.sockets_opened - 1 for c in crowd.clients))
    finally:
        await crowd.close()
        await proxy.close()


async def token_expiry(server: Server, *, clients: int, duration: float,
                       interval: float = 2.0, seed: int | None = None) -> Figures:
    """Chat across many access-token lifetimes (the server runs with a short
    ACCESS_TOKEN_TTL). Notes how many sockets were reopened: it must be none."""
    rng = random.Random(seed)
    crowd = Crowd(server.url, clients)
    await crowd.sign_in()
    try:
        await chatter(crowd, duration, interval, rng)
        return await finish("token expiry", crowd, server, faults=0, duration=duration,
                            recoveries=[],
                            reconnects=sum(c.sockets_opened - 1 for c in crowd.clients))
    finally:
        await crowd.close()


async def rate_limited(server: Server, *, clients: int, burst: int) -> Figures:
    """Every client types ``burst`` messages at once against a server with a low
    RATE_LIMITER_POINTS. Notes how often the server said REQUESTS_EXCEEDED."""
    crowd = Crowd(server.url, clients)
    # Logins count against the per-address REST limit too: space them out.
    await crowd.sign_in(stagger=0.5)
    try:
        for _ in range(burst):
            for i in range(clients):
                crowd.send(i)
        figures = await finish("rate limit", crowd, server, faults=0, duration=0,
                               recoveries=[], settle_timeout=60 + burst * 2)
        figures.notes["refusals"] = sum(len(c.notices) for c in crowd.clients)
        figures.notes["reconnects"] = sum(c.sockets_opened - 1 for c in crowd.clients)
        return figures
    finally:
        await crowd.close()


# --- The command ------------------------------------------------------------------------


def scratch_directus(workdir: Path, **extra_env: str):
    """A new Directus on SQLite with the chat setup, in ``workdir``; started."""
    ensure_directus()
    db_file = workdir / "directus.db"
    admin_token = bootstrap(db_file)
    server = DirectusServer(db_file, free_port(), "http://127.0.0.1", extra_env)
    server.admin_token = admin_token
    server.start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", choices=["storm", "cut", "expiry", "ratelimit"])
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--duration", type=float, default=180, help="seconds of chat")
    parser.add_argument("--faults", type=int, default=10, help="restarts or network cuts")
    parser.add_argument("--outage", type=float, default=None,
                        help="seconds Directus stays stopped (storm; default random 0.5-3)")
    parser.add_argument("--interval", type=float, default=None,
                        help="mean seconds between one client's messages")
    parser.add_argument("--burst", type=int, default=30, help="messages per client (ratelimit)")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    env = {"cut": CUT_ENV, "expiry": EXPIRY_ENV, "ratelimit": RATE_ENV}.get(args.scenario, {})
    with tempfile.TemporaryDirectory(prefix="chaos-") as workdir:
        try:
            server = scratch_directus(Path(workdir), **env)
        except SetupError as error:
            sys.exit(str(error))
        try:
            pace = {} if args.interval is None else {"interval": args.interval}
            if args.scenario == "storm":
                run = restart_storm(server, clients=args.clients, duration=args.duration,
                                    restarts=args.faults, outage=args.outage,
                                    seed=args.seed, **pace)
            elif args.scenario == "cut":
                run = network_cut(server, clients=args.clients, duration=args.duration,
                                  cuts=args.faults, seed=args.seed, **pace)
            elif args.scenario == "expiry":
                run = token_expiry(server, clients=args.clients, duration=args.duration,
                                   seed=args.seed, **pace)
            else:
                run = rate_limited(server, clients=args.clients, burst=args.burst)
            figures = asyncio.run(run)
        finally:
            server.stop()
    print(figures.line())
    for problem in figures.audit.problems[:20]:
        print("  " + problem)
    if figures.notes.get("refusals") == 0:
        sys.exit("The rate limit never bit: this run proves nothing.")
    sys.exit(0 if figures.ok else 1)


if __name__ == "__main__":
    main()

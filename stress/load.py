"""Load test: N chat clients each send at a fixed rate against one Directus (or a
cluster), then every message is checked to have reached every client exactly once.

    python -m stress.load                                  # 50 clients, 0.2 msg/s each, 60 s
    python -m stress.load --clients 200 --rate 0.05
    python -m stress.load --rates 0.1,0.2,0.4,0.8          # a sweep, up to the first saturated step
    python -m stress.load --db postgres --instances 2      # PostgreSQL + Redis cluster
    python -m stress.load --url http://127.0.0.1:8055 --admin-token TOKEN   # a running one

Without --url it starts its own Directus in a temporary folder (SQLite, or PostgreSQL
and Redis from Debian's packages). All clients run in this one asyncio process, so the
report also gives this process's CPU use: near 100% means the tool, not Directus, was
the limit. A step counts as saturated when p95 latency exceeds 1 s or the backlog
takes more than 5 s to drain after sending stops. Exit status 1 if any message was
lost, doubled, missed or misordered.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from server.local import SetupError
from stress.crowd import Audit, Crowd, fetch_stored, percentile

SATURATED_P95 = 1.0  # seconds
SATURATED_DRAIN = 5.0  # seconds


@dataclass
class Step:
    clients: int
    rate: float  # messages per second per client
    duration: float
    audit: Audit
    latencies: list[float]
    drain: float  # seconds from the last send until everything was delivered
    server_cpu: float | None  # share of one core used by the Directus process(es)
    tool_cpu: float  # share of one core used by this process

    @property
    def offered(self) -> float:
        return self.clients * self.rate

    @property
    def throughput(self) -> float:
        return self.audit.stored / (self.duration + self.drain)

    @property
    def saturated(self) -> bool:
        return percentile(self.latencies, 0.95) > SATURATED_P95 or self.drain > SATURATED_DRAIN

    def line(self) -> str:
        ms = [percentile(self.latencies, q) * 1000 for q in (0.5, 0.95, 0.99)]
        cpu = f"{self.server_cpu:.0%}" if self.server_cpu is not None else "n/a"
        return (f"{self.clients:4d} clients x {self.rate:g} msg/s = {self.offered:6.1f} offered"
                f" | {self.throughput:6.1f} msg/s stored, "
                f"{self.throughput * (self.clients - 1):7.0f} deliveries/s"
                f" | latency p50 {ms[0]:5.0f} p95 {ms[1]:5.0f} p99 {ms[2]:5.0f} ms"
                f" | drain {self.drain:4.1f} s | cpu directus {cpu}, tool {self.tool_cpu:.0%}"
                f" | {self.audit.sent} sent, lost {self.audit.lost}, duplicated "
                f"{self.audit.duplicated}, missed {self.audit.missed}, misordered "
                f"{self.audit.misordered}" + (" | SATURATED" if self.saturated else ""))


def cpu_seconds(pids: list[int]) -> float | None:
    """User + system CPU seconds of the given processes so far (Linux /proc)."""
    total = 0
    try:
        for pid in pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    except (OSError, IndexError, ValueError):
        return None
    return total / os.sysconf("SC_CLK_TCK")


def tool_seconds() -> float:
    times = os.times()
    return times.user + times.system


async def run_step(urls: list[str], admin_token: str, *, clients: int, rate: float,
                   duration: float, server_pids: list[int]) -> Step:
    """Sign ``clients`` in, send ``rate`` messages per second from each for ``duration``
    seconds (evenly spread), wait for delivery and audit."""
    crowd = Crowd(urls, clients)
    try:
        await crowd.sign_in(stagger=0.05)
        period = 1 / rate
        cpu_before, tool_before = cpu_seconds(server_pids), tool_seconds()
        start = time.monotonic()
        end = start + duration

        async def sender(i: int) -> None:
            next_at = start + i / clients * period  # spread clients over one period
            while next_at < end:
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))
                crowd.send(i)
                next_at += period

        await asyncio.gather(*(sender(i) for i in range(clients)))
        drain = await crowd.settle(timeout=120 + duration)
        elapsed = time.monotonic() - start
        cpu_after = cpu_seconds(server_pids)
        server_cpu = (cpu_after - cpu_before) / elapsed \
            if cpu_before is not None and cpu_after is not None else None
        tool_cpu = (tool_seconds() - tool_before) / elapsed
        stored = await asyncio.to_thread(fetch_stored, urls[0], admin_token, crowd.marker)
        return Step(clients, rate, duration, crowd.audit(stored), crowd.latencies(), drain,
                    server_cpu, tool_cpu)
    finally:
        await crowd.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    parser.add_argument("--clients", type=int, default=50, help="1 to 200 (default 50)")
    parser.add_argument("--rate", type=float, default=0.2,
                        help="messages per second per client (default 0.2)")
    parser.add_argument("--rates", help="comma-separated per-client rates to sweep")
    parser.add_argument("--duration", type=float, default=60, help="seconds of sending")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--instances", type=int, default=1,
                        help="Directus instances (more than 1 needs --db postgres)")
    parser.add_argument("--url", help="use this running Directus instead of starting one")
    parser.add_argument("--admin-token", help="its static admin token (with --url)")
    args = parser.parse_args()
    if not 1 <= args.clients <= 200:
        parser.error("--clients must be between 1 and 200")
    if args.instances > 1 and args.db != "postgres":
        parser.error("several instances share one database: add --db postgres")
    if args.url and not args.admin_token:
        parser.error("--url needs --admin-token (to read back what was stored)")
    rates = [float(r) for r in args.rates.split(",")] if args.rates else [args.rate]

    with tempfile.TemporaryDirectory(prefix="load-") as workdir:
        try:
            stop, urls, token, pids = start_servers(args, Path(workdir))
        except SetupError as error:
            sys.exit(str(error))
        try:
            print(f"Directus: {', '.join(urls)} ({args.db})", flush=True)
            ok = True
            for rate in rates:
                step = asyncio.run(run_step(urls, token, clients=args.clients, rate=rate,
                                            duration=args.duration, server_pids=pids))
                print(step.line(), flush=True)
                for problem in step.audit.problems[:10]:
                    print("    " + problem)
                ok = ok and step.audit.ok
                if step.saturated and rate != rates[-1]:
                    # Beyond this the backlog only grows: the next steps would measure
                    # how long a queue drains, not the server.
                    print("Saturated: the sweep stops here.")
                    break
        finally:
            stop()
    sys.exit(0 if ok else 1)


def start_servers(args: argparse.Namespace, workdir: Path):
    """(stop, urls, admin token, process ids) for the Directus the run talks to."""
    if args.url:
        return (lambda: None), [args.url.rstrip("/")], args.admin_token, []
    if args.db == "postgres":
        from server.cluster import Cluster

        cluster = Cluster(workdir, instances=args.instances)
        cluster.start()
        return (cluster.stop, cluster.urls, cluster.admin_token,
                [s.process.pid for s in cluster.servers if s.process])
    from stress.chaos import scratch_directus

    server = scratch_directus(workdir)
    return server.stop, [server.url], server.admin_token, [server.process.pid]


if __name__ == "__main__":
    main()

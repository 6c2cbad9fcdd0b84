"""What the conversation features cost the server: N socket clients subscribed as a client
of docs/SCHEMA.md is (messages and reactions, one subscription each), one phase per load,
and for each phase the writes and deliveries per minute and Directus' CPU.

    python -m stress.features                        # 50 clients, 60 messages a minute
    python -m stress.features --clients 50 --messages-per-minute 120 --duration 60
    python -m stress.features --url http://127.0.0.1:8055 --admin-token TOKEN

After --warm-up seconds of messages (Node compiles its hot paths meanwhile), the four
phases run --rounds times in turn, each --duration seconds at --messages-per-minute
(sent by clients picked at random, the same each run):
  messages        messages only (the baseline)
  + reactions     every tenth message (--share) gets a follow-up 2 s later, in turn a
                  reaction by another client and an edit by the author
  + positions     messages, and every client writes its read position every
                  --position-every seconds, without a subscription to read_positions
  + subscribed    the same with every client subscribed to read_positions

Directus re-reads each event once per subscription on its collection, whoever receives
it: "re-reads" counts those (subscriptions on the collection x events), "deliveries" the
frames the clients got. The clients are raw sockets (no chat core), all in this process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from websockets.asyncio.client import ClientConnection, connect

from chat.core.protocol import MESSAGE_FIELDS
from server.local import SetupError
from server.provision.reactions import EMOJI
from stress.load import cpu_seconds, tool_seconds

SUBSCRIPTIONS = {
    "messages": [*MESSAGE_FIELDS, "reply_to", "mentions"],
    "reactions": ["id", "message", "emoji", "user_created.id", "user_created.first_name"],
}


def admin_call(url: str, token: str, method: str, path: str, body=None):
    request = urllib.request.Request(
        url + path, method=method, data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)["data"]


def ensure_users(url: str, admin_token: str, count: int) -> list[tuple[str, str]]:
    """`count` chat users of their own (load-0@example.com, ...): a read position or a
    reaction is per user. Returns their (email, password)."""
    role = admin_call(url, admin_token, "GET", "/roles?filter[name][_eq]=Chat%20User")[0]["id"]
    have = {u["email"] for u in admin_call(
        url, admin_token, "GET", "/users?limit=-1&fields=email&filter[email][_starts_with]=load-")}
    users = [(f"load-{i}@example.com", f"load-pw-{i}") for i in range(count)]
    for i, (email, password) in enumerate(users):
        if email not in have:
            admin_call(url, admin_token, "POST", "/users", {
                "email": email, "password": password, "first_name": f"User {i}",
                "role": role, "status": "active"})
    return users


def login(url: str, email: str, password: str) -> str:
    request = urllib.request.Request(
        f"{url}/auth/login", method="POST", headers={"Content-Type": "application/json"},
        data=json.dumps({"email": email, "password": password}).encode())
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)["data"]["access_token"]


@dataclass
class Client:
    """One socket: its subscriptions' events counted, one request at a time."""

    ws: ClientConnection
    user: str
    received: Counter = field(default_factory=Counter)  # (collection, event) -> frames
    task: asyncio.Task | None = None
    _reply: asyncio.Future | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @classmethod
    async def open(cls, url: str, email: str, password: str) -> Client:
        token = await asyncio.to_thread(login, url, email, password)
        ws = await connect(url.replace("http", "ws", 1) + "/websocket", ping_interval=None,
                           max_size=None)
        await ws.send(json.dumps({"type": "auth", "access_token": token}))
        assert json.loads(await ws.recv())["status"] == "ok"
        client = cls(ws, email)
        client.task = asyncio.create_task(client._receive())
        for collection, fields in SUBSCRIPTIONS.items():
            await client.subscribe(collection, fields)
        return client

    async def subscribe(self, collection: str, fields: list[str]) -> None:
        await self.ws.send(json.dumps({"type": "subscribe", "collection": collection,
                                       "uid": collection, "query": {"fields": fields}}))

    async def _receive(self) -> None:
        async for raw in self.ws:
            frame = json.loads(raw)
            if frame["type"] == "ping":
                await self.ws.send(json.dumps({"type": "pong"}))
            elif frame["type"] == "subscription" and frame.get("event") != "init":
                self.received[(frame["uid"], frame["event"])] += 1
            elif frame["type"] == "items" and self._reply and not self._reply.done():
                self._reply.set_result(frame)

    async def request(self, collection: str, action: str, **rest) -> dict:
        async with self._lock:
            self._reply = asyncio.get_running_loop().create_future()
            await self.ws.send(json.dumps({"type": "items", "collection": collection,
                                           "action": action, **rest}))
            reply = await asyncio.wait_for(self._reply, 60)
        if reply.get("status") == "error":
            raise RuntimeError(f"{collection} {action}: {reply['error']}")
        return reply["data"]


@dataclass
class Result:
    name: str
    seconds: float
    writes: Counter
    received: Counter
    subscribers: dict[str, int]
    server_cpu: float | None
    tool_cpu: float

    def per_minute(self, count: float) -> float:
        return count * 60 / self.seconds

    def rereads(self) -> int:
        return sum(n * self.subscribers.get(self._collection(kind), 0)
                   for kind, n in self.writes.items())

    @staticmethod
    def _collection(kind: str) -> str:
        return {"message": "messages", "edit": "messages", "reaction": "reactions",
                "position": "read_positions"}[kind]

    def line(self) -> str:
        writes = ", ".join(f"{self.per_minute(n):.0f} {kind}s" for kind, n in
                           sorted(self.writes.items()))
        received = sum(self.received.values())
        cpu = f"{self.server_cpu:.0%}" if self.server_cpu is not None else "n/a"
        return (f"{self.name:14s} | writes/min {self.per_minute(sum(self.writes.values())):5.0f}"
                f" ({writes}) | re-reads/min {self.per_minute(self.rereads()):6.0f}"
                f" | deliveries/min {self.per_minute(received):6.0f} | cpu directus {cpu},"
                f" tool {self.tool_cpu:.0%}")


PHASES = (("messages", False), ("+ reactions", False), ("+ positions", True),
          ("+ subscribed", True))


async def run_phase(name: str, clients: list[Client], args, pids: list[int],
                    positions: bool, duration: float | None = None) -> Result:
    rng = random.Random(name)  # the same run each time
    writes: Counter = Counter()
    for client in clients:
        client.received.clear()
    period = 60 / args.messages_per_minute
    every = round(1 / args.share)  # every tenth message gets a follow-up, by default
    follow_ups: list[asyncio.Task] = []

    async def follow_up(author: Client, message_id, index: int) -> None:
        await asyncio.sleep(2)
        if index % 2 == 0:
            other = rng.choice([c for c in clients if c.user != author.user])
            try:
                await other.request("reactions", "create",
                                    data={"message": message_id, "emoji": rng.choice(EMOJI)})
                writes["reaction"] += 1
            except RuntimeError as error:  # the same user, message and emoji twice
                if "RECORD_NOT_UNIQUE" not in str(error):
                    raise
        else:
            await author.request("messages", "update", id=message_id,
                                 data={"content": f"edited {index}"})
            writes["edit"] += 1

    async def sender() -> None:
        count, next_at = 0, time.monotonic()
        while next_at < end:
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            author = rng.choice(clients)
            data = await author.request("messages", "create", data={"content": f"m {count}"})
            writes["message"] += 1
            if name == "+ reactions" and count % every == 0:
                follow_ups.append(asyncio.create_task(
                    follow_up(author, data["id"], len(follow_ups))))
            count += 1
            next_at += period

    async def reader(client: Client, row_id, offset: float) -> None:
        await asyncio.sleep(offset)
        while time.monotonic() < end:
            await client.request("read_positions", "update", id=row_id,
                                 data={"last_read_date": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                       time.gmtime())})
            writes["position"] += 1
            await asyncio.sleep(min(args.position_every, max(0.0, end - time.monotonic())))

    rows = {}
    if positions:
        for client in clients:
            mine = await client.request("read_positions", "read", query={"fields": ["id"]})
            rows[client.user] = mine[0]["id"] if mine else (await client.request(
                "read_positions", "create", data={}))["id"]
    cpu_before, tool_before = cpu_seconds(pids), tool_seconds()
    start = time.monotonic()
    duration = duration or args.duration
    end = start + duration
    tasks = [sender()]
    if positions:
        tasks += [reader(c, rows[c.user], i * args.position_every / len(clients))
                  for i, c in enumerate(clients)]
    await asyncio.gather(*tasks)
    await asyncio.gather(*follow_ups)
    await asyncio.sleep(3)  # the last events arrive
    elapsed = time.monotonic() - start
    cpu_after = cpu_seconds(pids)
    server_cpu = ((cpu_after - cpu_before) / elapsed
                  if cpu_before is not None and cpu_after is not None else None)
    received: Counter = Counter()
    for client in clients:
        received.update(client.received)
    subscribers = {c: len(clients) for c in SUBSCRIPTIONS}
    if name == "+ subscribed":
        subscribers["read_positions"] = len(clients)
    return Result(name, duration, writes, received, subscribers, server_cpu,
                  (tool_seconds() - tool_before) / elapsed)


async def measure(url: str, admin_token: str, args, pids: list[int]) -> list[Result]:
    users = await asyncio.to_thread(ensure_users, url, admin_token, args.clients)
    clients = []
    for email, password in users:  # one at a time: each login is an argon2 hash
        clients.append(await Client.open(url, email, password))
    await asyncio.sleep(2)  # the subscriptions' init frames
    results = []
    try:
        # Node compiles the hot paths during the first minute: warm up, unreported.
        await run_phase("messages", clients, args, pids, False, duration=args.warm_up)
        for _ in range(args.rounds):
            for name, positions in PHASES:
                subscribed = name == "+ subscribed"
                for client in clients:
                    if subscribed:
                        await client.subscribe("read_positions", ["id", "last_read_date"])
                    else:
                        await client.ws.send(json.dumps({"type": "unsubscribe",
                                                         "uid": "read_positions"}))
                await asyncio.sleep(2)
                result = await run_phase(name, clients, args, pids, positions)
                print(result.line(), flush=True)
                results.append(result)
    finally:
        for client in clients:
            await client.ws.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--messages-per-minute", type=float, default=60,
                        help="for the whole chat (default 60)")
    parser.add_argument("--share", type=float, default=0.1,
                        help="share of messages that get a reaction or an edit (default 0.1)")
    parser.add_argument("--position-every", type=float, default=30,
                        help="seconds between one client's read-position writes (default 30)")
    parser.add_argument("--duration", type=float, default=60, help="seconds per phase")
    parser.add_argument("--rounds", type=int, default=2,
                        help="times the four phases run, in turn (default 2)")
    parser.add_argument("--warm-up", type=float, default=30,
                        help="seconds of messages first, not reported (default 30)")
    parser.add_argument("--url", help="use this running Directus instead of starting one")
    parser.add_argument("--admin-token", help="its static admin token (with --url)")
    args = parser.parse_args()
    if args.url and not args.admin_token:
        parser.error("--url needs --admin-token (to make the load users)")
    if args.url:
        print(f"Directus: {args.url} (Directus CPU not measured)", flush=True)
        asyncio.run(measure(args.url.rstrip("/"), args.admin_token, args, []))
        return
    from stress.chaos import scratch_directus

    with tempfile.TemporaryDirectory(prefix="features-") as workdir:
        try:
            server = scratch_directus(Path(workdir))
        except SetupError as error:
            sys.exit(str(error))
        try:
            print(f"Directus: {server.url} (SQLite), {args.clients} clients, "
                  f"{args.messages_per_minute:g} messages/min, load average "
                  f"{os.getloadavg()[0]:.1f}", flush=True)
            asyncio.run(measure(server.url, server.admin_token, args, [server.process.pid]))
        finally:
            server.stop()


if __name__ == "__main__":
    main()

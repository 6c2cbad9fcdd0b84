"""The channels crowd: N chat users in C channels over raw sockets, chatting and typing,
then the exactly-once audit across channels and what it cost the server.

    python -m stress.channel_crowd                          # 50 users, 5 channels, 60 s
    python -m stress.channel_crowd --design per-channel     # a subscription per channel
    python -m stress.channel_crowd --signals none           # no presence, no typing
    python -m stress.channel_crowd --signals table          # both as rows (for comparison)
    python -m stress.channel_crowd --signals collab         # both as collaboration rooms
    python -m stress.channel_crowd --db postgres --instances 2

Each user is in `--memberships` of the channels (3 open, 2 private by default), posts a
message into one of them every `--interval` seconds, and before each one types for two
seconds (one typing signal, then a stop when it sends); every `--away` seconds on
average a user goes away for a while. The audit: every message reached every member of
its channel exactly once, and none of a private channel reached anyone else (lost,
duplicated, leaked all 0). The cost: Directus' CPU, and on PostgreSQL the statements and
row writes (pg_stat_database), with Redis its commands, per minute and per online user.
The chat core (chat/) is not used: these are the frames docs/CHANNELS.md gives a client.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from websockets.asyncio.client import connect

from server.cluster import Cluster
from server.local import SetupError
from server.provision.api import Directus
from server.provision.channels import MESSAGES
from stress.chaos import scratch_directus
from stress.load import cpu_seconds, tool_seconds

PASSWORD = "crowd-user-pw"
MINE = {"channel": {"members": {"user": {"_eq": "$CURRENT_USER"}}}}
FIELDS = ["id", "channel", "content"]


@dataclass
class User:
    url: str
    token: str
    id: str
    channels: list[str]
    received: Counter = field(default_factory=Counter)  # message id -> create events
    frames: Counter = field(default_factory=Counter)  # frame kind -> count received
    sent: Counter = field(default_factory=Counter)  # frame kind -> count sent
    ws: object = None
    replies: dict = field(default_factory=dict)
    pending: int = 0  # answers to hello, subscribe and join still to come

    async def open(self, design: str, signals: str) -> None:
        self.ws = await connect("ws" + self.url.removeprefix("http") + "/websocket",
                                ping_interval=None, open_timeout=30, max_queue=None)
        await self.send({"type": "auth", "access_token": self.token})
        assert json.loads(await self.ws.recv())["status"] == "ok"
        asyncio.ensure_future(self.read())
        subscriptions = {"one": [("live", MINE)], "all": [("live", None)],
                         "per-channel": [(f"c{i}", {"channel": {"_eq": c}})
                                         for i, c in enumerate(self.channels)]}[design]
        self.pending = len(subscriptions) + {"extension": 1, "table": 1,
                                             "collab": len(self.channels)}.get(signals, 0)
        for uid, where in subscriptions:
            await self.send({"type": "subscribe", "collection": MESSAGES, "uid": uid,
                             "query": {"fields": FIELDS, **({"filter": where} if where else {})}})
        if signals == "extension":
            await self.send({"type": "chat-hello", "uid": "hello"})
        elif signals == "table":
            await self.send({"type": "subscribe", "collection": "presence_rows", "uid": "p",
                             "query": {"fields": ["id", "status", "typing_in"]}})
            await self.update_row({"status": "online"})
        elif signals == "collab":
            for channel in self.channels:
                await self.send({"type": "collab", "action": "join", "collection": "channels",
                                 "item": channel, "version": None})

    async def send(self, frame: dict) -> None:
        self.sent[frame["type"]] += 1
        await self.ws.send(json.dumps(frame))

    async def update_row(self, data: dict) -> None:
        await self.send({"type": "items", "collection": "presence_rows", "action": "update",
                         "id": self.id, "data": data, "uid": "row"})

    async def read(self) -> None:
        async for text in self.ws:
            frame = json.loads(text)
            kind = frame.get("type")
            if kind == "collab":
                kind = " ".join(filter(None, ("collab", frame.get("action"),
                                              frame.get("code"))))
            if kind == "subscription":
                kind = f"subscription{':rows' if frame.get('uid') == 'p' else ''} " \
                       f"{frame.get('event')}"
            self.frames[kind] += 1
            if kind in ("subscription init", "chat-hello", "collab init"):
                self.pending -= 1
            if kind == "ping":
                await self.send({"type": "pong"})
            elif kind == "subscription create":
                for row in frame["data"]:
                    self.received[row["id"]] += 1
            elif kind == "collab init":
                self.replies[frame["item"]] = frame["room"]


@dataclass(frozen=True)
class Posted:
    id: str
    channel: str


async def behave(user: User, signals: str, rng: random.Random, end: float,
                 interval: float, away_every: float, posted: list[Posted]) -> None:
    """Type two seconds, post, wait; now and then go away for a while."""
    await asyncio.sleep(rng.uniform(0, interval))
    away_until = 0.0
    while time.monotonic() < end - 2:
        if signals != "none" and away_until == 0 and rng.random() < interval / away_every:
            away_until = time.monotonic() + rng.uniform(20, 60)
            await set_away(user, signals, True)
        elif away_until and time.monotonic() > away_until:
            away_until = 0.0
            await set_away(user, signals, False)
        channel = rng.choice(user.channels)
        await typing(user, signals, channel, True)
        await asyncio.sleep(2)
        message = str(uuid.uuid4())
        posted.append(Posted(message, channel))
        await user.send({"type": "items", "collection": MESSAGES, "action": "create",
                         "uid": "m", "data": {"id": message, "channel": channel,
                                              "content": f"crowd {message[:8]}"}})
        await typing(user, signals, channel, False)
        pause = max(0.0, rng.uniform(0.5, 1.5) * interval - 2)
        await asyncio.sleep(min(pause, max(0.0, end - time.monotonic())))


async def typing(user: User, signals: str, channel: str, start: bool) -> None:
    if signals == "extension":
        await user.send({"type": "chat-typing", "channel": channel,
                         **({} if start else {"stop": True})})
    elif signals == "table":
        await user.update_row({"typing_in": channel if start else None})
    elif signals == "collab" and channel in user.replies:
        await user.send({"type": "collab", "action": "update", "room": user.replies[channel],
                         "field": "description", **({"changes": "typing"} if start else {})})


async def set_away(user: User, signals: str, away: bool) -> None:
    if signals == "extension":
        await user.send({"type": "chat-presence", "away": away})
    elif signals == "table":
        await user.update_row({"status": "away" if away else "online"})


def admin(url, token, method, path, body=None):
    return Directus(url, token).request(method, path, body)


def prepare(url: str, token: str, users: int, channels: int, private: int, memberships: int,
            signals: str, rng: random.Random):
    """Users, channels and memberships, made by the admin: ([(email, id, channels)], the
    private channels)."""
    policy = admin(url, token, "GET", "/policies?filter[name][_eq]=Chat%20User")[0]["id"]
    role = admin(url, token, "GET", "/roles?filter[name][_eq]=Chat%20User")[0]["id"]
    tag = uuid.uuid4().hex[:6]
    made = admin(url, token, "POST", "/users", [
        {"email": f"crowd-{tag}-{i}@example.com", "password": PASSWORD, "role": role,
         "first_name": f"Crowd {i}", "status": "active"} for i in range(users)])
    rooms = [admin(url, token, "POST", "/items/channels", {
        "name": f"crowd-{tag}-{c}", "open_to": None if c < private else policy})["id"]
        for c in range(channels)]
    plan = [(u["email"], u["id"], rng.sample(rooms, memberships)) for u in made]
    admin(url, token, "POST", "/items/channel_members",
          [{"channel": c, "user": uid} for _, uid, cs in plan for c in cs])
    if signals == "table":
        prepare_rows(url, token, policy, [uid for _, uid, _ in plan])
    elif signals == "collab":
        admin(url, token, "PATCH", "/settings", {"collaborative_editing_enabled": True})
        # Typing as a collab update needs update permission on a field of the channel.
        admin(url, token, "POST", "/permissions", {
            "policy": policy, "collection": "channels", "action": "update",
            "fields": ["description"], "permissions": MINE["channel"]})
    return plan, set(rooms[:private])


def prepare_rows(url, token, policy, ids):
    """The comparison design: a row per user holding their status and typing channel."""
    admin(url, token, "POST", "/collections", {
        "collection": "presence_rows", "schema": {}, "meta": {},
        "fields": [{"field": "id", "type": "uuid", "schema": {"is_primary_key": True}},
                   {"field": "status", "type": "string", "schema": {}},
                   {"field": "typing_in", "type": "uuid", "schema": {}}]})
    for action, rule in (("read", {}), ("update", {"id": {"_eq": "$CURRENT_USER"}})):
        admin(url, token, "POST", "/permissions", {
            "policy": policy, "collection": "presence_rows", "action": action,
            "fields": ["*"], "permissions": rule})
    admin(url, token, "POST", "/items/presence_rows", [{"id": i, "status": None} for i in ids])


def pg_counters(cluster) -> dict[str, int] | None:
    if cluster is None:
        return None
    pg = cluster.postgres
    out = subprocess.run(
        [*pg.as_owner, str(pg.bin_dir / "psql"), "-h", "127.0.0.1", "-p", str(pg.port), "-U",
         "chat", "-d", "chat", "-Atc", "select xact_commit, tup_fetched, tup_inserted, "
         "tup_updated, tup_deleted from pg_stat_database where datname = 'chat'"],
        capture_output=True, text=True, check=True).stdout.strip().split("|")
    return dict(zip(("transactions", "rows read", "rows inserted", "rows updated",
                     "rows deleted"), map(int, out), strict=True))


def redis_commands(cluster) -> int | None:
    if cluster is None:
        return None
    with socket.create_connection(("127.0.0.1", cluster.redis.port), timeout=5) as sock:
        sock.sendall(b"INFO stats\r\n")
        data = b""
        while b"total_commands_processed" not in data or not data.endswith(b"\r\n"):
            data += sock.recv(65536)
    line = next(x for x in data.decode().splitlines() if x.startswith("total_commands"))
    return int(line.split(":")[1])


def audit(posted: list[Posted], users: list[User], private: set[str]) -> dict[str, int]:
    """(message, user) pairs: a member without it (lost), extra copies (duplicated), a
    non-member with a private channel's message (leaked), and with an open channel's
    (beyond membership: only a subscription without the membership filter does that)."""
    members = {c: {u.id for u in users if c in u.channels} for c in {p.channel for p in posted}}
    lost = duplicated = leaked = beyond = 0
    for p in posted:
        for u in users:
            copies = u.received[p.id]
            duplicated += max(0, copies - 1)
            if u.id in members[p.channel]:
                lost += copies == 0
            elif copies:
                leaked += p.channel in private
                beyond += p.channel not in private
    return {"lost": lost, "duplicated": duplicated, "leaked": leaked,
            "delivered beyond membership": beyond}


async def run(args, urls, token, pids, cluster) -> dict:
    rng = random.Random(args.seed)
    plan, private = prepare(urls[0], token, args.users, args.channels, args.private,
                            args.memberships, args.signals, rng)
    users = []
    for i, (email, uid, channels) in enumerate(plan):
        url = urls[i % len(urls)]
        login = Directus(url, "").request("POST", "/auth/login",
                                          {"email": email, "password": PASSWORD}, auth=False)
        users.append(User(url, login["access_token"], uid, channels))
    await asyncio.gather(*(u.open(args.design, args.signals) for u in users))
    ready = time.monotonic() + 120
    while any(u.pending > 0 for u in users) and time.monotonic() < ready:
        await asyncio.sleep(0.2)
    await asyncio.sleep(3)  # the presence of everyone reached everyone
    for u in users:
        u.frames.clear()
        u.sent.clear()
    posted: list[Posted] = []
    before = (cpu_seconds(pids), tool_seconds(), pg_counters(cluster), redis_commands(cluster))
    started = time.monotonic()
    end = started + args.duration
    await asyncio.gather(*(behave(u, args.signals, random.Random(rng.random()), end,
                                  args.interval, args.away, posted) for u in users))
    elapsed = time.monotonic() - started
    after = (cpu_seconds(pids), tool_seconds(), pg_counters(cluster), redis_commands(cluster))
    members = {c: {u.id for u in users if c in u.channels} for c in {p.channel for p in posted}}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not all(
            all(u.received[p.id] for u in users if u.id in members[p.channel]) for p in posted):
        await asyncio.sleep(0.5)
    await asyncio.sleep(2)
    checked = audit(posted, users, private)
    await asyncio.gather(*(u.ws.close() for u in users), return_exceptions=True)
    minutes, n = elapsed / 60, len(users)
    frames = sum((u.frames for u in users), Counter())
    sent = sum((u.sent for u in users), Counter())
    result = {
        "users": n, "instances": len(urls), "design": args.design, "signals": args.signals,
        "seconds": round(elapsed), "messages": len(posted),
        **checked,
        "directus cpu %": round(100 * (after[0] - before[0]) / elapsed) if pids else None,
        "tool cpu %": round(100 * (after[1] - before[1]) / elapsed),
        "received per user per minute": {k: round(v / n / minutes, 1)
                                         for k, v in sorted(frames.items())},
        "sent per user per minute": {k: round(v / n / minutes, 1) for k, v in sorted(sent.items())},
    }
    if before[2]:
        result["postgres per user per minute"] = {
            k: round((after[2][k] - before[2][k]) / n / minutes, 1) for k in before[2]}
        result["postgres per message"] = {
            k: round((after[2][k] - before[2][k]) / max(1, len(posted)), 1) for k in before[2]}
    if before[3] is not None:
        result["redis commands per user per minute"] = round(
            (after[3] - before[3]) / n / minutes, 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--channels", type=int, default=5)
    parser.add_argument("--private", type=int, default=2, help="how many are private")
    parser.add_argument("--memberships", type=int, default=2, help="channels per user")
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--interval", type=float, default=20,
                        help="mean seconds between one user's messages")
    parser.add_argument("--away", type=float, default=120,
                        help="mean seconds between one user's spells away")
    parser.add_argument("--design", choices=["one", "per-channel", "all"], default="one")
    parser.add_argument("--signals", choices=["extension", "table", "collab", "none"],
                        default="extension")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--instances", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.instances > 1 and args.db != "postgres":
        parser.error("several instances share one database: add --db postgres")
    with tempfile.TemporaryDirectory(prefix="channel-crowd-") as workdir:
        cluster = server = None
        try:
            if args.db == "postgres":
                cluster = Cluster(Path(workdir), instances=args.instances)
                cluster.start()
                urls, token, servers = cluster.urls, cluster.admin_token, cluster.servers
            else:
                server = scratch_directus(Path(workdir))
                urls, token, servers = [server.url], server.admin_token, [server]
            result = asyncio.run(run(args, urls, token, [s.process.pid for s in servers],
                                     cluster))
        except SetupError as error:
            sys.exit(str(error))
        finally:
            for running in (cluster, server):
                if running is not None:
                    running.stop()
    print(json.dumps(result, indent=1))
    sys.exit(0 if not (result["lost"] or result["duplicated"] or result["leaked"]) else 1)


if __name__ == "__main__":
    main()

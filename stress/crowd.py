"""Many headless chat clients in one asyncio loop, and the audit that proves
exactly-once delivery. Shared by the load tool and the chaos scenarios::

    crowd = Crowd(directus_url, n=10, marker="storm-1a2b")
    await crowd.sign_in()
    crowd.send(3)                    # client 3 types a message (online or not)
    await crowd.settle(timeout=120)  # outboxes empty, every timeline has everything
    audit = crowd.audit(fetch_stored(directus_url, admin_token, crowd.marker))
    assert audit.ok, audit.problems

Every message's content is unique (marker, client, number), so a message stored
twice under two ids shows up as a duplicate, not as two different messages.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any

from chat import core
from chat.core import Phase
from chat.core.protocol import Message, parse_message
from chat.headless import HeadlessClient
from server.provision import DEMO_USERS


class TimedClient(HeadlessClient):
    """A headless client that notes when each message first reached its timeline.

    It keeps phase changes and notices but drops timeline events, so a long run
    does not hold millions of them.
    """

    def __init__(self, directus_url: str, **config: Any) -> None:
        super().__init__(directus_url, **config)
        self.first_seen: dict[str, float] = {}
        self.notices: list[str] = []
        self.live_at: list[float] = []  # when it went live, each time

    def on_event(self, event: core.Event) -> None:
        if isinstance(event, core.TimelineChanged):
            now = time.monotonic()
            for message in event.upserted:
                self.first_seen.setdefault(message.id, now)
        elif isinstance(event, core.Notice):
            self.notices.append(event.text)
        elif isinstance(event, core.PhaseChanged):
            if event.phase == Phase.LIVE:
                self.live_at.append(time.monotonic())
            super().on_event(event)


@dataclass(frozen=True)
class Sent:
    id: str
    content: str
    sender: int  # index of the client that typed it
    at: float  # time.monotonic() when typed


@dataclass
class Audit:
    """What the server stored and every client shows, against what was typed."""

    clients: int
    sent: int
    stored: int
    lost: int  # typed but not stored, or still waiting in an outbox at the end
    duplicated: int  # stored more than once, or shown twice by some client
    missed: int  # (message, client) pairs: stored but absent from that client's timeline
    misordered: int  # clients whose order differs from the server's
    anonymous: int  # stored without the sender as author
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.lost or self.duplicated or self.missed or self.misordered
                    or self.anonymous)


def percentile(values: list[float], share: float) -> float:
    """The value below which ``share`` of ``values`` fall (nearest rank); 0 if empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def fetch_stored(directus_url: str, admin_token: str, marker: str) -> list[dict]:
    """Every stored message whose content starts with ``marker``, read as admin."""
    query = urllib.parse.urlencode({
        "limit": "-1",
        "filter[content][_starts_with]": marker,
        "fields": "id,content,date_created,user_created",
    })
    request = urllib.request.Request(f"{directus_url}/items/messages?{query}",
                                     headers={"Authorization": f"Bearer {admin_token}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)["data"]


class Crowd:
    """``n`` clients of the demo users (round robin), all against ``directus_url``
    (a list spreads them over several instances)."""

    def __init__(self, directus_url: str | list[str], n: int, *, marker: str | None = None,
                 **config: Any) -> None:
        urls = [directus_url] if isinstance(directus_url, str) else directus_url
        self.marker = marker or uuid.uuid4().hex[:10]
        users = list(DEMO_USERS.values())
        self.logins = [users[i % len(users)][:2] for i in range(n)]
        self.clients = [TimedClient(urls[i % len(urls)], **config) for i in range(n)]
        self.sent: list[Sent] = []
        self._counts = [0] * n

    async def sign_in(self, stagger: float = 0.0) -> None:
        """Sign every client in and wait until all are live; ``stagger`` spaces the
        logins out (each one is an argon2 hash on the server)."""
        async def one(i: int) -> None:
            await asyncio.sleep(i * stagger)
            await self.clients[i].sign_in(*self.logins[i], timeout=120)

        await asyncio.gather(*(one(i) for i in range(len(self.clients))))

    def send(self, i: int) -> Sent:
        """Client ``i`` types its next message; it waits in the outbox if offline."""
        self._counts[i] += 1
        content = f"{self.marker} c{i} n{self._counts[i]}"
        sent = Sent(self.clients[i].send(content), content, i, time.monotonic())
        self.sent.append(sent)
        return sent

    def all_live(self) -> bool:
        return all(c.phase == Phase.LIVE for c in self.clients)

    def settled(self) -> bool:
        ids = {s.id for s in self.sent}
        return all(not c.outbox and ids <= c.first_seen.keys() and c.phase == Phase.LIVE
                   for c in self.clients)

    async def settle(self, timeout: float) -> float:
        """Wait until every outbox is empty and every client shows every message.
        Returns the seconds it took (the test then audits what the server holds)."""
        started = time.monotonic()
        deadline = started + timeout
        while not self.settled():
            if time.monotonic() > deadline:
                break  # the audit says what is missing
            await asyncio.sleep(0.2)
        return time.monotonic() - started

    def latencies(self) -> list[float]:
        """Seconds from typing a message to it appearing at each other client."""
        return [client.first_seen[s.id] - s.at
                for s in self.sent
                for i, client in enumerate(self.clients)
                if i != s.sender and s.id in client.first_seen]

    def audit(self, stored_rows: list[dict]) -> Audit:
        problems: list[str] = []
        by_content: dict[str, list[Message]] = {}
        authors: dict[str, Any] = {}
        for row in stored_rows:
            message = parse_message(row)
            if message is not None:
                by_content.setdefault(message.content, []).append(message)
                authors[message.id] = row.get("user_created")
        typed = {s.content: s for s in self.sent}
        lost = [c for c in typed if c not in by_content]
        lost += [e.content for c in self.clients for e in c.outbox if e.content not in lost]
        duplicated = sum(len(copies) - 1 for copies in by_content.values())
        if lost:
            problems.append(f"lost: {sorted(lost)[:5]}")
        if duplicated:
            problems.append("stored twice: " + ", ".join(
                k for k, v in by_content.items() if len(v) > 1))
        anonymous = 0
        for content, copies in by_content.items():
            sender = typed.get(content)
            expected = self.clients[sender.sender].client.user_id if sender else None
            if any(authors[m.id] != expected for m in copies):
                anonymous += 1
                problems.append(f"{content!r} stored with author {authors[copies[0].id]}")
        reference = sorted((m for copies in by_content.values() for m in copies),
                           key=lambda m: m.sort_key)
        order = [m.id for m in reference]
        missed = misordered = 0
        for i, client in enumerate(self.clients):
            shown = [m for m in client.messages if m.content.startswith(self.marker)]
            contents = [m.content for m in shown]
            twice = len(contents) - len(set(contents))
            duplicated += twice
            gone = set(order) - {m.id for m in shown}
            missed += len(gone)
            if twice or gone:
                problems.append(f"client {i}: {len(gone)} missing, {twice} shown twice")
            elif [m.id for m in shown] != order:
                misordered += 1
                problems.append(f"client {i}: order differs from the server's")
        return Audit(clients=len(self.clients), sent=len(self.sent),
                     stored=sum(len(v) for v in by_content.values()), lost=len(lost),
                     duplicated=duplicated, missed=missed, misordered=misordered,
                     anonymous=anonymous, problems=problems)

    async def close(self) -> None:
        await asyncio.gather(*(c.close() for c in self.clients), return_exceptions=True)


def summary(values: list[float]) -> str:
    """p50/p95/p99 and max of a list of seconds, in milliseconds."""
    if not values:
        return "no samples"
    return (f"p50 {percentile(values, 0.5) * 1000:.0f} ms, "
            f"p95 {percentile(values, 0.95) * 1000:.0f} ms, "
            f"p99 {percentile(values, 0.99) * 1000:.0f} ms, "
            f"max {max(values) * 1000:.0f} ms, mean {statistics.fmean(values) * 1000:.0f} ms")

"""A message created while a client subscribes is never lost.

Directus reads a subscription's ``init`` page before it registers the subscription:
a message created in between is in neither the page nor any event. Here Carol
creates messages every few milliseconds while Bob signs in and reconnects again and
again; after each trial every message in the span Bob shows must be there, once.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid

from websockets.asyncio.client import connect

from chat.core import Phase, protocol
from chat.headless import HeadlessClient
from stress.crowd import fetch_stored
from stress.proxy import FaultyProxy

TRIALS = 8
RECONNECTS = 3  # per trial, after the sign-in
INTERVAL = 0.004  # seconds between Carol's creates
IN_FLIGHT = 8  # Carol's creates sent and not yet answered, at most


class Writer:
    """Carol, over her own socket: a create every ``INTERVAL`` while ``running``."""

    def __init__(self, directus) -> None:
        self.directus = directus
        self.marker = ""
        self.running = asyncio.Event()
        self._waiting: set[str] = set()
        self._answered = asyncio.Event()

    async def run(self) -> None:
        token = self.directus.login("carol")["access_token"]
        # No keepalive pings of the library's own: Directus has its heartbeat.
        async with connect(self.directus.ws_url, ping_interval=None) as socket:
            await socket.send(protocol.encode_auth(token, "auth"))
            assert json.loads(await socket.recv())["status"] == "ok"
            reader = asyncio.ensure_future(self._read(socket))
            try:
                n = 0
                while True:
                    await self.running.wait()
                    while len(self._waiting) >= IN_FLIGHT:
                        self._answered.clear()
                        await self._answered.wait()
                    n += 1
                    uid = f"c{n}"
                    self._waiting.add(uid)
                    await socket.send(protocol.encode_create(
                        uid, str(uuid.uuid4()), f"{self.marker} {n}"))
                    await asyncio.sleep(INTERVAL)
            finally:
                reader.cancel()

    async def _read(self, socket) -> None:
        async for text in socket:
            frame = json.loads(text)
            if frame.get("type") == "ping":
                await socket.send(protocol.encode_pong())
            elif frame.get("type") == "items":
                assert frame.get("status") != "error", frame
                self._waiting.discard(frame.get("uid"))
                self._answered.set()

    async def pause(self) -> None:
        """Stop creating and wait until every create sent is answered."""
        self.running.clear()
        while self._waiting:
            self._answered.clear()
            await asyncio.wait_for(self._answered.wait(), 30)


def audit(directus, bob: HeadlessClient, marker: str) -> tuple[int, int, int]:
    """(stored, missing, duplicated): missing are stored messages in the span Bob
    shows (from his oldest message of this trial on) that he does not show."""
    stored = sorted((protocol.parse_message(row) for row in
                     fetch_stored(directus.url, directus.admin_token, marker)),
                    key=lambda m: m.sort_key)
    shown = [m for m in bob.messages if m.content.startswith(marker + " ")]
    if not shown:
        return len(stored), len(stored), 0
    oldest = shown[0].sort_key
    ids = {m.id for m in shown}
    missing = sum(m.id not in ids for m in stored if m.sort_key >= oldest)
    contents = [m.content for m in shown]
    return len(stored), missing, len(contents) - len(set(contents))


def test_no_message_created_during_sign_in_or_reconnect_is_lost(directus):
    async def scenario():
        writer = Writer(directus)
        writing = asyncio.ensure_future(writer.run())
        proxy = FaultyProxy(directus.port)
        await proxy.start()
        results = []
        try:
            for _ in range(TRIALS):
                marker = f"window-{uuid.uuid4().hex[:8]}"
                writer.marker = marker
                writer.running.set()
                async with HeadlessClient(proxy.url) as bob:
                    await bob.sign_in(*directus.users["bob"])
                    for _ in range(RECONNECTS):
                        await asyncio.sleep(0.1)
                        proxy.reset()
                        await bob.wait_for(lambda b=bob: b.phase != Phase.LIVE, 10, "the cut")
                        await bob.wait_for(lambda b=bob: b.phase == Phase.WAITING, 10, "waiting")
                        bob.retry_now()
                        await bob.wait_for(lambda b=bob: b.phase == Phase.LIVE, 30, "live")
                    await asyncio.sleep(0.1)
                    await writer.pause()
                    # What was created before the pause arrives as events: give it time.
                    deadline = time.monotonic() + 3
                    while time.monotonic() < deadline:
                        result = audit(directus, bob, marker)
                        if not result[1]:
                            break
                        await asyncio.sleep(0.5)
                    results.append(result)
        finally:
            writing.cancel()
            await proxy.close()
        return results

    results = asyncio.run(asyncio.wait_for(scenario(), 240))
    print(f"{len(results)} trials of a sign-in and {RECONNECTS} reconnects: "
          f"(stored, missing, duplicated) = {results}")
    assert all(stored > 50 for stored, _, _ in results), "too few messages to prove anything"
    assert [(missing, duplicated) for _, missing, duplicated in results] == [(0, 0)] * TRIALS

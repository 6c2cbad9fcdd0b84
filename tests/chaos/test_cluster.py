"""Two Directus instances on one PostgreSQL with Redis behave as one chat server."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import time
from types import SimpleNamespace

import pytest

from server.cluster import Cluster
from server.local import SetupError
from stress.chaos import chatter
from stress.crowd import Crowd, fetch_stored
from stress.signals import SignalPeer
from tests.channel_helpers import Member


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    cluster = Cluster(tmp_path_factory.mktemp("cluster"), instances=2)
    try:
        cluster.start()
    except SetupError as error:
        pytest.fail(str(error), pytrace=False)
    yield cluster
    cluster.stop()


def test_clients_split_across_two_instances_each_get_every_message_once(cluster):
    async def scenario():
        crowd = Crowd(cluster.urls, 6)  # clients 0, 2, 4 on instance 1; 1, 3, 5 on 2
        try:
            await crowd.sign_in()
            await chatter(crowd, duration=10, interval=1.5, rng=random.Random(5))
            await crowd.settle(60)
            stored = await asyncio.to_thread(fetch_stored, cluster.urls[0],
                                             cluster.admin_token, crowd.marker)
            return crowd.audit(stored)
        finally:
            await crowd.close()

    audit = asyncio.run(asyncio.wait_for(scenario(), 180))
    assert audit.sent >= 10, "too few messages to prove anything"
    assert audit.ok, audit.problems


def test_presence_and_typing_cross_instances(cluster):
    """Alice on instance 1, Bob and Carol on instance 2: through Redis, Bob sees Alice come
    online, type and leave; Carol, not in the channel, never sees her type."""
    one, two = (SimpleNamespace(url=url) for url in cluster.urls)
    alice, bob, carol = Member(one, "alice"), Member(two, "bob"), Member(two, "carol")
    room = alice.create_channel("cluster", private=True, members=(bob.id,))

    async def scenario():
        b, c = SignalPeer(two.url, bob.token), SignalPeer(two.url, carol.token)
        assert await b.connect() and await c.connect()
        a = SignalPeer(one.url, alice.token)
        hello = await a.connect()
        assert hello and hello["status"] == "ok"
        await b.wait_for(lambda: b.presence.get(alice.id) == "online", 5, "alice online")
        assert a.presence.get(bob.id) == "online" or await a.wait_for(
            lambda: a.presence.get(bob.id) == "online", 5, "bob seen from instance 1")
        await a.typing(room)
        shown = await b.wait_for(lambda: alice.id in b.typing_in(room), 5, "typing seen")
        closed = time.monotonic()
        await a.close()
        await b.wait_for(lambda: alice.id not in b.presence, 15, "alice offline")
        gone = time.monotonic() - closed
        await asyncio.sleep(0.5)
        await asyncio.gather(b.close(), c.close())
        return shown, gone, c

    shown, gone, c = asyncio.run(asyncio.wait_for(scenario(), 60))
    assert shown < 1, f"typing took {shown:.2f} s across instances"
    assert gone < 7, f"offline {gone:.1f} s after her socket closed"
    assert c.typed == []


def test_a_stopped_or_crashed_instance_takes_its_users_offline_on_the_others(cluster):
    """Runs last: it stops instance 1, starts it again, then kills it. Bob, on instance 2,
    sees Alice go offline each time the instance she was connected to goes: at once when
    it stops (it says goodbye), within 30 s when it crashes (its reports stop)."""
    one, two = (SimpleNamespace(url=url) for url in cluster.urls)
    alice, bob = Member(one, "alice"), Member(two, "bob")

    async def gone_after(stop) -> float:
        a, b = SignalPeer(one.url, alice.token), SignalPeer(two.url, bob.token)
        assert await b.connect() and await a.connect()
        await b.wait_for(lambda: b.presence.get(alice.id) == "online", 5, "alice online")
        stopped = time.monotonic()
        await asyncio.to_thread(stop)
        await b.wait_for(lambda: alice.id not in b.presence, 40, "alice offline")
        gone = time.monotonic() - stopped
        await asyncio.gather(a.close(), b.close(), return_exceptions=True)
        return gone

    def crash():
        server = cluster.servers[0]
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait()
        server.process = None

    stopped = asyncio.run(asyncio.wait_for(gone_after(cluster.servers[0].stop), 60))
    cluster.servers[0].start()
    crashed = asyncio.run(asyncio.wait_for(gone_after(crash), 60))
    assert stopped < 2, f"offline {stopped:.1f} s after her instance stopped"
    assert 20 <= crashed <= 31, f"offline {crashed:.1f} s after her instance crashed"

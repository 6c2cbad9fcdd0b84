"""Two Directus instances on one PostgreSQL with Redis behave as one chat server."""

from __future__ import annotations

import asyncio
import random

import pytest

from server.cluster import Cluster
from server.local import SetupError
from stress.chaos import chatter
from stress.crowd import Crowd, fetch_stored


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

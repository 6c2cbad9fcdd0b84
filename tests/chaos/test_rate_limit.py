"""A server that rate-limits: the outbox waits and retries; nothing lost or doubled."""

from __future__ import annotations

import asyncio

from stress.chaos import RATE_ENV, rate_limited


def test_requests_exceeded_makes_the_outbox_wait_and_retry(directus_factory):
    """Short version of `python -m stress.chaos ratelimit` (10 clients, 30 messages each)."""
    server = directus_factory(**RATE_ENV)
    figures = asyncio.run(asyncio.wait_for(rate_limited(server, clients=3, burst=12), 180))
    print(figures.line())
    assert figures.notes["refusals"] > 0, "the limit never bit: the test proves nothing"
    assert figures.ok, figures.audit.problems
    assert figures.audit.sent == 36

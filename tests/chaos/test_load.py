"""Many clients at a steady rate: every message reaches every client exactly once."""

from __future__ import annotations

import asyncio

from stress.crowd import percentile
from stress.load import run_step


def test_ten_clients_at_one_message_per_second_each_all_delivered_once(directus):
    """Short version of `python -m stress.load` (50 clients, 60 s; see docs/RELIABILITY.md)."""
    step = asyncio.run(asyncio.wait_for(
        run_step([directus.url], directus.admin_token, clients=10, rate=1.0, duration=10,
                 server_pids=[directus.process.pid]), 180))
    print(step.line())
    assert step.audit.sent == 100
    assert step.audit.ok, step.audit.problems
    assert len(step.latencies) == 100 * 9  # every other client saw every message
    # Far below saturation on any machine: a generous bound that still catches a stall.
    assert percentile(step.latencies, 0.95) < 5.0

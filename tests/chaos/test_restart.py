"""Directus restarts while clients chat: nothing is lost, nothing doubled."""

from __future__ import annotations

import asyncio

from stress.chaos import restart_storm


def test_restart_storm_delivers_every_message_once_in_one_order(directus):
    """Short version of `python -m stress.chaos storm` (10 clients, 3 min, 10 restarts)."""
    try:
        figures = asyncio.run(asyncio.wait_for(
            restart_storm(directus, clients=4, duration=30, restarts=2, seed=1), 300))
    finally:
        if directus.process is None:  # a failure mid-storm must not leave it down
            directus.start()
    print(figures.line())
    assert figures.audit.sent >= 20, "too few messages to prove anything"
    assert figures.ok, figures.audit.problems
    assert len(figures.recoveries) == 2

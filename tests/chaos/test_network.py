"""A network that silently stops forwarding, or resets connections, loses no message."""

from __future__ import annotations

import asyncio

from stress.chaos import CUT_ENV, network_cut


def test_black_hole_is_detected_by_heartbeat_and_resets_are_survived(directus_factory):
    """Short version of `python -m stress.chaos cut`: one black hole, then one reset."""
    server = directus_factory(**CUT_ENV)
    figures = asyncio.run(asyncio.wait_for(
        network_cut(server, clients=4, duration=25, cuts=2, seed=2), 240))
    print(figures.line())
    assert figures.audit.sent >= 20, "too few messages to prove anything"
    assert figures.ok, figures.audit.problems
    assert len(figures.recoveries) == 2

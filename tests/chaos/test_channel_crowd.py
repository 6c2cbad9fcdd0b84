"""Users in several channels chatting and typing: every message reaches every member of
its channel once, and nobody outside a private channel."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from stress.channel_crowd import run


def test_eight_users_in_three_channels_chat_and_type_and_every_member_gets_each_once(
        directus):
    """Short version of `python -m stress.channel_crowd` (50 users in 5 channels, 60 s;
    docs/RELIABILITY.md)."""
    args = SimpleNamespace(users=8, channels=3, private=1, memberships=2, duration=12,
                           interval=4, away=30, design="one", signals="extension", seed=3)
    result = asyncio.run(asyncio.wait_for(
        run(args, [directus.url], directus.admin_token, [directus.process.pid], None), 180))
    print(result)
    assert result["messages"] >= 15, "too few messages to prove anything"
    assert (result["lost"], result["duplicated"], result["leaked"]) == (0, 0, 0)
    assert result["received per user per minute"]["chat-typing"] > 0

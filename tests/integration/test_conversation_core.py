"""The core's edit, delete, replies and reactions against a real Directus (provisioned),
over real sockets: what one client does, the other sees live."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from chat.headless import HeadlessClient


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 240))


async def signed_in(directus, name: str) -> HeadlessClient:
    client = HeadlessClient(directus.url)
    await client.sign_in(*directus.users[name])
    return client


def by_content(client: HeadlessClient, content: str):
    return next((m for m in client.messages if m.content == content), None)


def emoji_of(client: HeadlessClient, message_id: str) -> list[tuple[str, str | None]]:
    return sorted((r.emoji, r.user_name) for r in client.client._talk.reactions.of(message_id))


def test_edit_reply_react_and_delete_reach_the_other_client_live(directus):
    marker = uuid.uuid4().hex[:8]

    async def scenario():
        async with await signed_in(directus, "alice") as alice, \
                await signed_in(directus, "bob") as bob:
            features = alice.client.features
            assert (features.edit, features.delete, features.replies, features.reactions) == (
                True, True, True, True)
            await alice.wait_for(lambda: alice.client.features.edit_window == 15 * 60, 30,
                                 "the edit window, read from the server's rule")
            first = alice.send(f"{marker} tpyo")
            await bob.wait_for(lambda: by_content(bob, f"{marker} tpyo") is not None)
            alice.edit(first, f"{marker} typo")
            await bob.wait_for(lambda: by_content(bob, f"{marker} typo") is not None, 30,
                               "the edit")
            assert by_content(bob, f"{marker} typo").updated is not None
            with pytest.raises(ValueError):
                bob.edit(first, "not yours")  # the server would refuse it too
            answer = bob.send(f"{marker} answer", reply_to=first)
            await alice.wait_for(lambda: by_content(alice, f"{marker} answer") is not None)
            assert by_content(alice, f"{marker} answer").reply_to == first
            bob.react(first, "🎉")
            await alice.wait_for(lambda: emoji_of(alice, first) == [("🎉", "Bob")], 30,
                                 "the reaction, live")
            bob.react(first, "🎉")  # off again
            await alice.wait_for(lambda: emoji_of(alice, first) == [], 30, "its removal")
            alice.delete(first)
            await bob.wait_for(lambda: by_content(bob, f"{marker} typo") is None, 30,
                               "the delete")
            assert by_content(bob, f"{marker} answer").id == answer  # replies stay
            assert not alice.client._talk._waiting  # every change done, none left

    run(scenario())

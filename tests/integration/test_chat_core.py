"""The chat core (``chat.core``) against a real Directus, over real sockets."""

from __future__ import annotations

import asyncio
import json
import urllib.request
import uuid

from chat.core import Phase
from chat.headless import HeadlessClient


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 240))


def tag() -> str:
    return uuid.uuid4().hex[:8]


async def signed_in(directus, name: str, **config) -> HeadlessClient:
    client = HeadlessClient(directus.url, **config)
    email, password = directus.users[name]
    await client.sign_in(email, password)
    return client


def rest_create(directus, name: str, content: str) -> dict:
    token = directus.login(name)["access_token"]
    request = urllib.request.Request(
        f"{directus.url}/items/messages", method="POST",
        data=json.dumps({"content": content}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["data"]


def mine(client: HeadlessClient, marker: str) -> list[str]:
    return [c for c in client.contents() if marker in c]


def test_two_clients_chat_both_ways_and_history_is_right_on_connect(directus):
    marker = tag()

    async def scenario():
        async with await signed_in(directus, "alice") as alice, \
                await signed_in(directus, "bob") as bob:
            alice.send(f"{marker} hi bob")
            await bob.wait_for(lambda: mine(bob, marker) == [f"{marker} hi bob"])
            bob.send(f"{marker} hi alice")
            expected = [f"{marker} hi bob", f"{marker} hi alice"]
            await alice.wait_for(lambda: mine(alice, marker) == expected)
            await bob.wait_for(lambda: mine(bob, marker) == expected)
            # The author's name arrives with each message (first_name is readable).
            names = {m.content: m.user_name for m in alice.messages if marker in m.content}
            assert names == {expected[0]: "Alice", expected[1]: "Bob"}
        # A client that connects later gets both in its history, oldest first.
        async with await signed_in(directus, "carol") as carol:
            assert mine(carol, marker) == expected
            assert len(carol.messages) <= 100
            created = [m.created for m in carol.messages]
            assert created == sorted(created)

    run(scenario())


def test_restart_with_pending_messages_delivers_each_once_in_the_same_order(directus):
    marker = tag()

    async def scenario():
        async with await signed_in(directus, "alice") as alice, \
                await signed_in(directus, "bob") as bob:
            alice.send(f"{marker} before")
            await bob.wait_for(lambda: mine(bob, marker) == [f"{marker} before"])
            await asyncio.to_thread(directus.stop)
            await alice.wait_for(lambda: alice.phase != Phase.LIVE, 30, "the cut")
            for n in range(3):
                alice.send(f"{marker} during {n}")
            bob.send(f"{marker} from bob during")
            assert len(alice.outbox) == 3
            await asyncio.to_thread(directus.start)
            expected = {f"{marker} before", f"{marker} from bob during",
                        *(f"{marker} during {n}" for n in range(3))}
            for client in (alice, bob):
                await client.wait_for(lambda c=client: set(mine(c, marker)) == expected, 90,
                                      "every message after the restart")
                await client.wait_for(lambda c=client: not c.outbox, 30, "an empty outbox")
            assert mine(alice, marker) == mine(bob, marker)
            assert len(mine(alice, marker)) == 5
            ordered = [c for c in mine(alice, marker) if "during" in c and "bob" not in c]
            assert ordered == [f"{marker} during {n}" for n in range(3)]

    run(scenario())


def test_token_expiry_every_fifteen_seconds_needs_no_reconnect(directus_factory):
    short = directus_factory(ACCESS_TOKEN_TTL="15s")
    marker = tag()

    async def scenario():
        async with await signed_in(short, "alice") as alice, \
                await signed_in(short, "bob") as bob:
            sent = []
            for n in range(30):  # 60 s of chat, four token lifetimes
                sender = alice if n % 2 == 0 else bob
                sent.append(f"{marker} {n}")
                sender.send(sent[-1])
                await asyncio.sleep(2)
            for client in (alice, bob):
                await client.wait_for(lambda c=client: mine(c, marker) == sent, 30,
                                      "all 30 messages")
                assert client.sockets_opened == 1, "expiry must not cost a reconnect"
                assert Phase.WAITING not in client.phases
            # Every message kept its author: none was stored between expiry and re-auth.
            authors = {m.user_name for m in alice.messages if marker in m.content}
            assert authors == {"Alice", "Bob"}

    run(scenario())


def test_messages_created_while_away_appear_after_reconnect(directus):
    marker = tag()

    async def scenario():
        async with await signed_in(directus, "alice") as alice:
            alice.network_changed(False)
            await alice.cut_network()
            await alice.wait_for(lambda: alice.phase == Phase.OFFLINE, 10, "offline")
            for n in range(3):
                await asyncio.to_thread(rest_create, directus, "carol", f"{marker} away {n}")
            alice.network_changed(True)
            expected = [f"{marker} away {n}" for n in range(3)]
            await alice.wait_for(lambda: mine(alice, marker) == expected, 30, "the gap fill")
            await alice.wait_for(lambda: alice.phase == Phase.LIVE, 10, "live")

    run(scenario())

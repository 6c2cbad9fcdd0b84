"""Presence and typing through the chat-signals extension (server/extensions/chat-signals),
against the real Directus: who is online, away and offline; who is typing, shown only to
the channel's members and never to oneself; nobody speaks for anyone else; and a client
learns the piece is missing when its hello goes unanswered."""

from __future__ import annotations

import asyncio
import time

import pytest

from server.provision import Kind, provision
from stress.proxy import FaultyProxy
from stress.signals import SignalPeer
from tests.channel_helpers import GENERAL, Member
from tests.wire import rest


@pytest.fixture(scope="module")
def people(directus):
    people = {name: Member(directus, name) for name in ("alice", "bob", "carol")}
    for person in people.values():
        if person.membership(GENERAL) is None:
            assert person.join(GENERAL)[0] == 200
    return people


def run(coroutine, timeout=90):
    return asyncio.run(asyncio.wait_for(coroutine, timeout))


async def peers(directus, *members):
    connected = []
    for member in members:
        peer = SignalPeer(directus.url, member.token)
        hello = await peer.connect()
        assert hello and hello["status"] == "ok", hello
        connected.append(peer)
    return connected


async def close(*all_peers):
    await asyncio.gather(*(peer.close() for peer in all_peers))


def test_hello_answers_with_who_is_online_and_the_typing_timings(directus, people):
    async def scenario():
        (alice,) = await peers(directus, people["alice"])
        bob = SignalPeer(directus.url, people["bob"].token)
        hello = await bob.connect()
        await close(alice, bob)
        return hello

    hello = run(scenario())
    assert hello["uid"] == "hello" and hello["version"] == 1
    assert hello["typing"] == {"interval": 3, "ttl": 5}
    assert {"user": people["alice"].id, "status": "online"} in hello["presence"]


def test_without_the_extension_hello_gets_no_answer_and_the_socket_keeps_working(
        directus_factory, tmp_path):
    """How a client detects that presence and typing are not there: its hello is not
    answered (core Directus ignores unknown frame types), and nothing else breaks."""
    (tmp_path / "none").mkdir()
    server = directus_factory(EXTENSIONS_PATH=str(tmp_path / "none"))
    token = server.login("alice")["access_token"]

    async def scenario():
        peer = SignalPeer(server.url, token)
        hello = await peer.connect()
        await peer.typing(GENERAL)
        await peer.send_raw({"type": "ping", "uid": "after"})
        await asyncio.sleep(1)
        await peer.close()
        return hello, peer

    hello, peer = run(scenario())
    assert hello is None and peer.received == 0 and peer.errors == []
    # Directus still lists it (it was loaded once, from the same database) but without a
    # schema: that is how provision tells it is missing.
    listed = rest(server, "GET", "/extensions", token=server.admin_token)[1]["data"]
    assert [(e["meta"]["folder"], e["schema"]) for e in listed] == [("chat-signals", None)]
    notes = provision(server.url, server.admin_token, check=True, quiet=True).of(Kind.NOTE)
    assert [n.text for n in notes] == [
        "The chat-signals extension is not loaded, so the chat shows no presence and no "
        "typing, and the server does not stop someone who knows the id of a message in a "
        "private channel from reacting to it."]
    assert notes[0].how.startswith("Copy server/extensions/chat-signals into the folder")
    # And nothing stops a non-member's reaction to a private message (CHANNELS.md): that
    # check is the extension's (test_reactions_of_a_private_channel_are_for_its_members_only).
    alice, carol = Member(server, "alice"), Member(server, "carol")
    target = alice.post(alice.create_channel("hidden", private=True), "x")[1]["data"]["id"]
    # (204: stored, but not hers to read back.)
    assert carol.call("POST", "/items/reactions", {"message": target, "emoji": "👀"})[0] == 204
    assert len(rest(server, "GET", f"/items/reactions?filter[message][_eq]={target}",
                    token=server.admin_token)[1]["data"]) == 1


def test_online_while_connected_away_when_every_tab_is_away_offline_soon_after_the_last_closes(
        directus, people):
    alice_id, bob_id = people["alice"].id, people["bob"].id

    async def scenario():
        alice, tab1, tab2 = await peers(directus, people["alice"], people["bob"], people["bob"])
        await alice.wait_for(lambda: alice.presence.get(bob_id) == "online", what="bob online")
        await tab1.set_away(True)
        await asyncio.sleep(1)
        assert alice.presence.get(bob_id) == "online", "one tab is still active"
        await tab2.set_away(True)
        await alice.wait_for(lambda: alice.presence.get(bob_id) == "away", what="bob away")
        await tab2.set_away(False)
        await alice.wait_for(lambda: alice.presence.get(bob_id) == "online", what="bob back")
        await tab1.close()
        await asyncio.sleep(1)
        assert alice.presence.get(bob_id) == "online", "his other tab is open"
        closed = time.monotonic()
        await tab2.close()
        await alice.wait_for(lambda: bob_id not in alice.presence, 15, "bob offline")
        gone = time.monotonic() - closed
        assert alice.presence.get(alice_id) == "online"
        await close(alice)
        return gone

    gone = run(scenario())
    assert 4 <= gone <= 7, f"offline {gone:.1f} s after the last tab closed (grace 5 s)"


def test_a_lost_network_makes_the_user_offline_within_30_seconds(directus, people):
    bob_id = people["bob"].id

    async def scenario():
        proxy = FaultyProxy(directus.port)
        await proxy.start()
        (alice,) = await peers(directus, people["alice"])
        bob = SignalPeer(proxy.url, people["bob"].token)
        assert await bob.connect()
        await alice.wait_for(lambda: alice.presence.get(bob_id) == "online", what="bob online")
        cut = time.monotonic()
        proxy.black_hole()  # nothing closes: only silence tells
        await alice.wait_for(lambda: bob_id not in alice.presence, 40, "bob offline")
        gone = time.monotonic() - cut
        await close(alice)
        await proxy.close()
        return gone

    gone = run(scenario())
    assert 19 <= gone <= 27, f"offline {gone:.1f} s after the network was cut"


def test_typing_reaches_the_channels_other_members_within_a_second_and_nobody_else(
        directus, people):
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    room = alice.create_channel("typing", private=True, members=(bob.id,))

    async def scenario():
        a, a2, b, c = await peers(directus, alice, alice, bob, carol)
        await a.typing(room)
        shown = await b.wait_for(lambda: alice.id in b.typing_in(room), what="bob sees it")
        await a.typing(room, stop=True)  # she sends her message
        stopped = await b.wait_for(lambda: alice.id not in b.typing_in(room),
                                   what="bob sees it stop")
        await a.typing(room)  # and starts another, then closes her tabs
        await b.wait_for(lambda: alice.id in b.typing_in(room), what="typing again")
        await close(a, a2)
        left = await b.wait_for(lambda: b.typed[-1].stop, what="a stop when she left")
        await asyncio.sleep(0.5)
        await close(b, c)
        return shown, stopped, left, a, a2, c

    shown, stopped, left, a, a2, c = run(scenario())
    assert shown < 1 and stopped < 1 and left < 1
    assert a.typed == [] and a2.typed == [], "never shown to the typist, in any tab"
    assert c.typed == [], "Carol is not in the channel"


def test_typing_is_relayed_at_most_once_per_user_and_channel_every_2_5_seconds(directus,
                                                                              people):
    alice, bob = people["alice"], people["bob"]

    async def scenario():
        a, b = await peers(directus, alice, bob)
        for _ in range(12):  # a keystroke every 0.25 s for 3 s
            await a.typing(GENERAL)
            await asyncio.sleep(0.25)
        await asyncio.sleep(0.5)
        await close(a, b)
        return [t.at for t in b.typed if t.user == alice.id and not t.stop]

    arrivals = run(scenario())
    assert len(arrivals) == 2, arrivals
    assert arrivals[1] - arrivals[0] >= 2.4


def test_nobody_types_in_a_channel_they_cannot_read_nor_speaks_for_someone_else(directus,
                                                                               people):
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    room = alice.create_channel("closed", private=True, members=(bob.id,))

    async def scenario():
        a, b, c = await peers(directus, alice, bob, carol)
        await c.typing(room)
        await c.wait_for(lambda: c.errors, what="an error for carol")
        # Frames name no user: a "user" sent along is ignored, the sender is the socket's.
        await c.typing(GENERAL, user=bob.id)
        await c.set_away(True, user=bob.id)
        await b.wait_for(lambda: b.presence.get(carol.id) == "away", what="carol away")
        await b.wait_for(lambda: carol.id in b.typing_in(GENERAL), what="carol typing")
        await asyncio.sleep(0.5)
        await close(a, b, c)
        return a, b, c

    a, b, c = run(scenario())
    assert c.errors[0]["error"]["code"] == "FORBIDDEN" and c.errors[0]["channel"] == room
    assert all(t.channel != room for t in a.typed + b.typed)
    assert b.presence.get(bob.id) == "online" and a.presence.get(bob.id) == "online"
    assert {t.user for t in a.typed} == {carol.id}


def test_signals_are_for_signed_in_chat_users_only(directus):
    """A user without the Chat User policy (here: no role) is refused; nothing is sent
    before the socket has said hello."""
    email = "norole@example.com"
    user = rest(directus, "POST", "/users", {"email": email, "password": "norole-pw",
                                             "status": "active"}, directus.admin_token)[1]
    token = rest(directus, "POST", "/auth/login", {"email": email,
                                                   "password": "norole-pw"})[1]["data"]

    async def scenario():
        peer = SignalPeer(directus.url, token["access_token"])
        await peer.connect(hello=False)
        await peer.typing(GENERAL)
        hello = await peer.hello()
        await asyncio.sleep(0.5)
        await peer.close()
        return hello, peer

    try:
        hello, peer = run(scenario())
    finally:  # a user without a role would show in provision's findings
        rest(directus, "DELETE", f"/users/{user['data']['id']}", token=directus.admin_token)
    assert hello["status"] == "error" and hello["error"]["code"] == "FORBIDDEN"
    assert [e["error"]["code"] for e in peer.errors] == ["INVALID_PAYLOAD", "FORBIDDEN"]
    assert peer.presence == {} and peer.typed == []

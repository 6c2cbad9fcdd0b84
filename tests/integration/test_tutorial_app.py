"""The app (its core, through the headless adapter) on a Directus set up the way the
tutorial says (tests/tutorial_db.py), for both variants: "tutorial" (integer id, the four
fields) and "uuid" (uuid id, no date_updated). It chats there as it is, with the
tutorial's client beside it; after `server.provision` it shows every old message, once,
and each send is stored exactly once, read back by its client key when the server
already has it.

The tests run in order on one server per variant: before the upgrade, then after.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import uuid
from collections import Counter

import pytest

from chat.core import Phase
from chat.core.schema import KeyKind
from chat.headless import HeadlessClient
from server.provision.__main__ import main
from tests.interop.tutorial_peer import TutorialPeer
from tests.tutorial_db import SEED
from tests.wire import all_messages, rest


@pytest.fixture(scope="module", params=["tutorial", "uuid"])
def server(request, tutorial_module_factory):
    server = tutorial_module_factory(request.param)
    server.variant = request.param
    return server


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 240))


async def app(server, name: str) -> HeadlessClient:
    client = HeadlessClient(server.url)
    await client.sign_in(*server.users[name])
    return client


def stored(server, marker: str) -> list[dict]:
    return [m for m in all_messages(server) if marker in m["content"]]


def test_the_app_chats_on_the_tutorial_database_as_it_is(server):
    """Roleless users, the Public grant, no field list: the app reads only the tutorial's
    fields (no date_updated, which neither variant has), shows the whole history, and
    chats live both ways with the tutorial's client."""
    marker = uuid.uuid4().hex[:8]

    async def scenario():
        async with await app(server, "carol") as carol, \
                await TutorialPeer.signed_in(server.url, *server.users["bob"]) as bob:
            caps = carol.client.capabilities
            assert not caps.field_list and not caps.has("date_updated")
            assert caps.key is {"tutorial": KeyKind.NONE, "uuid": KeyKind.ID}[server.variant]
            assert carol.contents() == [content for _, content in SEED]
            ids = [m.id for m in carol.messages]
            assert all(isinstance(i, int) == (server.variant == "tutorial") for i in ids)
            carol.send(f"{marker} from the app")
            await bob.wait_for(lambda: f"{marker} from the app" in bob.contents(), 30,
                               "the app's message")
            await carol.wait_for(lambda: not carol.outbox, 30, "the outbox to empty")
            await bob.send(f"{marker} from the tutorial")
            await carol.wait_for(lambda: f"{marker} from the tutorial" in carol.contents(),
                                 30, "the tutorial's message")
            assert [c for c in carol.contents() if marker in c] == [
                f"{marker} from the app", f"{marker} from the tutorial"]
            names = {m["content"]: m["user"] for m in bob.messages}
            assert names[f"{marker} from the app"] == "User"  # roleless: no names yet

    run(scenario())
    assert len(stored(server, marker)) == 2


def test_after_the_upgrade_every_old_message_shows_once_and_sends_are_exactly_once(server):
    before = all_messages(server)
    for flags in ((), ("--lock-down", "--assign-chat-role")):
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(["--url", server.url, "--token", server.admin_token, *flags]) == 0
    marker = uuid.uuid4().hex[:8]

    async def scenario():
        async with await app(server, "carol") as carol, await app(server, "alice") as alice:
            caps = carol.client.capabilities
            assert caps.field_list and caps.has("date_updated") and caps.can_edit
            key = {"tutorial": KeyKind.CLIENT_ID, "uuid": KeyKind.ID}[server.variant]
            assert caps.key is key
            shown = [m.id for m in carol.messages]
            assert Counter(shown) == Counter(m["id"] for m in before)  # each once
            assert carol.contents() == [m["content"] for m in before]
            sent = [carol.send(f"{marker} {n}") for n in range(3)]
            await alice.wait_for(lambda: sum(marker in c for c in alice.contents()) == 3, 30,
                                 "carol's three")
            await carol.wait_for(lambda: not carol.outbox, 30, "the outbox to empty")
            assert {m.user_name for m in alice.messages if marker in m.content} == {"Carol"}
            return sent, key

    sent, key = run(scenario())
    rows = stored(server, marker)
    assert [r["content"] for r in rows] == [f"{marker} {n}" for n in range(3)]
    assert [r[key.value] for r in rows] == sent  # stored under the outbox's keys


def test_a_send_the_server_has_already_is_read_back_by_its_key_not_stored_again(server):
    """As after a reply lost with the connection: the row with that client key exists,
    the create is RECORD_NOT_UNIQUE, the read-back by the key finds it."""
    marker, key = uuid.uuid4().hex[:8], str(uuid.uuid4())
    field = "client_id" if server.variant == "tutorial" else "id"
    token = server.login("carol")["access_token"]
    status, _ = rest(server, "POST", "/items/messages",
                     {field: key, "content": f"{marker} once"}, token)
    assert status == 200

    async def scenario():
        async with await app(server, "carol") as carol:
            assert carol.client.capabilities.key is not KeyKind.NONE  # after the upgrade
            carol.client._new_id = lambda: key  # the retry of that same message
            frames, send_frame = [], carol.send_frame
            carol.send_frame = lambda action: (frames.append(json.loads(action.text)),
                                               send_frame(action))
            assert carol.send(f"{marker} once") == key
            await carol.wait_for(lambda: not carol.outbox, 30, "the read-back")
            assert [f["action"] for f in frames if f["type"] == "items"] == ["create", "read"]
            assert frames[-1]["query"]["filter"] == {field: {"_in": [key]}}
            assert [c for c in carol.contents() if marker in c] == [f"{marker} once"]
            assert carol.phase is Phase.LIVE
            assert carol.requests["socket"] == 1

    run(scenario())
    assert len(stored(server, marker)) == 1


def test_a_restart_with_pending_messages_stores_each_once_in_order(server):
    marker = uuid.uuid4().hex[:8]

    async def scenario():
        async with await app(server, "alice") as alice, await app(server, "bob") as bob:
            await asyncio.to_thread(server.stop)
            await alice.wait_for(lambda: alice.phase != Phase.LIVE, 30, "the cut")
            for n in range(3):
                alice.send(f"{marker} during {n}")
            await asyncio.to_thread(server.start)
            expected = [f"{marker} during {n}" for n in range(3)]
            for client in (alice, bob):
                await client.wait_for(
                    lambda c=client: [x for x in c.contents() if marker in x] == expected, 90,
                    "every message after the restart")
            await alice.wait_for(lambda: not alice.outbox, 30, "an empty outbox")

    run(scenario())
    assert [r["content"] for r in stored(server, marker)] == [
        f"{marker} during {n}" for n in range(3)]

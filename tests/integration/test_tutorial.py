"""A Directus set up exactly as the tutorial says, not provisioned: what its users get, and
what Directus 11.17.4 answers there (facts the chat client relies on)."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest

from server.provision.__main__ import main
from server.provision.channels import GENERAL, MAY_POST
from server.provision.datastudio import PUBLIC_POLICY
from tests.interop.tutorial_peer import TutorialPeer
from tests.tutorial_db import SEED
from tests.wire import all_messages, ask, error_code, rest, snapshot, socket


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 120))


@pytest.fixture(scope="module")
def tutorial(tutorial_module_factory):
    return tutorial_module_factory("tutorial")


@pytest.fixture(scope="module")
def tokens(tutorial):
    return {name: tutorial.login(name)["access_token"] for name in tutorial.users}


async def peer(directus, name, sdk=19) -> TutorialPeer:
    return await TutorialPeer.signed_in(directus.url, *directus.users[name], sdk=sdk)


def test_the_database_is_what_the_data_studio_makes(tutorial):
    fields = {f["field"]: f for f in rest(tutorial, "GET", "/fields/messages",
                                          token=tutorial.admin_token)[1]["data"]}
    assert list(fields) == ["id", "user_created", "date_created", "content"]
    assert fields["id"]["type"] == "integer"
    assert fields["id"]["schema"]["is_primary_key"] and fields["id"]["schema"][
        "has_auto_increment"]
    assert (fields["content"]["type"], fields["content"]["meta"]["interface"]) == (
        "text", "input-multiline")
    assert fields["user_created"]["meta"]["special"] == ["user-created"]
    assert fields["date_created"]["meta"]["special"] == ["date-created", "cast-timestamp"]
    public = rest(tutorial, "GET", f"/permissions?filter[policy][_eq]={PUBLIC_POLICY}",
                  token=tutorial.admin_token)[1]["data"]
    assert sorted((p["collection"], p["action"], p["fields"]) for p in public) == [
        ("messages", "create", ["*"]), ("messages", "read", ["*"])]
    history = all_messages(tutorial)
    assert [m["content"] for m in history][:len(SEED)] == [content for _, content in SEED]
    assert [m["id"] for m in history][:len(SEED)] == list(range(1, len(SEED) + 1))
    assert history[3]["user_created"] is None  # posted without signing in


def test_two_tutorial_clients_chat_both_ways_live_and_in_history(tutorial):
    marker = uuid.uuid4().hex[:8]

    async def scenario():
        async with await peer(tutorial, "alice") as alice, await peer(tutorial, "bob") as bob:
            assert alice.contents()[:len(SEED)] == [content for _, content in SEED]
            await alice.send(f"{marker} hi bob")
            await bob.wait_for(lambda: f"{marker} hi bob" in bob.contents(), what="alice's")
            await bob.send(f"{marker} hi alice")
            await alice.wait_for(lambda: f"{marker} hi alice" in alice.contents(), what="bob's")
            assert not alice.errors and not bob.errors
            # The frames are the tutorial's: a create carries {content} and a counter uid.
            assert alice.sent[-1] == {"type": "items", "collection": "messages",
                                      "action": "create",
                                      "data": {"content": f"{marker} hi bob"}, "uid": "3"}
        async with await peer(tutorial, "carol") as carol:
            mine = [m for m in carol.messages if marker in m["content"]]
            assert [m["content"] for m in mine] == [f"{marker} hi bob", f"{marker} hi alice"]
            # Under the Public policy nobody may read users: user_created.first_name is
            # silently left out, so the tutorial shows "User" for everyone.
            assert {m["user"] for m in carol.messages} == {"User"}

    run(scenario())


def test_the_sdk_26_subscribe_shape_gets_the_same_events(tutorial):
    """SDK 26 sends the subscription's fields as one comma-separated string."""
    marker = uuid.uuid4().hex[:8]

    async def scenario():
        async with await peer(tutorial, "alice", sdk=26) as alice, \
                await peer(tutorial, "bob") as bob:
            assert alice.sent[-1]["query"] == {"fields": "id,content,user_created.first_name"}
            await bob.send(marker)
            await alice.wait_for(lambda: marker in alice.contents(), what="bob's message")

    run(scenario())


def test_the_public_policy_applies_to_signed_in_users_without_a_role_only(tutorial, tokens):
    """Directus 11 gives Public's access to anonymous clients and to users with no role;
    a user with any role gets only that role's policies."""
    assert rest(tutorial, "GET", "/items/messages?limit=1")[0] == 200
    status, body = rest(tutorial, "POST", "/items/messages", {"content": "anonymous"})
    assert status == 200 and body["data"]["user_created"] is None  # "as nobody"
    assert rest(tutorial, "GET", "/items/messages?limit=1", token=tokens["alice"])[0] == 200

    admin = tutorial.admin_token
    role = rest(tutorial, "POST", "/roles", {"name": "Reader elsewhere"}, admin)[1]["data"]
    rest(tutorial, "POST", "/users", {"email": "dave@example.com", "password": "dave-pw-1",
                                      "role": role["id"]}, admin)
    dave = rest(tutorial, "POST", "/auth/login", {"email": "dave@example.com",
                                                  "password": "dave-pw-1"})[1]["data"]
    status, body = rest(tutorial, "GET", "/items/messages?limit=1",
                        token=dave["access_token"])
    assert status == 403 and error_code(body) == "FORBIDDEN"


def test_a_field_that_does_not_exist_is_forbidden_over_rest_and_the_socket(tutorial, tokens):
    """The app once asked for date_updated here; Directus says FORBIDDEN, naming the field,
    and on the socket the error frame carries no uid (Directus 11)."""
    status, body = rest(tutorial, "GET", "/items/messages?fields=id,date_updated",
                        token=tokens["alice"])
    assert status == 403 and error_code(body) == "FORBIDDEN"
    assert body["errors"][0]["message"] == (
        'You don\'t have permission to access field "date_updated" in collection "messages" '
        "or it does not exist. Queried in root.")
    with socket(tutorial, tokens["alice"]) as ws:
        reply = ask(ws, {"type": "items", "collection": "messages", "action": "read",
                         "query": {"fields": ["id", "date_updated"]}, "uid": "r1"})
        assert reply["type"] == "items" and reply["status"] == "error"
        assert reply["error"]["code"] == "FORBIDDEN" and "date_updated" in reply[
            "error"]["message"]
        assert "uid" not in reply
        # The socket stays open and usable.
        reply = ask(ws, {"type": "items", "collection": "messages", "action": "read",
                         "query": {"fields": ["id"], "limit": 1}, "uid": "r2"})
        assert reply["uid"] == "r2" and len(reply["data"]) == 1


def test_users_without_a_role_may_not_read_the_field_list(tutorial, tokens):
    """GET /fields/messages needs read on directus_fields; the Public policy has none."""
    status, body = rest(tutorial, "GET", "/fields/messages", token=tokens["alice"])
    assert status == 403 and error_code(body) == "FORBIDDEN"
    assert "directus_fields" in body["errors"][0]["message"]


def test_under_all_access_a_create_with_an_unknown_field_is_stored_without_it(tutorial,
                                                                               tokens):
    """With the Public policy's fields ["*"], an unknown field is dropped silently and a
    forged author is overwritten by the server."""
    with socket(tutorial, tokens["alice"]) as ws:
        me = rest(tutorial, "GET", "/users/me", token=tokens["alice"])[1]["data"]["id"]
        reply = ask(ws, {"type": "items", "collection": "messages", "action": "create",
                         "data": {"content": "extra", "client_id": str(uuid.uuid4()),
                                  "user_created": None}, "uid": "c1"})
        assert reply["uid"] == "c1"
        assert "client_id" not in reply["data"]
        assert reply["data"]["user_created"] == me


def test_check_names_each_missing_field_and_permission_and_changes_nothing(tutorial, capsys):
    before = snapshot(tutorial)
    capsys.readouterr()
    assert main(["--url", tutorial.url, "--token", tutorial.admin_token, "--check"]) == 3
    out = capsys.readouterr().out
    fix = f"  Fix: python -m server.provision --url {tutorial.url} --token ADMIN_TOKEN\n"
    for missing in ("field messages.user_updated (who last edited a message)",
                    "field messages.date_updated (when a message was edited; edits are "
                    "marked by it)",
                    "field messages.client_id (uuid, unique; the client key, without which a "
                    "send retried after a lost reply can be stored twice)",
                    "collection channels", "collection channel_members",
                    "field messages.channel (the channel of each message; the existing ones go "
                    "to general)",
                    "role Chat User"):
        assert f"Missing: {missing}\n{fix}" in out
    assert ("Missing: permission for Chat User: create on messages (fields channel, client_id, "
            f"content, mentions, reply_to), checked by {json.dumps(MAY_POST)}, preset "
            f'{{"channel": "{GENERAL}"}}\n{fix}') in out
    assert ("Risk: The Public policy's create on messages: anyone can post, unauthenticated, "
            "as nobody. Signed-in users without a role get it too.\n  To remove it: "
            f"python -m server.provision --url {tutorial.url} --token ADMIN_TOKEN "
            "--lock-down\n") in out
    assert out.endswith("Check: 38 missing; nothing was changed.\n")
    assert snapshot(tutorial) == before


def test_any_signed_in_user_may_read_their_own_permissions(tutorial, tokens):
    """GET /permissions/me says, per collection and action, what the user may do: how a
    client can name the permission it lacks."""
    status, body = rest(tutorial, "GET", "/permissions/me", token=tokens["alice"])
    assert status == 200 and set(body["data"]) == {"messages"}
    assert body["data"]["messages"] == {
        "read": {"access": "full", "fields": ["*"]},
        "create": {"access": "full", "fields": ["*"]},
        "update": {"access": "none"}, "delete": {"access": "none"},
        "share": {"access": "none"}}

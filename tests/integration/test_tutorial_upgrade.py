"""`python -m server.provision` upgrades a tutorial database in place: every message and
author kept, what the app needs added, sends made exactly-once by a client key, access
cut to least privilege on request; and the tutorial's own client keeps working.

Run for both tutorial variants (tests/tutorial_db.py): "tutorial" (integer id, the four
fields, Textarea content) and "uuid" (uuid id, Input content, no date_updated).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import uuid
from dataclasses import dataclass

import pytest

from chat.headless import HeadlessClient
from server.provision.__main__ import main
from server.provision.datastudio import PUBLIC_POLICY
from tests.channel_helpers import GENERAL
from tests.interop.tutorial_peer import TutorialPeer
from tests.tutorial_db import SEED
from tests.wire import all_messages, ask, error_code, rest, snapshot, socket

RUNS = ((), (), ("--lock-down", "--assign-chat-role"), ("--lock-down",))


@dataclass
class Upgrade:
    server: object
    variant: str
    key: str                  # the field the client sends its key in
    before: list[dict]        # the messages before the upgrade
    runs: list[tuple[int, str]]   # (exit code, output) of each of RUNS
    snapshots: list[dict]     # the database after each of RUNS


@pytest.fixture(scope="module", params=["tutorial", "uuid"])
def upgrade(request, tutorial_module_factory):
    server = tutorial_module_factory(request.param)
    before = all_messages(server)
    runs, snapshots = [], []
    for flags in RUNS:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = main(["--url", server.url, "--token", server.admin_token, *flags])
        runs.append((code, out.getvalue()))
        snapshots.append(snapshot(server))
    return Upgrade(server, request.param, "client_id" if request.param == "tutorial" else "id",
                   before, runs, snapshots)


CHANNELS_ADDED = [
    "Created collection channels (name, description, kind, open_to, dm_key, user_created, "
    "date_created).",
    "Created collection channel_members (channel, user, user_created, date_created).",
    "Added field directus_policies.chat_open_channels (the channels open to a policy, read by "
    "the checks on posting and joining).",
    "Linked channels.open_to to directus_policies.",
    "Added field directus_users.chat_created_channels (the channels a user created, read by "
    "the check on adding members).",
    "Linked channels.user_created to directus_users.",
    "Added field channels.members (a channel's members, read by the rules on who sees a "
    "channel).",
    "Linked channel_members.channel to channels.",
    "Added field directus_users.chat_memberships (a user's memberships, read by the check on "
    "posting).",
    "Linked channel_members.user to directus_users.",
    "Linked channel_members.user_created to directus_users.",
]


def changes(output: str) -> list[str]:
    """The lines saying what changed (not the risks, notes and their fixes, nor the summary)."""
    return [line for line in output.splitlines() if line and not line.startswith(
        ("Risk:", "Note:", "  ", "Directus is set up"))]


@pytest.fixture(scope="module")
def tokens(upgrade):
    return {name: upgrade.server.login(name)["access_token"] for name in upgrade.server.users}


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 120))


def test_the_upgrade_keeps_every_message_and_says_what_it_added(upgrade):
    assert [m["content"] for m in upgrade.before] == [content for _, content in SEED]
    after = {m["id"]: m for m in all_messages(upgrade.server)}
    for old in upgrade.before:  # same ids, contents, authors and dates
        assert {k: after[old["id"]][k] for k in old} == old
    code, out = upgrade.runs[0]
    assert code == 0
    added = {"tutorial": ["Added field messages.user_updated (who last edited a message).",
                          "Added field messages.date_updated (when a message was edited; "
                          "edits are marked by it).",
                          "Linked messages.user_updated to directus_users.",
                          "Added field messages.client_id (uuid, unique: the client key that "
                          "makes each send exactly-once)."],
             "uuid": ["Added field messages.date_updated (when a message was edited; edits "
                      "are marked by it)."]}[upgrade.variant]
    lines = changes(out)
    allowed = [line for line in lines if line.startswith("Allowed Chat User ")]
    assert [line for line in lines if line not in allowed] == [
        *added, *CHANNELS_ADDED, "Created policy Chat User.",
        "Created channel general (open to every chat user).",
        "Added field messages.channel (every message so far is now in general).",
        "Linked messages.channel to channels.",
        "Created role Chat User with policy Chat User."]
    # The whole rule of each is in server/provision/channels.py; here, what is granted.
    assert [line.split(" (fields ")[0].split(", rows where")[0] for line in allowed] == [
        "Allowed Chat User read on messages", "Allowed Chat User create on messages",
        "Allowed Chat User update on messages, own rows only",
        "Allowed Chat User delete on messages, own rows only",
        "Allowed Chat User read on directus_users", "Allowed Chat User read on directus_fields",
        "Allowed Chat User read on channels", "Allowed Chat User create on channels",
        "Allowed Chat User update on channels", "Allowed Chat User read on channel_members",
        "Allowed Chat User create on channel_members",
        "Allowed Chat User delete on channel_members"]
    assert (f"Allowed Chat User create on messages (fields "
            f"{', '.join(sorted({'channel', 'content', upgrade.key}))}), checked by ") in out
    assert "Allowed Chat User read on directus_users (fields id, first_name)." in allowed
    assert all(m["channel"] == GENERAL for m in after.values())
    assert all(m["date_updated"] is None for m in after.values()), "none looks edited"
    assert ("Risk: The Public policy's create on messages: anyone can post, unauthenticated, "
            "as nobody.") in out
    assert "Risk: The Public policy's read on messages" in out
    assert "Note: 3 active users have no role (alice@example.com, bob@example.com, " in out
    assert upgrade.server.admin_token not in out


def test_running_it_again_changes_nothing(upgrade):
    code, out = upgrade.runs[1]
    assert code == 0 and changes(out) == []
    assert out.endswith("Directus is set up for the chat: nothing changed.\n")
    assert upgrade.snapshots[1] == upgrade.snapshots[0]
    assert upgrade.runs[3] == (0, "Directus is set up for the chat: nothing changed.\n")
    assert upgrade.snapshots[3] == upgrade.snapshots[2]


def test_lock_down_leaves_the_public_policy_nothing_and_users_get_the_chat_role(upgrade):
    code, out = upgrade.runs[2]
    assert code == 0 and changes(out) == [
        "Gave alice@example.com the role Chat User.", "Gave bob@example.com the role Chat User.",
        "Gave carol@example.com the role Chat User.",
        "Removed the Public policy's create on messages (anyone can post, unauthenticated, "
        "as nobody).",
        "Removed the Public policy's read on messages (anyone can read every message without "
        "signing in, those of private channels and DMs too)."]
    server = upgrade.server
    assert rest(server, "GET", f"/permissions?filter[policy][_eq]={PUBLIC_POLICY}",
                token=server.admin_token)[1]["data"] == []
    for method, body in (("GET", None), ("POST", {"content": "from nobody"})):
        status, reply = rest(server, method, "/items/messages", body)
        assert status == 403 and error_code(reply) == "FORBIDDEN"


def test_a_client_key_sent_twice_is_record_not_unique_over_rest_and_the_socket(upgrade,
                                                                                tokens):
    server, key = upgrade.server, upgrade.key
    over_rest = str(uuid.uuid4())
    first = rest(server, "POST", "/items/messages", {"content": "once", key: over_rest},
                 tokens["alice"])
    assert first[0] == 200 and first[1]["data"][key] == over_rest
    status, body = rest(server, "POST", "/items/messages", {"content": "once", key: over_rest},
                        tokens["alice"])
    assert status == 400 and error_code(body) == "RECORD_NOT_UNIQUE"

    over_socket = str(uuid.uuid4())
    frame = {"type": "items", "collection": "messages", "action": "create",
             "data": {"content": "once", key: over_socket}, "uid": "c1"}
    with socket(server, tokens["bob"]) as ws:
        assert ask(ws, frame)["data"][key] == over_socket
        retry = ask(ws, {**frame, "uid": "c2"})
        assert retry["status"] == "error" and retry["error"]["code"] == "RECORD_NOT_UNIQUE"
        assert "uid" not in retry  # Directus 11 sends error frames of items without it
    stored = [m[key] for m in all_messages(server)]
    assert stored.count(over_rest) == 1 and stored.count(over_socket) == 1


def test_chat_users_have_least_privilege_after_the_upgrade(upgrade, tokens):
    server = upgrade.server
    old = next(m for m in upgrade.before if m["content"] == "Hello from the tutorial")
    path = f"/items/messages/{old['id']}"
    for method, body in (("PATCH", {"content": "edited by bob"}), ("DELETE", None)):
        status, reply = rest(server, method, path, body, tokens["bob"])
        assert status == 403 and error_code(reply) == "FORBIDDEN", method
    with socket(server, tokens["bob"]) as ws:
        reply = ask(ws, {"type": "items", "collection": "messages", "action": "update",
                         "id": old["id"], "data": {"content": "edited by bob"}, "uid": "u1"})
        assert reply["error"]["code"] == "FORBIDDEN"
        # A field the user may not write (the author; one that does not exist) is refused,
        # nothing stored.
        count = len(all_messages(server))
        for extra in ({"user_created": None}, {"no_such_field": 1}):
            reply = ask(ws, {"type": "items", "collection": "messages", "action": "create",
                             "data": {"content": "forged", **extra}, "uid": "c1"})
            assert reply["status"] == "error" and reply["error"]["code"] == "FORBIDDEN", extra
            assert "uid" not in reply and len(all_messages(server)) == count

    # Alice edits her message from before the upgrade: now marked as edited, by her.
    status, reply = rest(server, "PATCH", path, {"content": "Hello, edited"}, tokens["alice"])
    assert status == 200 and reply["data"]["date_updated"]
    assert reply["data"]["user_updated"] == old["user_created"]
    status, reply = rest(server, "GET", "/users?fields=email", token=tokens["alice"])
    assert status == 403
    if upgrade.variant == "tutorial":  # the server picks integer ids
        status, reply = rest(server, "POST", "/items/messages", {"content": "x", "id": 999},
                             tokens["alice"])
        assert status == 403 and error_code(reply) == "FORBIDDEN"


def test_chat_users_may_read_the_field_list_of_messages(upgrade, tokens):
    status, body = rest(upgrade.server, "GET", "/fields/messages", token=tokens["carol"])
    assert status == 200
    fields = {f["field"]: f for f in body["data"]}
    assert {"id", "content", "user_created", "date_created", "user_updated", "date_updated",
            upgrade.key} <= set(fields)
    # What a client learns from it: the key's type, and the longest content there is room for.
    assert fields["id"]["type"] == {"tutorial": "integer", "uuid": "uuid"}[upgrade.variant]
    assert fields["content"]["schema"]["max_length"] == {"tutorial": None,
                                                         "uuid": 255}[upgrade.variant]
    status, body = rest(upgrade.server, "GET", "/fields/directus_users", token=tokens["carol"])
    assert {f["field"] for f in body["data"]} == {"id", "first_name"}


def test_chat_users_may_read_what_they_are_allowed(upgrade, tokens):
    status, body = rest(upgrade.server, "GET", "/permissions/me", token=tokens["carol"])
    assert status == 200
    assert body["data"]["messages"] == {
        "read": {"access": "partial", "fields": ["*"]},  # the channels they may read
        "create": {"access": "full", "fields": sorted({"channel", "content", upgrade.key}),
                   "presets": {"channel": GENERAL}},
        "update": {"access": "partial", "fields": ["content"]},
        "delete": {"access": "partial", "fields": ["*"]},
        "share": {"access": "none"}}
    assert body["data"]["directus_users"]["read"] == {"access": "full",
                                                      "fields": ["id", "first_name"]}


def test_the_tutorial_client_still_chats_and_now_shows_names(upgrade):
    server, marker = upgrade.server, uuid.uuid4().hex[:8]

    async def scenario():
        async with await TutorialPeer.signed_in(server.url, *server.users["alice"]) as alice, \
                await TutorialPeer.signed_in(server.url, *server.users["bob"]) as bob:
            assert {m["content"] for m in alice.messages} >= {
                c for _, c in SEED if c != "Hello from the tutorial"}
            await alice.send(f"{marker} hi bob")
            await bob.wait_for(lambda: f"{marker} hi bob" in bob.contents(), what="alice's")
            await bob.send(f"{marker} hi alice")
            await alice.wait_for(lambda: f"{marker} hi alice" in alice.contents(), what="bob's")
            assert not alice.errors and not bob.errors
            names = {m["content"]: m["user"] for m in alice.messages}
            assert names[f"{marker} hi bob"] == "Alice" and names[f"{marker} hi alice"] == "Bob"
            assert names["Posted without signing in"] == "User"

    run(scenario())
    # The tutorial sends no key: the server made one for each of its messages.
    stored = [m for m in all_messages(server) if marker in m["content"]]
    assert len(stored) == 2 and all(m[upgrade.key] for m in stored)


def test_the_app_and_the_tutorial_client_chat_both_ways(upgrade, request):
    if upgrade.variant == "tutorial":
        request.applymarker(pytest.mark.xfail(strict=True, reason=(
            "client side of issue 11, still to do: the core drops rows with an integer id "
            "and sends its key as id, where this collection needs client_id")))
    server, marker = upgrade.server, uuid.uuid4().hex[:8]

    async def scenario():
        app = HeadlessClient(server.url)
        await app.sign_in(*server.users["carol"])
        async with app, await TutorialPeer.signed_in(server.url, *server.users["bob"]) as bob:
            assert "Posted without signing in" in app.contents()
            app.send(f"{marker} from the app")
            await bob.wait_for(lambda: f"{marker} from the app" in bob.contents(), 30,
                               "the app's message")
            await bob.send(f"{marker} from the tutorial")
            await app.wait_for(lambda: f"{marker} from the tutorial" in app.contents(), 30,
                               "the tutorial's message")
            names = {m["content"]: m["user"] for m in bob.messages}
            assert names[f"{marker} from the app"] == "Carol"

    run(scenario())

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
from datetime import UTC, datetime

import pytest

from chat.headless import HeadlessClient
from server.provision.__main__ import main
from server.provision.channels import GENERAL, MAY_POST, through
from server.provision.datastudio import PUBLIC_POLICY
from tests.channel_helpers import (
    CHANNELS_ADDED,
    IN_READABLE_CHANNEL,
    channels_allowed,
    policy_id,
    rule,
)
from tests.history import check_scrollback
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
    create = ", ".join(sorted({"channel", "content", upgrade.key, "mentions", "reply_to"}))
    assert changes(out) == [
        *added, *CHANNELS_ADDED, "Created policy Chat User.",
        "Created channel general (open to every chat user).",
        "Added field messages.channel (every message so far is now in general).",
        "Linked messages.channel to channels.",
        "Added field messages.reply_to (the message this one replies to).",
        "Added field messages.mentions (the ids of the users a message mentions).",
        "Created collection reactions (one emoji per user and message).",
        "Linked reactions.message to messages, on delete CASCADE.",
        "Linked reactions.user_created to directus_users, on delete CASCADE.",
        "Created the flow 'Chat: unique key of reactions' (one row of reactions per user, "
        "message and emoji).",
        "Created collection read_positions (up to which message each user has read in each "
        "channel).",
        "Linked read_positions.user_created to directus_users, on delete CASCADE.",
        "Linked read_positions.channel to channels, on delete CASCADE.",
        "Created the flow 'Chat: unique key of read_positions' (one row of read_positions "
        "per user and channel).",
        f"Allowed Chat User read on messages, rows where {rule(IN_READABLE_CHANNEL)} "
        "(fields *).",
        f"Allowed Chat User create on messages (fields {create}), checked by "
        f'{rule(MAY_POST)}, preset {{"channel": "{GENERAL}"}}.',
        "Allowed Chat User update on messages, own rows only, sent within the last 15 "
        "minutes (fields content, mentions).",
        "Allowed Chat User delete on messages, own rows only, sent within the last 15 "
        "minutes (fields *).",
        "Allowed Chat User read on directus_users (fields avatar, first_name, id).",
        *channels_allowed(policy_id(upgrade.server)),
        "Allowed Chat User read on directus_permissions, rows where {\"_and\": "
        "[{\"policy\": {\"_in\": \"$CURRENT_POLICIES\"}}, {\"collection\": {\"_eq\": "
        "\"messages\"}}, {\"action\": {\"_in\": [\"update\", \"delete\"]}}]} (fields "
        "action, collection, permissions).",
        "Allowed Chat User read on reactions, rows where "
        f"{rule(through('message', IN_READABLE_CHANNEL))} (fields *).",
        "Allowed Chat User create on reactions (fields emoji, key, message).",
        "Allowed Chat User delete on reactions, own rows only (fields *).",
        "Allowed Chat User read on read_positions, own rows only (fields *).",
        "Allowed Chat User create on read_positions (fields channel, key, last_read, "
        f"last_read_date), checked by {rule(MAY_POST)}.",
        "Allowed Chat User update on read_positions, own rows only (fields last_read, "
        "last_read_date).",
        'Allowed Chat User read on directus_files, rows where {"$FOLLOW(directus_users,'
        'avatar)": {"_some": {"id": {"_nnull": true}}}} (fields id).',
        'Allowed Chat User read on directus_fields, rows where {"collection": {"_in": '
        '["channel_members", "channels", "messages", "reactions", "read_positions"]}} '
        "(fields *).",
        "Created role Chat User with policy Chat User."]
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

    # Alice edits her message from before the upgrade: now marked as edited, by her. (The
    # edit window counts from date_created, and the template may be older: renew it.)
    now = datetime.now(UTC).isoformat()
    assert rest(server, "PATCH", path, {"date_created": now}, server.admin_token)[0] == 200
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
    assert {f["field"] for f in body["data"]} == {"id", "first_name", "avatar"}


def test_chat_users_may_read_what_they_are_allowed(upgrade, tokens):
    status, body = rest(upgrade.server, "GET", "/permissions/me", token=tokens["carol"])
    assert status == 200
    assert body["data"]["messages"] == {
        "read": {"access": "partial", "fields": ["*"]},  # the channels they may read
        "create": {"access": "full",
                   "fields": sorted({"channel", "content", upgrade.key, "mentions",
                                     "reply_to"}),
                   "presets": {"channel": GENERAL}},
        "update": {"access": "partial", "fields": ["content", "mentions"]},
        "delete": {"access": "partial", "fields": ["*"]},
        "share": {"access": "none"}}
    assert body["data"]["directus_users"]["read"] == {
        "access": "full", "fields": ["avatar", "first_name", "id"]}
    assert body["data"]["reactions"] == {
        "read": {"access": "partial", "fields": ["*"]},  # those of the channels they may read
        "create": {"access": "full", "fields": ["emoji", "key", "message"]},
        "update": {"access": "none"},
        "delete": {"access": "partial", "fields": ["*"]},
        "share": {"access": "none"}}
    assert body["data"]["read_positions"] == {
        "read": {"access": "partial", "fields": ["*"]},
        "create": {"access": "full", "fields": ["channel", "key", "last_read",
                                                "last_read_date"]},
        "update": {"access": "partial", "fields": ["last_read", "last_read_date"]},
        "delete": {"access": "none"},
        "share": {"access": "none"}}


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


def test_the_app_and_the_tutorial_client_chat_both_ways(upgrade):
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


def test_replies_reactions_read_positions_and_scrollback_work_on_the_upgraded_collection(
        upgrade, tokens):
    """With the collection's own ids: integers on the tutorial's, uuids on the other."""
    server = upgrade.server
    original = rest(server, "POST", "/items/messages", {"content": "original"},
                    tokens["alice"])[1]["data"]
    key = original["id"]
    assert isinstance(key, int) == (upgrade.variant == "tutorial")
    status, reply = rest(server, "POST", "/items/messages",
                         {"content": "a reply", "reply_to": key}, tokens["bob"])
    assert status == 200 and reply["data"]["reply_to"] == key

    status, reaction = rest(server, "POST", "/items/reactions",
                            {"message": key, "emoji": "👍"}, tokens["bob"])
    assert status == 200 and reaction["data"]["message"] == key
    # The same message named another way is the same reaction.
    other_way = str(key) if upgrade.variant == "tutorial" else key.upper()
    status, body = rest(server, "POST", "/items/reactions",
                        {"message": other_way, "emoji": "👍"}, tokens["bob"])
    assert status == 400 and error_code(body) == "RECORD_NOT_UNIQUE"

    status, body = rest(server, "POST", "/items/read_positions", {
        "last_read": key, "last_read_date": original["date_created"]}, tokens["carol"])
    assert status == 200 and body["data"]["last_read"] == key

    check_scrollback(server, tokens["carol"], uuid.uuid4().hex)

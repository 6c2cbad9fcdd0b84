"""A database set up by the previous version of the setup (an old `make run` data folder)
is upgraded in place: every message kept, the new collections, fields, flows and
permissions added, each change printed; a second run changes nothing.

The previous setup is the real one: server/provision as it was at PREVIOUS (the commit
before issue 12), taken from git and run as its own process.
"""

from __future__ import annotations

import io
import shutil
from contextlib import redirect_stdout

import pytest

from server.local import DirectusServer, SetupError, free_port
from server.provision.__main__ import main
from server.provision.channels import GENERAL, MAY_POST, through
from tests import old_setup
from tests.channel_helpers import (
    CHANNELS_ADDED,
    IN_READABLE_CHANNEL,
    channels_allowed,
    policy_id,
    rule,
)
from tests.tutorial_db import call, login
from tests.wire import all_messages

PREVIOUS = "a0da9318132b130387bd571d633dbbdf45a539ac"


@pytest.fixture(scope="module")
def server(bare_template, tmp_path_factory):
    """A Directus whose chat was set up by the previous version, with some history."""
    work = tmp_path_factory.mktemp("previous-setup")
    shutil.copyfile(bare_template.db_file, work / "directus.db")
    directus = DirectusServer(work / "directus.db", free_port(), "http://127.0.0.1")
    directus.admin_token = bare_template.admin_token
    try:
        directus.start()
    except SetupError as error:
        pytest.fail(str(error), pytrace=False)
    try:
        out = old_setup.provision(old_setup.unpack(PREVIOUS, work / "code"), directus,
                                  "--demo-users")
        assert "messages.reply_to" not in out  # really the previous version
        for name, content in (("alice", "before the upgrade"), ("bob", "me too")):
            call(directus.url, "POST", "/items/messages", {"content": content},
                 login(directus.url, name))
        yield directus
    finally:
        directus.stop()


def run(server) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["--url", server.url, "--token", server.admin_token])
    return code, out.getvalue()


def test_the_previous_setup_is_upgraded_in_place_and_then_left_alone(server):
    before = all_messages(server)
    assert [m["content"] for m in before] == ["before the upgrade", "me too"]
    code, out = run(server)
    assert code == 0
    assert out.splitlines() == [
        *CHANNELS_ADDED,
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
        "Corrected the read permission on messages of Chat User to read on messages, rows "
        f"where {rule(IN_READABLE_CHANNEL)} (fields *).",
        "Corrected the create permission on messages of Chat User to create on messages "
        f"(fields channel, content, id, mentions, reply_to), checked by {rule(MAY_POST)}, "
        f'preset {{"channel": "{GENERAL}"}}.',
        "Corrected the update permission on messages of Chat User to update on messages, "
        "own rows only, sent within the last 15 minutes (fields content, mentions).",
        "Corrected the delete permission on messages of Chat User to delete on messages, "
        "own rows only, sent within the last 15 minutes (fields *).",
        "Corrected the read permission on directus_users of Chat User to read on "
        "directus_users (fields avatar, first_name, id).",
        *channels_allowed(policy_id(server)),
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
        "Allowed Chat User read on directus_files, rows where {\"$FOLLOW(directus_users,"
        "avatar)\": {\"_some\": {\"id\": {\"_nnull\": true}}}} (fields id).",
        "Corrected the read permission on directus_fields of Chat User to read on "
        "directus_fields, rows where {\"collection\": {\"_in\": [\"channel_members\", "
        "\"channels\", \"messages\", \"reactions\", \"read_positions\"]}} (fields *).",
        "Directus is set up for the chat: 44 changes."]
    after = {m["id"]: m for m in all_messages(server)}
    for old in before:  # same ids, contents, authors and dates; the new fields empty
        assert {k: after[old["id"]][k] for k in old} == old
        assert after[old["id"]]["reply_to"] is None and after[old["id"]]["mentions"] is None
        assert after[old["id"]]["channel"] == GENERAL
    assert run(server) == (0, "Directus is set up for the chat: nothing changed.\n")


def test_after_the_upgrade_the_old_messages_get_replies_and_reactions(server):
    run(server)
    old = next(m for m in all_messages(server) if m["content"] == "before the upgrade")
    bob = login(server.url, "bob")
    reply = call(server.url, "POST", "/items/messages",
                 {"content": "a reply", "reply_to": old["id"]}, bob)
    assert reply["reply_to"] == old["id"]
    reaction = call(server.url, "POST", "/items/reactions",
                    {"message": old["id"], "emoji": "🎉"}, bob)
    assert reaction["message"] == old["id"]

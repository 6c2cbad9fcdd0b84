"""A database set up before channels existed (an old `make run`: server/provision as it
was at BEFORE_CHANNELS, from git) is upgraded in place: every message, edited or not,
keeps its id, author, dates and text and lands in general, and each read position becomes
its user's position in general, still one per user and channel; the tutorial's messages
likewise (tests/integration/test_tutorial_upgrade.py)."""

from __future__ import annotations

import pytest

import server.provision as provision
from tests import old_setup
from tests.channel_helpers import GENERAL, Member, code
from tests.wire import all_messages, snapshot

BEFORE_CHANNELS = "d8bd416415c8e8b7bd69bf11e44cfdaf752520a5"


@pytest.fixture
def old_make_run(bare_factory, tmp_path):
    """A Directus provisioned by the setup as it was before channels, with history and a
    read position."""
    server = bare_factory()
    old_setup.provision(old_setup.unpack(BEFORE_CHANNELS, tmp_path), server, "--demo-users")
    assert "channels" not in {c["collection"] for c in snapshot(server)["/collections?limit=-1"]}
    alice, bob = Member(server, "alice"), Member(server, "bob")
    first = alice.post(None, "before channels")[1]["data"]["id"]
    bob.post(None, "a reply")
    assert alice.call("PATCH", f"/items/messages/{first}", {"content": "edited once"})[0] == 200
    status, body = alice.call("POST", "/items/read_positions", {"last_read": first})
    assert status == 200 and body["data"]["key"] == alice.id, "really the setup of then"
    return server


def test_an_old_make_run_database_keeps_every_message_and_puts_it_in_general(old_make_run):
    server = old_make_run
    before = all_messages(server)
    assert provision.provision(server.url, server.admin_token, check=True, quiet=True).changes \
        == []
    report = provision.provision(server.url, server.admin_token, demo_users=True, quiet=True)
    assert "Created channel general (open to every chat user)." in report.changes
    after = all_messages(server)
    assert [{k: m[k] for k in [*before[0], "channel"]} for m in after] == [
        {**m, "channel": GENERAL} for m in before]
    assert [m["date_updated"] is not None for m in after] == [True, False], \
        "the edited message keeps its mark, the other gets none"
    again = snapshot(server)
    assert provision.provision(server.url, server.admin_token, demo_users=True,
                               quiet=True).changes == []
    assert snapshot(server) == again

    # Alice's read position is her position in general, and still her only one there.
    alice = Member(server, "alice")
    [kept] = alice.call("GET", "/items/read_positions")[1]["data"]
    assert (kept["channel"], kept["key"]) == (GENERAL, f"{alice.id} {GENERAL}")
    assert "Keyed 1 read positions by user and channel (they are the positions in general)." \
        in report.changes
    assert code(alice.call("POST", "/items/read_positions", {"last_read": None})) == \
        "RECORD_NOT_UNIQUE"
    room = alice.create_channel("after")
    assert alice.call("POST", "/items/read_positions", {"channel": room})[0] == 200

    # The app and the tutorial's client go on posting with {content} only, into general.
    status, body = Member(server, "carol").post(None, "after the upgrade")
    assert status == 200 and body["data"]["channel"] == GENERAL

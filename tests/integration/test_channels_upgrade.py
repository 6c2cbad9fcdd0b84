"""A database set up before channels existed (an old `make run`) is upgraded in place:
every message, edited or not, keeps its id, author, dates and text and lands in general;
the tutorial's messages likewise (tests/integration/test_tutorial_upgrade.py)."""

from __future__ import annotations

import pytest

import server.provision as provision
from server.provision import channels
from server.provision.steps import STEPS
from tests.channel_helpers import GENERAL, Member
from tests.wire import all_messages, snapshot


@pytest.fixture
def old_make_run(bare_factory, monkeypatch):
    """A Directus provisioned by the steps as they were before channels, with history."""
    server = bare_factory()
    with monkeypatch.context() as patch:
        patch.setattr(provision, "STEPS", tuple(s for s in STEPS if s is not channels))
        provision.provision(server.url, server.admin_token, demo_users=True, quiet=True)
    assert "channels" not in {c["collection"] for c in snapshot(server)["/collections?limit=-1"]}
    alice, bob = Member(server, "alice"), Member(server, "bob")
    first = alice.post(None, "before channels")[1]["data"]["id"]
    bob.post(None, "a reply")
    assert alice.call("PATCH", f"/items/messages/{first}", {"content": "edited once"})[0] == 200
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

    # The app and the tutorial's client go on posting with {content} only, into general.
    status, body = Member(server, "carol").post(None, "after the upgrade")
    assert status == 200 and body["data"]["channel"] == GENERAL

"""Live events across channels: one subscription, filtered on membership, delivers every
channel of the user's and nothing else, follows joins and leaves without a new subscribe,
and never delivers a private channel's message to a non-member; deletes reach everyone."""

from __future__ import annotations

import json
import time
import uuid
from contextlib import contextmanager

import pytest

from tests.channel_helpers import GENERAL, Member
from tests.wire import socket

FIELDS = ["id", "content", "channel"]
# The filter a client subscribes with (docs/CHANNELS.md): $CURRENT_USER is resolved when
# it subscribes, the membership at each event.
MINE = {"channel": {"members": {"user": {"_eq": "$CURRENT_USER"}}}}


@pytest.fixture(scope="module")
def people(directus):
    people = {name: Member(directus, name) for name in ("alice", "bob", "carol")}
    for person in people.values():
        if person.membership(GENERAL) is None:
            assert person.join(GENERAL)[0] == 200
    return people


@contextmanager
def subscribed(directus, member, query, collection="messages"):
    with socket(directus, member.token) as ws:
        ws.send(json.dumps({"type": "subscribe", "collection": collection, "uid": "live",
                            "query": query}))
        init = json.loads(ws.recv(timeout=10))
        assert init["event"] == "init", init
        yield Events(ws)


class Events:
    """The subscription's events on one socket, read until a sentinel arrives."""

    def __init__(self, ws):
        self.ws = ws

    def until(self, content: str, timeout: float = 10) -> list[tuple[str, str]]:
        """(event, content or id) of each event up to the one carrying `content`, then
        half a second more, so that what came late is there too."""
        seen, deadline, stop = [], time.monotonic() + timeout, None
        while stop is None or time.monotonic() < stop:
            remaining = (stop or deadline) - time.monotonic()
            if remaining <= 0:
                assert stop is not None, f"{content!r} never arrived; got {seen}"
                break
            try:
                frame = json.loads(self.ws.recv(timeout=remaining))
            except TimeoutError:
                continue
            for row in frame["data"]:
                seen.append((frame["event"], row.get("content") if isinstance(row, dict)
                             else row))
                if isinstance(row, dict) and row.get("content") == content and stop is None:
                    stop = time.monotonic() + 0.5
        return seen


def test_one_subscription_on_membership_delivers_all_my_channels_and_follows_joins_and_leaves(
        directus, people):
    alice, bob = people["alice"], people["bob"]
    m = uuid.uuid4().hex[:6]
    private = alice.create_channel("sub-private", private=True, members=(bob.id,))
    open_room = alice.create_channel("sub-open")
    with subscribed(directus, bob, {"fields": FIELDS, "filter": MINE}) as events:
        for room, text in ((private, "private"), (open_room, "open"), (GENERAL, "general")):
            assert alice.post(room, f"{m} {text}")[0] == 200
        edited = alice.post(private, f"{m} to edit")[1]["data"]["id"]
        assert alice.call("PATCH", f"/items/messages/{edited}",
                          {"content": f"{m} edited"})[0] == 200
        assert events.until(f"{m} edited") == [
            ("create", f"{m} private"), ("create", f"{m} general"),
            ("create", f"{m} to edit"), ("update", f"{m} edited")]

        # Joining later: the same subscription delivers the new channel at once.
        assert bob.join(open_room)[0] == 200
        assert alice.post(open_room, f"{m} open after joining")[0] == 200
        assert events.until(f"{m} open after joining") == [
            ("create", f"{m} open after joining")]

        # Leaving: nothing more from there.
        bob.call("DELETE", f"/items/channel_members/{bob.membership(open_room)}")
        assert alice.post(open_room, f"{m} open after leaving")[0] == 200
        assert alice.post(GENERAL, f"{m} sentinel")[0] == 200
        assert events.until(f"{m} sentinel") == [("create", f"{m} sentinel")]


def test_a_non_members_subscription_never_delivers_a_private_channels_messages(
        directus, people):
    """Carol subscribes to everything she may read: messages of a private channel and of a
    DM she is not in never arrive, created or updated."""
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    m = uuid.uuid4().hex[:6]
    private = alice.create_channel("hidden", private=True, members=(bob.id,))
    dm = alice.dm_with(bob.id)  # Alice starts it, as test_channels.py expects
    with subscribed(directus, carol, {"fields": FIELDS}) as events:
        ids = [alice.post(room, f"{m} secret")[1]["data"]["id"] for room in (private, dm)]
        for message in ids:
            alice.call("PATCH", f"/items/messages/{message}", {"content": f"{m} secret edit"})
        assert alice.post(GENERAL, f"{m} public")[0] == 200
        assert events.until(f"{m} public") == [("create", f"{m} public")]


def test_deletes_reach_every_subscriber_whatever_their_filter_or_permissions(directus,
                                                                            people):
    """directus/directus#19704: a delete event carries only ids and is sent to every
    subscriber of the collection. The client ignores ids it does not have."""
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    m = uuid.uuid4().hex[:6]
    private = alice.create_channel("deleted", private=True, members=(bob.id,))
    secret = alice.post(private, f"{m} secret")[1]["data"]["id"]
    with subscribed(directus, carol, {"fields": FIELDS, "filter": MINE}) as events:
        assert alice.call("DELETE", f"/items/messages/{secret}")[0] == 204
        assert alice.post(GENERAL, f"{m} sentinel")[0] == 200
        assert events.until(f"{m} sentinel") == [("delete", secret),
                                                 ("create", f"{m} sentinel")]


def test_a_subscription_on_my_memberships_tells_me_at_once_of_a_new_dm_or_invitation(
        directus, people):
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    query = {"fields": ["id", "channel.id", "channel.name", "channel.kind"],
             "filter": {"user": {"_eq": "$CURRENT_USER"}}}
    with subscribed(directus, carol, query, "channel_members") as ws_events:
        room = alice.create_channel("invited", private=True, members=(carol.id,))
        status, dm = bob.start_dm(carol.id)
        assert status == 200, dm
        seen = []
        deadline = time.monotonic() + 10
        while len(seen) < 2 and time.monotonic() < deadline:
            frame = json.loads(ws_events.ws.recv(timeout=10))
            seen += [(frame["event"], row["channel"]["id"], row["channel"]["kind"])
                     for row in frame["data"]]
        assert seen == [("create", room, "channel"), ("create", dm["data"]["id"], "direct")]

"""Channels, direct messages and memberships: who may read, post, join and leave, enforced
by Directus over REST and the socket (the rules are in server/provision/channels.py)."""

from __future__ import annotations

import json
import time
import uuid

import pytest

from tests.channel_helpers import GENERAL, Member, code, dm_key
from tests.wire import ask, rest, socket


@pytest.fixture(scope="module")
def people(directus):
    return {name: Member(directus, name) for name in ("alice", "bob", "carol")}


@pytest.fixture(scope="module")
def rooms(people):
    """Alice's open channel (only she is a member), her private channel with Bob, and a
    DM between Alice and Bob (one server serves the whole session: another module may have
    started it); Carol is in none of them."""
    alice, bob = people["alice"], people["bob"]
    dm = alice.dm_with(bob.id)
    assert alice.call("GET", f"/items/channels/{dm}")[1]["data"]["user_created"] == alice.id, \
        "the tests below need Alice as the DM's creator (who may add members)"
    return {"open": alice.create_channel("open"),
            "private": alice.create_channel("private", private=True, members=(bob.id,)),
            "dm": dm}


def stored(directus, content):
    return [m for m in rest(directus, "GET", f"/items/messages?limit=-1&filter[content][_eq]="
                                             f"{content}", token=directus.admin_token)[1]["data"]]


def test_a_message_sent_without_a_channel_goes_to_general_over_rest_and_the_socket(
        directus, people):
    """The tutorial's client sends only {content}: it keeps working, in general."""
    marker = uuid.uuid4().hex[:8]
    status, body = people["carol"].post(None, f"{marker} rest")
    assert status == 200 and body["data"]["channel"] == GENERAL
    with socket(directus, people["carol"].token) as ws:
        reply = ask(ws, {"type": "items", "collection": "messages", "action": "create",
                         "uid": "c1", "data": {"content": f"{marker} socket"}})
        assert reply["data"]["channel"] == GENERAL
    general = rest(directus, "GET", f"/items/channels/{GENERAL}", token=people["bob"].token)
    assert general[0] == 200 and general[1]["data"]["name"] == "general"


def test_private_channels_and_dms_their_messages_members_and_names_are_hidden_from_others(
        directus, people, rooms):
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    secret = f"secret-{uuid.uuid4().hex[:8]}"
    for room in ("private", "dm"):
        assert alice.post(rooms[room], f"{secret} {room}")[0] == 200
    assert {c["id"] for c in bob.call("GET", "/items/channels?limit=-1")[1]["data"]} >= set(
        rooms.values())
    assert len(bob.call("GET", f"/items/messages?search={secret}")[1]["data"]) == 2

    hidden = (rooms["private"], rooms["dm"])
    assert not {c["id"] for c in carol.call("GET", "/items/channels?limit=-1")[1]["data"]} & \
        set(hidden)
    for room in hidden:
        assert code(carol.call("GET", f"/items/channels/{room}")) == "FORBIDDEN"
        for path in (f"/items/messages?filter[channel][_eq]={room}",
                     f"/items/channel_members?filter[channel][_eq]={room}",
                     f"/items/channels?filter[id][_eq]={room}&fields=name"):
            assert carol.call("GET", path)[1]["data"] == [], path
    for path in (f"/items/messages?search={secret}",
                 f"/items/messages?filter[content][_contains]={secret}",
                 f"/items/messages?fields=channel.name&filter[channel][_in]={','.join(hidden)}"):
        assert carol.call("GET", path)[1]["data"] == [], path
    counts = carol.call("GET", "/items/messages?groupBy[]=channel&aggregate[count]=*")[1]
    assert not {row["channel"] for row in counts["data"]} & set(hidden)
    # Nor through the reverse links on users, nor guessed by filtering on them.
    for path in ("/users?fields=chat_memberships.channel",
                 f"/users?filter[chat_memberships][channel][_eq]={rooms['private']}"):
        assert code(carol.call("GET", path)) == "FORBIDDEN", path

    with socket(directus, carol.token) as ws:
        for collection, query in (
            ("messages", {"filter": {"content": {"_contains": secret}}}),
            ("channels", {"filter": {"id": {"_in": list(hidden)}}}),
            ("channel_members", {"filter": {"channel": {"_in": list(hidden)}}}),
        ):
            reply = ask(ws, {"type": "items", "collection": collection, "action": "read",
                             "uid": "r", "query": query})
            assert reply["data"] == [], collection


def test_everyone_reads_and_posts_in_open_channels_without_joining(people, rooms):
    carol = people["carol"]
    assert rooms["open"] in {c["id"] for c in carol.call("GET", "/items/channels")[1]["data"]}
    status, body = carol.post(rooms["open"], "hello open")
    assert status == 200 and body["data"]["channel"] == rooms["open"]


def test_a_non_member_cannot_post_into_a_private_channel_or_a_dm_over_rest(directus, people,
                                                                          rooms):
    marker = uuid.uuid4().hex[:8]
    for room in ("private", "dm"):
        assert code(people["carol"].post(rooms[room], f"{marker} {room}")) == \
            "FAILED_VALIDATION", room
    assert code(people["carol"].call("POST", "/items/messages", {
        "content": f"{marker} nowhere", "channel": None})) == "FAILED_VALIDATION"
    assert code(people["carol"].post(str(uuid.uuid4()), f"{marker} unknown")) == \
        "FAILED_VALIDATION"
    assert [m["content"] for m in stored(directus, marker)] == []


def test_over_the_socket_a_refused_post_gets_no_answer_at_all(directus, people, rooms):
    """Directus 11.17.4 throws FAILED_VALIDATION as a list of errors, which its socket error
    handler drops (it logs "WebSocket unhandled exception"): the socket stays open but
    the create is never answered. A client must not wait for it (docs/CHANNELS.md)."""
    marker = uuid.uuid4().hex[:8]
    logged = directus.log_path.read_text(errors="replace").count("unhandled exception")
    with socket(directus, people["carol"].token) as ws:
        ws.send(json.dumps({"type": "items", "collection": "messages", "action": "create",
                            "uid": "c1", "data": {"content": marker,
                                                  "channel": rooms["private"]}}))
        deadline = time.monotonic() + 10
        while directus.log_path.read_text(errors="replace").count(
                "unhandled exception") == logged:
            assert time.monotonic() < deadline, "the refusal was not logged"
            time.sleep(0.1)
        # The next frame is the answer to this ping: nothing came for the create.
        assert ask(ws, {"type": "ping", "uid": "p1"}) == {"type": "pong", "uid": "p1"}
    assert stored(directus, marker) == []


def test_nobody_joins_a_private_channel_or_a_dm_or_adds_others_to_a_channel(directus, people,
                                                                           rooms):
    bob, carol = people["bob"], people["carol"]
    for room in ("private", "dm"):
        assert code(carol.join(rooms[room])) == "FAILED_VALIDATION", room
        assert code(carol.join(rooms[room], carol.id)) == "FAILED_VALIDATION", room
        # A member who did not create it cannot invite either.
        assert code(bob.join(rooms[room], carol.id)) == "FAILED_VALIDATION", room
    # Nor may anyone but the creator put someone else into an open channel.
    assert code(carol.join(rooms["open"], bob.id)) == "FAILED_VALIDATION"
    with socket(directus, carol.token) as ws:
        ws.send(json.dumps({"type": "items", "collection": "channel_members",
                            "action": "create", "uid": "j1",
                            "data": {"channel": rooms["private"]}}))
        assert ask(ws, {"type": "ping", "uid": "p1"}) == {"type": "pong", "uid": "p1"}
    assert carol.membership(rooms["private"]) is None
    assert rooms["private"] not in {c["id"] for c in carol.call(
        "GET", "/items/channels")[1]["data"]}


def test_the_creator_invites_and_then_the_invited_read_and_post(people):
    alice, carol = people["alice"], people["carol"]
    room = alice.create_channel("invite", private=True)
    assert carol.post(room, "before")[0] == 400
    assert alice.join(room, carol.id)[0] == 200
    assert carol.post(room, "after")[0] == 200
    assert [m["content"] for m in carol.call(
        "GET", f"/items/messages?filter[channel][_eq]={room}")[1]["data"]] == ["after"]


def test_joining_and_leaving_an_open_channel_and_what_cannot_be_left(people, rooms):
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    assert carol.join(rooms["open"])[0] == 200
    mine = carol.membership(rooms["open"])
    assert mine
    # A membership can be deleted only by its user, and never changed.
    assert code(bob.call("DELETE", f"/items/channel_members/{mine}")) == "FORBIDDEN"
    assert code(carol.call("PATCH", f"/items/channel_members/{mine}",
                           {"user": bob.id})) == "FORBIDDEN"
    assert carol.call("DELETE", f"/items/channel_members/{mine}")[0] == 204
    assert carol.membership(rooms["open"]) is None

    assert carol.join(GENERAL)[0] == 200
    assert code(carol.call("DELETE", f"/items/channel_members/{carol.membership(GENERAL)}")) \
        == "FORBIDDEN", "general cannot be left"
    bobs = bob.membership(rooms["dm"])
    assert code(bob.call("DELETE", f"/items/channel_members/{bobs}")) == "FORBIDDEN", \
        "a DM cannot be left"
    bobs = bob.membership(rooms["private"])
    assert code(alice.call("DELETE", f"/items/channel_members/{bobs}")) == "FORBIDDEN"


def test_a_dm_exists_once_names_its_creator_and_is_never_open(people, rooms):
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    assert code(bob.start_dm(alice.id)) == "RECORD_NOT_UNIQUE"
    existing = bob.call("GET", f"/items/channels?filter[dm_key][_eq]={dm_key(alice.id, bob.id)}")
    assert [c["id"] for c in existing[1]["data"]] == [rooms["dm"]]
    # Carol cannot make the DM of Alice and Bob, nor one that is open to everyone.
    assert code(carol.call("POST", "/items/channels", {
        "kind": "direct", "open_to": None, "dm_key": dm_key(alice.id, bob.id) + "x",
        "members": [{"user": alice.id}, {"user": bob.id}]})) == "FAILED_VALIDATION"
    assert code(carol.call("POST", "/items/channels", {
        "kind": "direct", "dm_key": dm_key(alice.id, carol.id)})) == "FAILED_VALIDATION"


@pytest.mark.parametrize("body", [
    {"description": "no name"}, {"name": "  "}, {"name": "x", "kind": "announcements"},
    {"name": "x", "dm_key": "x"}, {"name": "x", "open_to": str(uuid.uuid4())},
    {"name": "x", "user_created": None},
], ids=["no-name", "blank-name", "unknown-kind", "dm-key", "foreign-policy", "author"])
def test_a_channel_must_be_well_formed(people, body):
    assert code(people["carol"].call("POST", "/items/channels", body)) in (
        "FAILED_VALIDATION", "FORBIDDEN")


def test_only_the_creator_renames_a_channel_and_nobody_deletes_one(people, rooms):
    alice, bob = people["alice"], people["bob"]
    assert code(bob.call("PATCH", f"/items/channels/{rooms['private']}",
                         {"name": "taken over"})) == "FORBIDDEN"
    assert code(alice.call("PATCH", f"/items/channels/{rooms['private']}",
                           {"open_to": alice.call("GET", f"/items/channels/{GENERAL}")[1][
                               "data"]["open_to"]})) == "FORBIDDEN"
    assert alice.call("PATCH", f"/items/channels/{rooms['open']}", {"name": "renamed"})[0] \
        == 200
    assert code(alice.call("DELETE", f"/items/channels/{rooms['open']}")) == "FORBIDDEN"


def test_reactions_of_a_private_channel_are_for_its_members_only(directus, people, rooms):
    """Read by the rule through the message's channel; a create by a non-member who knows
    the message's id (delete events carry ids to everyone) is refused by the chat-signals
    extension (Directus checks no rows on create), whatever case the id is sent in."""
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    for room in ("private", "dm"):
        target = alice.post(rooms[room], "react here")[1]["data"]["id"]
        assert bob.call("POST", "/items/reactions", {"message": target, "emoji": "👍"})[0] \
            == 200
        for sent in (target, target.upper()):
            assert code(carol.call("POST", "/items/reactions",
                                   {"message": sent, "emoji": "👀"})) == "FORBIDDEN", sent
        with socket(directus, carol.token) as ws:
            reply = ask(ws, {"type": "items", "collection": "reactions", "action": "create",
                             "uid": "r", "data": {"message": target, "emoji": "🔥"}})
            assert reply["status"] == "error" and reply["error"]["code"] == "FORBIDDEN"
        path = f"/items/reactions?filter[message][_eq]={target}"
        assert carol.call("GET", path)[1]["data"] == []
        assert [r["emoji"] for r in alice.call("GET", path)[1]["data"]] == ["👍"]
    # In an open channel anyone may react, member or not.
    target = alice.post(rooms["open"], "open to all")[1]["data"]["id"]
    assert carol.call("POST", "/items/reactions", {"message": target, "emoji": "🎉"})[0] == 200

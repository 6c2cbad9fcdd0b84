"""Read positions: one row per user and channel, holding up to which message they have read
there (general when a create names no channel); a user creates, reads and updates only
their own, over REST and the socket, and only in channels they may read; nobody else's row
is readable or writable."""

from __future__ import annotations

import contextlib
import json
import threading
import time

import pytest

from tests.channel_helpers import GENERAL, Member, code
from tests.wire import ask, error_code, rest, socket

COLLECTION = "read_positions"


@pytest.fixture(scope="module")
def tokens(directus):
    return {name: directus.login(name)["access_token"] for name in directus.users}


@pytest.fixture(scope="module")
def user_ids(directus, tokens):
    return {name: rest(directus, "GET", "/users/me", token=token)[1]["data"]["id"]
            for name, token in tokens.items()}


def latest_message(directus, token):
    status, body = rest(directus, "POST", "/items/messages", {"content": "read me"}, token)
    return body["data"]["id"], body["data"]["date_created"]


def position(message_id, date):
    return {"last_read": message_id, "last_read_date": date}


@pytest.fixture(scope="module")
def positions(directus, tokens):
    """Alice's and Bob's rows, made the way a client does on its first sign-in: read its
    own (none yet), then create."""
    message_id, date = latest_message(directus, tokens["carol"])
    rows = {}
    for name in ("alice", "bob"):
        with socket(directus, tokens[name]) as ws:
            mine = ask(ws, {"type": "items", "collection": COLLECTION, "action": "read",
                            "uid": "mine"})
            assert mine["data"] == []
            created = ask(ws, {"type": "items", "collection": COLLECTION, "action": "create",
                               "data": position(message_id, date), "uid": "new"})
            rows[name] = created["data"]
    return rows


def test_a_read_position_belongs_to_its_user(positions, user_ids):
    alice = positions["alice"]
    assert alice["user_created"] == user_ids["alice"]
    assert (alice["channel"], alice["key"]) == (GENERAL, f"{user_ids['alice']} {GENERAL}")
    assert alice["last_read"] and alice["last_read_date"]


def test_one_read_position_per_user_even_for_creates_at_the_same_instant(directus, tokens):
    # Carol starts with no row (other tests of the session may have made her one).
    status, _ = rest(directus, "DELETE", f"/items/{COLLECTION}", {"query": {"filter": {
        "user_created": {"email": {"_eq": "carol@example.com"}}}, "limit": -1}},
        directus.admin_token)
    assert status in (200, 204), status
    message_id, date = latest_message(directus, tokens["alice"])
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(socket(directus, tokens["carol"])) for _ in range(5)]
        start, results = threading.Barrier(10), []

        def over_rest():
            start.wait()
            status, body = rest(directus, "POST", f"/items/{COLLECTION}",
                                position(message_id, date), tokens["carol"])
            results.append("ok" if status == 200 else error_code(body))

        def over_socket(ws):
            start.wait()
            reply = ask(ws, {"type": "items", "collection": COLLECTION, "action": "create",
                             "data": position(message_id, date), "uid": "c"})
            results.append(reply["error"]["code"] if reply.get("status") == "error" else "ok")

        threads = [threading.Thread(target=over_rest) for _ in range(5)]
        threads += [threading.Thread(target=over_socket, args=(ws,)) for ws in sockets]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert sorted(results) == ["RECORD_NOT_UNIQUE"] * 9 + ["ok"]
    rows = rest(directus, "GET", f"/items/{COLLECTION}", token=tokens["carol"])[1]["data"]
    assert len(rows) == 1


def test_nobody_reads_someone_elses_read_position(directus, tokens, positions):
    alices = positions["alice"]["id"]
    status, body = rest(directus, "GET", f"/items/{COLLECTION}?limit=-1", token=tokens["bob"])
    assert status == 200 and [r["id"] for r in body["data"]] == [positions["bob"]["id"]]
    status, body = rest(directus, "GET", f"/items/{COLLECTION}/{alices}", token=tokens["bob"])
    assert status == 403 and error_code(body) == "FORBIDDEN"
    with socket(directus, tokens["bob"]) as ws:
        reply = ask(ws, {"type": "items", "collection": COLLECTION, "action": "read",
                         "query": {"filter": {"id": {"_eq": alices}}}, "uid": "r"})
        assert reply["data"] == []
        reply = ask(ws, {"type": "items", "collection": COLLECTION, "action": "read",
                         "id": alices, "uid": "r"})
        assert reply["error"]["code"] == "FORBIDDEN"


def test_nobody_writes_someone_elses_read_position(directus, tokens, positions):
    alices = positions["alice"]
    moved = position(None, None)
    status, body = rest(directus, "PATCH", f"/items/{COLLECTION}/{alices['id']}", moved,
                        tokens["bob"])
    assert status == 403 and error_code(body) == "FORBIDDEN"
    for token in (tokens["bob"], tokens["alice"]):  # nor delete one, not even one's own
        status, body = rest(directus, "DELETE", f"/items/{COLLECTION}/{alices['id']}",
                            token=token)
        assert status == 403 and error_code(body) == "FORBIDDEN"
    with socket(directus, tokens["bob"]) as ws:
        reply = ask(ws, {"type": "items", "collection": COLLECTION, "action": "update",
                         "id": alices["id"], "data": moved, "uid": "u"})
        assert reply["error"]["code"] == "FORBIDDEN"
        # An update by query that finds someone else's row is refused as a whole (Directus
        # finds the rows as the admin, then checks them all) ...
        reply = ask(ws, {"type": "items", "collection": COLLECTION, "action": "update",
                         "query": {"limit": -1}, "data": {"last_read_date": None},
                         "uid": "q"})
        assert reply["error"]["code"] == "FORBIDDEN"
        # ... so a client updating by query filters on its own row.
        reply = ask(ws, {"type": "items", "collection": COLLECTION, "action": "update",
                         "query": {"filter": {"user_created": {"_eq": "$CURRENT_USER"}}},
                         "data": {"last_read_date": None}, "uid": "q"})
        assert [r["id"] for r in reply["data"]] == [positions["bob"]["id"]]
    stored = rest(directus, "GET", f"/items/{COLLECTION}/{alices['id']}",
                  token=directus.admin_token)[1]["data"]
    assert {k: stored[k] for k in ("last_read", "last_read_date")} == {
        k: alices[k] for k in ("last_read", "last_read_date")}


def test_a_user_moves_their_read_position_and_nothing_else(directus, tokens, positions,
                                                           user_ids):
    message_id, date = latest_message(directus, tokens["bob"])
    path = f"/items/{COLLECTION}/{positions['alice']['id']}"
    status, body = rest(directus, "PATCH", path, position(message_id, date), tokens["alice"])
    assert status == 200 and body["data"]["last_read"] == message_id
    assert body["data"]["date_updated"]
    for field, value in (("key", user_ids["bob"]), ("user_created", user_ids["bob"])):
        status, body = rest(directus, "PATCH", path, {field: value}, tokens["alice"])
        assert status == 403 and error_code(body) == "FORBIDDEN", field
    status, body = rest(directus, "POST", f"/items/{COLLECTION}",
                        {**position(message_id, date), "user_created": user_ids["bob"]},
                        tokens["alice"])
    assert status == 403 and error_code(body) == "FORBIDDEN"


def test_a_subscription_to_read_positions_carries_only_ones_own(directus, tokens, positions):
    """Another device learns a move from it; another user's moves never arrive."""
    message_id, date = latest_message(directus, tokens["carol"])
    with socket(directus, tokens["bob"]) as ws:
        ws.send(json.dumps({"type": "subscribe", "collection": COLLECTION, "uid": "live"}))
        init = json.loads(ws.recv(timeout=10))
        assert [r["id"] for r in init["data"]] == [positions["bob"]["id"]]
        rest(directus, "PATCH", f"/items/{COLLECTION}/{positions['alice']['id']}",
             position(message_id, date), tokens["alice"])
        rest(directus, "PATCH", f"/items/{COLLECTION}/{positions['bob']['id']}",
             position(message_id, date), tokens["bob"])
        event = json.loads(ws.recv(timeout=10))
        assert event["event"] == "update"
        assert [r["id"] for r in event["data"]] == [positions["bob"]["id"]]


def test_unread_counts_of_every_channel_come_in_one_read(directus):
    """docs/SCHEMA.md's query: one aggregate read, grouped by channel, each channel from
    its own read position."""
    alice, bob = Member(directus, "alice"), Member(directus, "bob")
    first, second = alice.create_channel("unread-a"), alice.create_channel("unread-b")
    posted = {room: [alice.post(room, f"{n}")[1]["data"] for n in range(count)]
              for room, count in ((first, 3), (second, 2))}
    old = "2001-01-01T00:00:00.000Z"  # the first message of `first` is the one read there
    rest(directus, "PATCH", f"/items/messages/{posted[first][0]['id']}",
         {"date_created": old}, directus.admin_token)
    since = {first: old, second: "2000-01-01T00:00:00.000Z"}
    query = "&".join([
        "aggregate[count]=id", "groupBy[]=channel",
        *(f"filter[_or][{i}][_and][0][channel][_eq]={room}&"
          f"filter[_or][{i}][_and][1][date_created][_gt]={date}"
          for i, (room, date) in enumerate(since.items()))])
    status, body = bob.call("GET", f"/items/messages?{query}")
    assert status == 200, body
    assert {row["channel"]: int(row["count"]["id"]) for row in body["data"]} == {
        first: 2, second: 2}


def test_one_read_position_per_user_and_channel_and_none_in_a_channel_one_cannot_read(
        directus, tokens):
    """(Last: it gives Bob and Alice more rows than the tests above expect.)"""
    alice, bob, carol = (Member(directus, name) for name in ("alice", "bob", "carol"))
    room, secret = alice.create_channel("positions"), alice.create_channel("hidden",
                                                                           private=True)
    message_id, date = latest_message(directus, tokens["alice"])
    assert bob.call("POST", f"/items/{COLLECTION}", {**position(message_id, date),
                                                     "channel": room})[0] == 200
    assert code(bob.call("POST", f"/items/{COLLECTION}", {"channel": room.upper()})) == \
        "RECORD_NOT_UNIQUE", "the channel's id is made canonical: one key"
    assert code(carol.call("POST", f"/items/{COLLECTION}", {"channel": secret})) == \
        "FAILED_VALIDATION", "a private channel she is not in"
    logged = directus.log_path.read_text(errors="replace").count("unhandled exception")
    with socket(directus, tokens["carol"]) as ws:  # refused unanswered (docs/CHANNELS.md)
        ws.send(json.dumps({"type": "items", "collection": COLLECTION, "action": "create",
                            "data": {"channel": secret}, "uid": "x"}))
        deadline = time.monotonic() + 10
        while directus.log_path.read_text(errors="replace").count(
                "unhandled exception") == logged:
            assert time.monotonic() < deadline, "the refusal was not logged"
            time.sleep(0.1)
    assert rest(directus, "GET", f"/items/{COLLECTION}?filter[channel][_eq]={secret}",
                token=directus.admin_token)[1]["data"] == []
    assert alice.call("POST", f"/items/{COLLECTION}", {"channel": secret})[0] == 200
    mine = bob.call("GET", f"/items/{COLLECTION}?filter[channel][_eq]={room}")[1]["data"]
    assert [row["key"] for row in mine] == [f"{bob.id} {room}"]
    assert carol.call("GET", f"/items/{COLLECTION}?filter[channel][_eq]={secret}")[1][
        "data"] == []

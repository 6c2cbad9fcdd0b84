"""The chat's access rules, checked against a real Directus over REST and the socket."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from websockets.exceptions import ConnectionClosed

from tests.wire import ask, error_code, rest, socket


@pytest.fixture(scope="module")
def tokens(directus):
    return {name: directus.login(name)["access_token"] for name in directus.users}


@pytest.fixture(scope="module")
def user_ids(directus, tokens):
    return {name: rest(directus, "GET", "/users/me", token=token)[1]["data"]["id"]
            for name, token in tokens.items()}


def create(directus, token, content="hello", **extra):
    return rest(directus, "POST", "/items/messages", {"content": content, **extra}, token)


def all_messages(directus):
    return rest(directus, "GET", "/items/messages?limit=-1", token=directus.admin_token)[1]["data"]


def test_anonymous_cannot_read_or_create_messages_over_rest(directus, tokens):
    create(directus, tokens["alice"], "exists")
    before = len(all_messages(directus))

    status, body = rest(directus, "GET", "/items/messages")
    assert status == 403 and error_code(body) == "FORBIDDEN"
    status, body = create(directus, None, "from nobody")
    assert status == 403 and error_code(body) == "FORBIDDEN"
    assert rest(directus, "GET", "/users")[0] == 403
    assert len(all_messages(directus)) == before


def test_anonymous_socket_is_refused_before_any_request(directus):
    """In the default handshake mode a socket must authenticate first, or it is closed."""
    before = len(all_messages(directus))
    with socket(directus) as ws:
        reply = ask(ws, {"type": "items", "collection": "messages", "action": "create",
                         "data": {"content": "from nobody"}})
        assert reply["error"]["code"] == "AUTH_FAILED"
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=10)
    with socket(directus) as ws:
        ws.send(json.dumps({"type": "auth", "access_token": "not-a-token"}))
        assert json.loads(ws.recv(timeout=10))["error"]["code"] == "AUTH_FAILED"
    assert len(all_messages(directus)) == before


def test_public_policy_grants_nothing_to_anonymous_sockets(directus_factory):
    """Even where anonymous sockets are allowed, the Public policy reads and creates nothing."""
    server = directus_factory(WEBSOCKETS_REST_AUTH="public")
    with socket(server) as ws:
        for frame in (
            {"type": "items", "collection": "messages", "action": "read"},
            {"type": "items", "collection": "messages", "action": "create",
             "data": {"content": "from nobody"}},
            {"type": "subscribe", "collection": "messages", "uid": "live"},
        ):
            assert ask(ws, frame)["error"]["code"] == "FORBIDDEN", frame
    assert all_messages(server) == []


def test_chat_user_creates_and_others_read_with_server_set_author_and_date(
        directus, tokens, user_ids):
    status, body = create(directus, tokens["alice"], "hello from alice")
    assert status == 200
    stored = body["data"]
    assert stored["user_created"] == user_ids["alice"]
    created = datetime.fromisoformat(stored["date_created"].replace("Z", "+00:00"))
    assert abs(datetime.now(UTC) - created) < timedelta(minutes=1)

    status, body = rest(directus, "GET", "/items/messages?limit=-1", token=tokens["bob"])
    assert status == 200
    assert stored in body["data"]


@pytest.mark.parametrize("field, value", [
    ("user_created", "bob"),
    ("date_created", "2000-01-01T00:00:00Z"),
])
def test_client_cannot_choose_author_or_date(directus, tokens, user_ids, field, value):
    """Only the server sets them: a create that sends either is refused, over REST and socket."""
    value = user_ids.get(value, value)
    before = all_messages(directus)

    status, body = create(directus, tokens["alice"], "forged", **{field: value})
    assert status == 403 and error_code(body) == "FORBIDDEN"
    with socket(directus, tokens["alice"]) as ws:
        reply = ask(ws, {"type": "items", "collection": "messages", "action": "create",
                         "data": {"content": "forged", field: value}, "uid": "c1"})
        assert reply["status"] == "error" and reply["error"]["code"] == "FORBIDDEN"
    assert all_messages(directus) == before


def test_user_updates_and_deletes_own_messages_only(directus, tokens):
    mine = create(directus, tokens["alice"], "draft")[1]["data"]["id"]
    path = f"/items/messages/{mine}"

    status, body = rest(directus, "PATCH", path, {"content": "edited by bob"}, tokens["bob"])
    assert status == 403 and error_code(body) == "FORBIDDEN"
    status, body = rest(directus, "DELETE", path, token=tokens["bob"])
    assert status == 403 and error_code(body) == "FORBIDDEN"

    status, body = rest(directus, "PATCH", path, {"content": "edited"}, tokens["alice"])
    assert status == 200 and body["data"]["content"] == "edited"
    assert rest(directus, "DELETE", path, token=tokens["alice"])[0] == 204
    assert rest(directus, "GET", path, token=directus.admin_token)[0] == 403


def test_update_changes_content_only(directus, tokens, user_ids):
    mine = create(directus, tokens["alice"], "draft")[1]["data"]["id"]
    status, body = rest(directus, "PATCH", f"/items/messages/{mine}",
                        {"user_created": user_ids["bob"]}, tokens["alice"])
    assert status == 403 and error_code(body) == "FORBIDDEN"


def test_user_cannot_read_another_users_email(directus, tokens, user_ids):
    alice = tokens["alice"]
    status, body = rest(directus, "GET", f"/users/{user_ids['bob']}", token=alice)
    assert status == 200 and body["data"] == {"id": user_ids["bob"], "first_name": "Bob",
                                              "avatar": None}

    for path in (
        "/users?fields=email",
        "/users?filter[email][_contains]=bob",  # nor guess it through a filter
        "/items/messages?fields=user_created.email",
    ):
        status, body = rest(directus, "GET", path, token=alice)
        assert status == 403 and error_code(body) == "FORBIDDEN", path


def test_client_uuid_is_kept_and_a_second_create_fails_not_unique(directus, tokens):
    message_id = str(uuid.uuid4())
    frame = {"type": "items", "collection": "messages", "action": "create",
             "data": {"id": message_id, "content": "once"}, "uid": "c1"}
    with socket(directus, tokens["alice"]) as ws:
        reply = ask(ws, frame)
        assert reply["uid"] == "c1" and reply["data"]["id"] == message_id
        retry = ask(ws, {**frame, "uid": "c2"})
        assert retry["status"] == "error" and retry["error"]["code"] == "RECORD_NOT_UNIQUE"
    assert [m["id"] for m in all_messages(directus)].count(message_id) == 1

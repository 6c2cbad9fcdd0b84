"""What Directus 11.17.4 answers when the chat's collection is missing, or there but not
allowed: the socket tells them apart (INVALID_COLLECTION, FORBIDDEN); REST does not."""

from __future__ import annotations

from tests.wire import ask, error_code, rest, socket

NOT_ALLOWED = ('You don\'t have permission to access collection "messages" or it does not '
               "exist. Queried in root.")


def test_a_missing_collection_is_invalid_collection_on_the_socket_only(bare_factory):
    server = bare_factory()
    admin = server.admin_token
    rest(server, "POST", "/users", {"email": "eve@example.com", "password": "eve-pw-123"},
         admin)
    token = rest(server, "POST", "/auth/login", {"email": "eve@example.com",
                                                 "password": "eve-pw-123"})[1]["data"][
        "access_token"]
    read = {"type": "items", "collection": "messages", "action": "read", "uid": "r1"}
    subscribe = {"type": "subscribe", "collection": "messages", "uid": "s1"}

    status, body = rest(server, "GET", "/items/messages", token=token)
    assert status == 403 and body["errors"][0]["message"] == NOT_ALLOWED
    with socket(server, token) as ws:
        for frame in (read, subscribe):
            reply = ask(ws, frame)
            assert reply["status"] == "error" and reply["uid"] == frame["uid"]
            assert reply["error"]["code"] == "INVALID_COLLECTION"

    rest(server, "POST", "/collections", {
        "collection": "messages", "schema": {}, "meta": {},
        "fields": [{"field": "id", "type": "integer",
                    "schema": {"is_primary_key": True, "has_auto_increment": True}},
                   {"field": "content", "type": "text"}]}, admin)
    status, body = rest(server, "GET", "/items/messages", token=token)
    assert status == 403 and error_code(body) == "FORBIDDEN"
    assert body["errors"][0]["message"] == NOT_ALLOWED
    with socket(server, token) as ws:
        for frame in (read, subscribe):
            reply = ask(ws, frame)
            assert reply["error"] == {"code": "FORBIDDEN", "message": NOT_ALLOWED}
            assert "uid" not in reply

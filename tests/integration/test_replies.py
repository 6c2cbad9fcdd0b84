"""Replies: `messages.reply_to` holds the id of the message replied to, and keeps it when
that message is deleted, so a client can show the quote (its author's first name and the
start of its text) or "original deleted"."""

from __future__ import annotations

import pytest

from tests.wire import ask, error_code, rest, socket

QUOTE = ["id", "content", "user_created.first_name"]


@pytest.fixture(scope="module")
def tokens(directus):
    return {name: directus.login(name)["access_token"] for name in directus.users}


def quotes_over_rest(directus, token, ids):
    status, body = rest(directus, "GET", "/items/messages?fields=" + ",".join(QUOTE)
                        + "&filter[id][_in]=" + ",".join(ids), token=token)
    assert status == 200
    return body["data"]


def quotes_over_socket(directus, token, ids):
    with socket(directus, token) as ws:
        reply = ask(ws, {"type": "items", "collection": "messages", "action": "read",
                         "query": {"fields": QUOTE, "filter": {"id": {"_in": ids}}},
                         "uid": "q"})
    assert reply["type"] == "items" and reply.get("status") != "error", reply
    return reply["data"]


def test_a_reply_keeps_its_originals_id_and_the_quote_says_when_it_is_gone(directus, tokens):
    status, body = rest(directus, "POST", "/items/messages", {"content": "Lunch at noon?"},
                        tokens["alice"])
    original = body["data"]["id"]
    with socket(directus, tokens["bob"]) as ws:
        reply = ask(ws, {"type": "items", "collection": "messages", "action": "create",
                         "data": {"content": "Yes!", "reply_to": original}, "uid": "r"})
    assert reply["data"]["reply_to"] == original
    reply_id = reply["data"]["id"]

    expected = [{"id": original, "content": "Lunch at noon?",
                 "user_created": {"first_name": "Alice"}}]
    assert quotes_over_rest(directus, tokens["carol"], [original]) == expected
    assert quotes_over_socket(directus, tokens["carol"], [original]) == expected

    assert rest(directus, "DELETE", f"/items/messages/{original}", token=tokens["alice"])[0] \
        == 204
    stored = rest(directus, "GET", f"/items/messages/{reply_id}", token=tokens["carol"])[1]
    assert stored["data"]["reply_to"] == original  # still a reply ...
    assert quotes_over_rest(directus, tokens["carol"], [original]) == []  # ... to nothing
    assert quotes_over_socket(directus, tokens["carol"], [original]) == []


def test_reply_to_is_a_plain_id_not_a_relation(directus, tokens):
    """Nothing checks that it names a message (a client shows "original deleted"), and
    `reply_to.content` reads no quote (Directus answers it with a bare list of values)."""
    missing = "00000000-0000-4000-8000-000000000000"
    status, body = rest(directus, "POST", "/items/messages",
                        {"content": "to nothing", "reply_to": missing}, tokens["alice"])
    assert status == 200 and body["data"]["reply_to"] == missing
    status, body = rest(directus, "GET", "/items/messages?fields=reply_to.content",
                        token=tokens["alice"])
    assert status == 200 and not any(isinstance(row, dict) for row in body["data"])


def test_a_reply_cannot_be_moved_to_another_message(directus, tokens):
    first = rest(directus, "POST", "/items/messages", {"content": "a"}, tokens["alice"])[1]
    reply = rest(directus, "POST", "/items/messages",
                 {"content": "b", "reply_to": first["data"]["id"]}, tokens["alice"])[1]
    status, body = rest(directus, "PATCH", f"/items/messages/{reply['data']['id']}",
                        {"reply_to": None}, tokens["alice"])
    assert status == 403 and error_code(body) == "FORBIDDEN"


def test_a_directus_relation_would_lose_replies_as_it_always_makes_a_foreign_key(
        directus_factory):
    """Why reply_to is a plain field: Directus 11.17.4 puts a database foreign key on every
    many-to-one relation it makes. The default (NO ACTION) makes deleting a replied message
    fail with a 500; SET NULL empties reply_to, so the reply no longer says it was one,
    and reading `reply_to.content` gives `reply_to: null`. (On a server of its own: a
    collection that links to itself cannot be deleted again on SQLite in 11.17.4.)"""
    directus = directus_factory()

    def admin(method, path, body=None):
        status, reply = rest(directus, method, path, body, directus.admin_token)
        assert status in (200, 204), reply
        return reply["data"] if reply else None

    for name in ("probe_default", "probe_set_null"):
        admin("POST", "/collections", {"collection": name, "schema": {}, "meta": {}, "fields": [
            {"field": "id", "type": "integer",
             "schema": {"is_primary_key": True, "has_auto_increment": True}},
            {"field": "content", "type": "string"},
            {"field": "reply_to", "type": "integer", "meta": {"special": ["m2o"]}}]})
    admin("POST", "/relations", {"collection": "probe_default", "field": "reply_to",
                                 "related_collection": "probe_default", "schema": None})
    admin("POST", "/relations", {"collection": "probe_set_null", "field": "reply_to",
                                 "related_collection": "probe_set_null",
                                 "schema": {"on_delete": "SET NULL"}})
    relation = admin("GET", "/relations/probe_default/reply_to")
    assert relation["schema"]["foreign_key_table"] == "probe_default"  # despite None

    for name in ("probe_default", "probe_set_null"):
        original = admin("POST", f"/items/{name}", {"content": "original"})["id"]
        reply = admin("POST", f"/items/{name}", {"content": "reply",
                                                 "reply_to": original})["id"]
        status, body = rest(directus, "DELETE", f"/items/{name}/{original}",
                            token=directus.admin_token)
        after = admin("GET", f"/items/{name}/{reply}?fields=reply_to.content")
        if name == "probe_default":
            assert status == 500 and error_code(body) == "INTERNAL_SERVER_ERROR"
            assert after == {"reply_to": {"content": "original"}}
        else:
            assert status == 204 and after == {"reply_to": None}
            assert admin("GET", f"/items/{name}/{reply}")["reply_to"] is None

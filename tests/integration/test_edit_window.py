"""Authors may edit and delete their own messages, and only for the edit window (15
minutes after date_created by default; `--edit-window` sets it): over REST and the socket,
for someone else's message, after the window, and for the author within it."""

from __future__ import annotations

import contextlib
import io
import time
from datetime import UTC, datetime, timedelta

import pytest

from server.provision.__main__ import main
from tests.wire import ask, error_code, rest, socket


@pytest.fixture(scope="module")
def tokens(directus):
    return {name: directus.login(name)["access_token"] for name in directus.users}


def post(directus, token, content):
    status, body = rest(directus, "POST", "/items/messages", {"content": content}, token)
    assert status == 200
    return body["data"]["id"]


def sent_ago(directus, message_id, delta: timedelta) -> None:
    """Move the message's date_created back by `delta` (as the admin; the server sets it
    on create, whatever a create sends)."""
    when = (datetime.now(UTC) - delta).isoformat()
    status, _ = rest(directus, "PATCH", f"/items/messages/{message_id}", {"date_created": when},
                     directus.admin_token)
    assert status == 200


def edit_over_rest(directus, token, message_id):
    status, body = rest(directus, "PATCH", f"/items/messages/{message_id}",
                        {"content": "edited"}, token)
    return "ok" if status == 200 else error_code(body)


def delete_over_rest(directus, token, message_id):
    status, body = rest(directus, "DELETE", f"/items/messages/{message_id}", token=token)
    return "ok" if status == 204 else error_code(body)


def outcome(reply):
    """ "ok" for the items reply of a change, else the error's code."""
    assert reply["type"] == "items", reply
    if reply.get("status") == "error":
        return reply["error"]["code"]
    assert reply["data"], reply
    return "ok"


def edit_over_socket(directus, token, message_id):
    with socket(directus, token) as ws:
        reply = ask(ws, {"type": "items", "collection": "messages", "action": "update",
                         "id": message_id, "data": {"content": "edited"}, "uid": "e"})
    return outcome(reply)


def delete_over_socket(directus, token, message_id):
    with socket(directus, token) as ws:
        reply = ask(ws, {"type": "items", "collection": "messages", "action": "delete",
                         "id": message_id, "uid": "d"})
    return outcome(reply)


WAYS = {"rest": (edit_over_rest, delete_over_rest),
        "socket": (edit_over_socket, delete_over_socket)}


def exists(directus, message_id) -> bool:
    return rest(directus, "GET", f"/items/messages/{message_id}",
                token=directus.admin_token)[0] == 200


@pytest.mark.parametrize("way", WAYS)
def test_the_author_edits_and_deletes_within_the_window(directus, tokens, way):
    edit, delete = WAYS[way]
    fresh, older = post(directus, tokens["alice"], "fresh"), post(directus, tokens["alice"], "14")
    sent_ago(directus, older, timedelta(minutes=14))
    assert edit(directus, tokens["alice"], fresh) == "ok"
    assert edit(directus, tokens["alice"], older) == "ok"
    assert delete(directus, tokens["alice"], fresh) == "ok"
    assert delete(directus, tokens["alice"], older) == "ok"
    assert not exists(directus, fresh) and not exists(directus, older)


@pytest.mark.parametrize("way", WAYS)
def test_nobody_edits_or_deletes_someone_elses_message(directus, tokens, way):
    edit, delete = WAYS[way]
    alices = post(directus, tokens["alice"], "mine")
    assert edit(directus, tokens["bob"], alices) == "FORBIDDEN"
    assert delete(directus, tokens["bob"], alices) == "FORBIDDEN"
    stored = rest(directus, "GET", f"/items/messages/{alices}", token=tokens["bob"])[1]
    assert stored["data"]["content"] == "mine"


@pytest.mark.parametrize("way", WAYS)
def test_after_the_window_not_even_the_author_edits_or_deletes(directus, tokens, way):
    edit, delete = WAYS[way]
    old, ancient = post(directus, tokens["alice"], "16"), post(directus, tokens["alice"], "old")
    sent_ago(directus, old, timedelta(minutes=16))
    sent_ago(directus, ancient, timedelta(days=400))
    for message_id in (old, ancient):
        assert edit(directus, tokens["alice"], message_id) == "FORBIDDEN"
        assert delete(directus, tokens["alice"], message_id) == "FORBIDDEN"
        assert exists(directus, message_id)


def test_a_message_leaves_the_window_on_its_own(directus, tokens):
    """$NOW is worked out at each request (not when the policy was loaded): a message
    editable a moment ago is not once its 15 minutes are over."""
    message_id = post(directus, tokens["alice"], "about to expire")
    sent_ago(directus, message_id, timedelta(minutes=15, seconds=-8))
    expires = time.monotonic() + 8
    assert edit_over_rest(directus, tokens["alice"], message_id) == "ok"
    assert time.monotonic() < expires
    # The edit does not renew the window: it counts from date_created, not date_updated.
    time.sleep(expires + 1 - time.monotonic())
    assert edit_over_rest(directus, tokens["alice"], message_id) == "FORBIDDEN"
    assert edit_over_socket(directus, tokens["alice"], message_id) == "FORBIDDEN"


def window_as_a_client_reads_it(directus, token) -> dict:
    """{action: rule} of the permissions a chat user may read: its own policies' update
    and delete of messages, whose rules hold the window."""
    status, body = rest(directus, "GET", "/permissions?fields=collection,action,permissions",
                        token=token)
    assert status == 200
    assert {p["collection"] for p in body["data"]} == {"messages"}
    return {p["action"]: p["permissions"] for p in body["data"]}


def test_a_client_reads_the_edit_window_from_its_own_permissions(directus, tokens):
    rule = {"_and": [{"user_created": {"_eq": "$CURRENT_USER"}},
                     {"date_created": {"_gte": "$NOW(-15 minutes)"}}]}
    assert window_as_a_client_reads_it(directus, tokens["bob"]) == {"update": rule,
                                                                     "delete": rule}
    status, body = rest(directus, "GET", "/permissions?fields=policy", token=tokens["bob"])
    assert status == 403 and error_code(body) == "FORBIDDEN"


def test_edit_window_flag_sets_the_window_and_a_plain_run_keeps_it(directus_factory):
    server = directus_factory()
    alice = server.login("alice")["access_token"]
    # Another policy's rules on messages stay hidden from chat users.
    other = rest(server, "POST", "/policies", {"name": "Editors", "admin_access": False,
                                               "app_access": False}, server.admin_token)
    rest(server, "POST", "/permissions", {"policy": other[1]["data"]["id"],
                                          "collection": "messages", "action": "update",
                                          "fields": ["*"]}, server.admin_token)

    def run(*flags):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main(["--url", server.url, "--token", server.admin_token, *flags]) == 0
        return out.getvalue()

    out = run("--edit-window", "60")
    assert ("Corrected the update permission on messages of Chat User to update on messages, "
            "own rows only, sent within the last 60 minutes (fields content, mentions).") in out
    message_id = post(server, alice, "20 minutes ago")
    sent_ago(server, message_id, timedelta(minutes=20))
    assert edit_over_rest(server, alice, message_id) == "ok"
    assert run() == "Directus is set up for the chat: nothing changed.\n"
    assert window_as_a_client_reads_it(server, alice)["update"]["_and"][1] == {
        "date_created": {"_gte": "$NOW(-60 minutes)"}}
    assert edit_over_socket(server, alice, message_id) == "ok"
    sent_ago(server, message_id, timedelta(minutes=61))
    assert delete_over_rest(server, alice, message_id) == "FORBIDDEN"


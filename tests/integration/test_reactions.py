"""Reactions: one per user, message and emoji, held by the database even for creates at
the same instant; the server sets who reacted; everyone reads them with the first name of
who reacted; a user deletes only their own; the emoji come from a list the server keeps."""

from __future__ import annotations

import contextlib
import io
import json
import threading
import uuid

import pytest

from server.provision.__main__ import EXIT_MISSING, main
from server.provision.reactions import EMOJI
from tests.wire import ask, error_code, rest, socket

WHO = ["id", "message", "emoji", "user_created.first_name"]


@pytest.fixture(scope="module")
def tokens(directus):
    return {name: directus.login(name)["access_token"] for name in directus.users}


@pytest.fixture(scope="module")
def user_ids(directus, tokens):
    return {name: rest(directus, "GET", "/users/me", token=token)[1]["data"]["id"]
            for name, token in tokens.items()}


def message(directus, token, content="react to me"):
    return rest(directus, "POST", "/items/messages", {"content": content}, token)[1]["data"]["id"]


def react(directus, token, message_id, emoji="👍", **extra):
    """(status, body) of a create over REST."""
    return rest(directus, "POST", "/items/reactions",
                {"message": message_id, "emoji": emoji, **extra}, token)


def react_over_socket(ws, message_id, emoji="👍"):
    return ask(ws, {"type": "items", "collection": "reactions", "action": "create",
                    "data": {"message": message_id, "emoji": emoji}, "uid": "r"})


def reactions_of(directus, message_id, token=None):
    status, body = rest(directus, "GET", "/items/reactions?sort=date_created&fields="
                        + ",".join(WHO) + f"&filter[message][_eq]={message_id}",
                        token=token or directus.admin_token)
    assert status == 200
    return body["data"]


def test_users_react_and_everyone_reads_who_reacted(directus, tokens):
    target = message(directus, tokens["carol"])
    assert react(directus, tokens["alice"], target)[0] == 200
    with socket(directus, tokens["bob"]) as ws:
        reply = react_over_socket(ws, target, "🎉")
        assert reply["data"]["emoji"] == "🎉" and reply["data"]["message"] == target
    seen = reactions_of(directus, target, tokens["carol"])
    assert [(r["emoji"], r["user_created"]["first_name"]) for r in seen] == [
        ("👍", "Alice"), ("🎉", "Bob")]
    with socket(directus, tokens["carol"]) as ws:
        reply = ask(ws, {"type": "items", "collection": "reactions", "action": "read",
                         "query": {"fields": WHO, "limit": -1,
                                   "filter": {"message": {"_in": [target]}}},
                         "uid": "read"})
    assert sorted(reply["data"], key=lambda r: r["emoji"]) == sorted(seen,
                                                                      key=lambda r: r["emoji"])


def test_one_reaction_per_user_message_and_emoji(directus, tokens):
    target = message(directus, tokens["alice"])
    assert react(directus, tokens["alice"], target)[0] == 200
    status, body = react(directus, tokens["alice"], target)
    assert status == 400 and error_code(body) == "RECORD_NOT_UNIQUE"
    assert body["errors"][0]["extensions"]["field"] == "key"
    with socket(directus, tokens["alice"]) as ws:
        reply = react_over_socket(ws, target)
        assert reply["status"] == "error" and reply["error"]["code"] == "RECORD_NOT_UNIQUE"
        assert "data" in react_over_socket(ws, target, "❤️")  # another emoji
    assert react(directus, tokens["bob"], target)[0] == 200  # another user
    assert sorted((r["emoji"], r["user_created"]["first_name"])
                  for r in reactions_of(directus, target)) == [
        ("❤️", "Alice"), ("👍", "Alice"), ("👍", "Bob")]


def test_creates_at_the_same_instant_store_one_reaction(directus, tokens):
    """20 creates of one reaction, half over REST and half over sockets, released together."""
    target = message(directus, tokens["alice"])
    sockets = [socket(directus, tokens["alice"]) for _ in range(10)]
    with contextlib.ExitStack() as stack:
        opened = [stack.enter_context(s) for s in sockets]
        start, results = threading.Barrier(20), []

        def over_rest():
            start.wait()
            status, body = react(directus, tokens["alice"], target, "🔥")
            results.append("ok" if status == 200 else error_code(body))

        def over_socket(ws):
            start.wait()
            reply = react_over_socket(ws, target, "🔥")
            results.append(reply["error"]["code"] if reply.get("status") == "error" else "ok")

        threads = [threading.Thread(target=over_rest) for _ in range(10)]
        threads += [threading.Thread(target=over_socket, args=(ws,)) for ws in opened]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert sorted(results) == ["RECORD_NOT_UNIQUE"] * 19 + ["ok"]
    assert len(reactions_of(directus, target)) == 1


def test_the_server_sets_who_reacted(directus, tokens, user_ids):
    target = message(directus, tokens["alice"])
    status, body = react(directus, tokens["alice"], target, user_created=user_ids["bob"])
    assert status == 403 and error_code(body) == "FORBIDDEN"
    # A key sent by the client is replaced: bob's reaction cannot be taken in advance.
    bobs_key = f"{user_ids['bob']} {target} 👍"
    status, body = react(directus, tokens["alice"], target, key=bobs_key)
    assert status == 200 and body["data"]["key"] == f"{user_ids['alice']} {target} 👍"
    assert body["data"]["user_created"] == user_ids["alice"]
    assert react(directus, tokens["bob"], target)[0] == 200


def test_only_who_reacted_deletes_a_reaction_and_nobody_changes_one(directus, tokens):
    target = message(directus, tokens["alice"])
    reaction = react(directus, tokens["alice"], target)[1]["data"]["id"]
    path = f"/items/reactions/{reaction}"
    status, body = rest(directus, "DELETE", path, token=tokens["bob"])
    assert status == 403 and error_code(body) == "FORBIDDEN"
    with socket(directus, tokens["bob"]) as ws:
        reply = ask(ws, {"type": "items", "collection": "reactions", "action": "delete",
                         "id": reaction, "uid": "d"})
        assert reply["error"]["code"] == "FORBIDDEN"
    for token in (tokens["alice"], tokens["bob"]):
        status, body = rest(directus, "PATCH", path, {"emoji": "😂"}, token)
        assert status == 403 and error_code(body) == "FORBIDDEN"
    with socket(directus, tokens["alice"]) as ws:
        reply = ask(ws, {"type": "items", "collection": "reactions", "action": "delete",
                         "id": reaction, "uid": "d"})
        assert reply["data"] == reaction
    assert reactions_of(directus, target) == []


@pytest.mark.parametrize("emoji", ["lol", "<b>hi</b>", "👍👍", "", "👍 ", None, ["👍"]])
def test_an_emoji_not_on_the_list_is_refused(directus, tokens, emoji):
    target = message(directus, tokens["alice"])
    status, body = react(directus, tokens["alice"], target, emoji)
    assert status == 400 and error_code(body) == "FAILED_VALIDATION"
    assert body["errors"][0]["extensions"]["field"] == "emoji"
    assert reactions_of(directus, target) == []


def test_the_list_of_emoji_is_in_the_field_a_client_may_read(directus, tokens):
    status, body = rest(directus, "GET", "/fields/reactions/emoji", token=tokens["carol"])
    assert status == 200
    assert [c["value"] for c in body["data"]["meta"]["options"]["choices"]] == list(EMOJI)
    target = message(directus, tokens["carol"])
    for emoji in EMOJI:
        assert react(directus, tokens["carol"], target, emoji)[0] == 200, emoji


@pytest.mark.parametrize("sent", [None, "not-an-id", 5, {"content": "a new message"},
                                  {"id": "x"}, [1]])
def test_a_reaction_must_name_a_message_by_its_id(directus, tokens, sent):
    status, body = react(directus, tokens["alice"], sent)
    assert status == 400 and error_code(body) == "FAILED_VALIDATION", body
    assert body["errors"][0]["extensions"]["field"] == "message"


def test_a_message_id_counts_once_whatever_its_case_and_must_exist(directus, tokens):
    target = message(directus, tokens["alice"])
    status, body = react(directus, tokens["alice"], target.upper())
    assert status == 200 and body["data"]["message"] == target
    status, body = react(directus, tokens["alice"], target)
    assert status == 400 and error_code(body) == "RECORD_NOT_UNIQUE"
    status, body = react(directus, tokens["alice"], str(uuid.uuid4()))
    assert status == 400 and error_code(body) == "INVALID_FOREIGN_KEY"


def test_reactions_go_with_their_message_without_a_delete_event(directus, tokens):
    """The database deletes them (cascade), so Directus sends subscribers no delete for
    them: a client drops the reactions of a message it sees deleted."""
    target = message(directus, tokens["alice"])
    with socket(directus, tokens["bob"]) as ws:
        ws.send(json.dumps({"type": "subscribe", "collection": "reactions", "uid": "live",
                            "query": {"fields": WHO}}))
        assert json.loads(ws.recv(timeout=10))["event"] == "init"
        react(directus, tokens["alice"], target)
        event = json.loads(ws.recv(timeout=10))
        assert event["event"] == "create"
        assert event["data"][0]["user_created"] == {"first_name": "Alice"}
        assert rest(directus, "DELETE", f"/items/messages/{target}",
                    token=tokens["alice"])[0] == 204
        with pytest.raises(TimeoutError):
            ws.recv(timeout=2)
    assert reactions_of(directus, target) == []


def test_without_its_flow_reactions_stop_and_check_names_the_flow(directus_factory, capsys):
    """The safety net: with the flow that fills `key` turned off, creates fail (the key is
    required) instead of storing duplicates; --check reports it, a plain run restores it."""
    server = directus_factory()
    alice = server.login("alice")["access_token"]
    flow = rest(server, "GET", "/flows?filter[name][_eq]=Chat:%20unique%20key%20of%20reactions",
                token=server.admin_token)[1]["data"][0]
    assert rest(server, "PATCH", f"/flows/{flow['id']}", {"status": "inactive"},
                server.admin_token)[0] == 200
    target = message(server, alice)
    status, body = react(server, alice, target)
    assert status == 400 and error_code(body) == "FAILED_VALIDATION"
    assert body["errors"][0]["extensions"]["field"] == "key"

    capsys.readouterr()
    assert main(["--url", server.url, "--token", server.admin_token, "--check"]) == EXIT_MISSING
    assert ("Missing: the flow 'Chat: unique key of reactions' (one row of reactions per "
            "user, message and emoji), as made") in capsys.readouterr().out
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["--url", server.url, "--token", server.admin_token]) == 0
    assert react(server, alice, target)[0] == 200
    assert error_code(react(server, alice, target)[1]) == "RECORD_NOT_UNIQUE"

"""Mentions: `messages.mentions` holds the ids of the users a message names (the text stays
as written), sent as ids joined by commas and read back as a list; anything else is
refused; a user finds the messages that mention them with `_contains $CURRENT_USER`."""

from __future__ import annotations

import json
import uuid
from urllib.parse import urlencode

import pytest

from tests.wire import ask, error_code, rest, socket


@pytest.fixture(scope="module")
def tokens(directus):
    return {name: directus.login(name)["access_token"] for name in directus.users}


@pytest.fixture(scope="module")
def user_ids(directus, tokens):
    return {name: rest(directus, "GET", "/users/me", token=token)[1]["data"]["id"]
            for name, token in tokens.items()}


def post(directus, token, content, mentions):
    return rest(directus, "POST", "/items/messages", {"content": content, "mentions": mentions},
                token)


def test_mentions_are_sent_as_ids_joined_by_commas_and_read_as_a_list(directus, tokens,
                                                                       user_ids):
    bob, carol = user_ids["bob"], user_ids["carol"]
    status, body = post(directus, tokens["alice"], "@Bob hi", bob)
    assert status == 200 and body["data"]["mentions"] == [bob]
    assert body["data"]["content"] == "@Bob hi"
    with socket(directus, tokens["alice"]) as ws:
        reply = ask(ws, {"type": "items", "collection": "messages", "action": "create",
                         "data": {"content": "@Bob @Carol", "mentions": f"{bob},{carol}"},
                         "uid": "m"})
    assert reply["data"]["mentions"] == [bob, carol]
    status, body = post(directus, tokens["alice"], "nobody", None)
    assert status == 200 and body["data"]["mentions"] is None


@pytest.mark.parametrize("mentions", [
    ["LIST"],                        # a JSON list: send the ids joined by commas instead
    "bob", "", "ID,", ",ID", "ID ID", "ID;ID", "UPPER", "ID,<script>", 5, {"id": "ID"},
    ",".join(["ID"] * 51),           # more than 50
])
def test_mentions_other_than_user_ids_joined_by_commas_are_refused(directus, tokens, user_ids,
                                                                    mentions):
    bob = user_ids["bob"]
    fill = {"LIST": bob, "ID": bob, "UPPER": bob.upper()}

    def filled(value):
        if isinstance(value, str):
            for name, text in fill.items():
                value = value.replace(name, text)
        elif isinstance(value, list):
            value = [filled(v) for v in value]
        elif isinstance(value, dict):
            value = {k: filled(v) for k, v in value.items()}
        return value

    marker = uuid.uuid4().hex
    status, body = post(directus, tokens["alice"], marker, filled(mentions))
    assert status == 400 and error_code(body) == "FAILED_VALIDATION", body
    assert body["errors"][0]["extensions"]["field"] == "mentions"
    found = rest(directus, "GET", f"/items/messages?filter[content][_eq]={marker}",
                 token=directus.admin_token)[1]["data"]
    assert found == []


def test_fifty_mentions_are_fine(directus, tokens, user_ids):
    ids = [user_ids["bob"]] + [str(uuid.uuid4()) for _ in range(49)]
    status, body = post(directus, tokens["alice"], "everyone", ",".join(ids))
    assert status == 200 and body["data"]["mentions"] == ids


def test_a_user_finds_the_messages_that_mention_them(directus, tokens, user_ids):
    """REST and socket reads with `_contains $CURRENT_USER`; `date_created _gt` limits them
    to the unread ones (issue 13's notifications)."""
    marker = uuid.uuid4().hex[:8]
    bob, carol = user_ids["bob"], user_ids["carol"]
    for content, mentions in (("for bob", bob), ("for carol", carol),
                              ("for both", f"{carol},{bob}"), ("for nobody", None)):
        assert post(directus, tokens["alice"], f"{marker} {content}", mentions)[0] == 200
    query = {"filter": {"_and": [{"mentions": {"_contains": "$CURRENT_USER"}},
                                 {"content": {"_starts_with": marker}},
                                 {"date_created": {"_gt": "$NOW(-1 hour)"}}]},
             "fields": ["content"], "sort": ["date_created"]}
    status, body = rest(directus, "GET", "/items/messages?" + urlencode(
        {"filter": json.dumps(query["filter"]), "fields": "content", "sort": "date_created"}),
        token=tokens["bob"])
    assert status == 200
    assert [m["content"] for m in body["data"]] == [f"{marker} for bob", f"{marker} for both"]
    with socket(directus, tokens["carol"]) as ws:
        reply = ask(ws, {"type": "items", "collection": "messages", "action": "read",
                         "query": query, "uid": "mine"})
    assert [m["content"] for m in reply["data"]] == [f"{marker} for carol",
                                                     f"{marker} for both"]


def test_a_subscription_can_carry_only_the_messages_that_mention_the_subscriber(
        directus, tokens, user_ids):
    """$CURRENT_USER in a subscription's filter is the subscriber (resolved at subscribe)."""
    with socket(directus, tokens["bob"]) as ws:
        ws.send(json.dumps({"type": "subscribe", "collection": "messages", "uid": "me",
                            "query": {"fields": ["content"],
                                      "filter": {"mentions": {"_contains": "$CURRENT_USER"}}}}))
        assert json.loads(ws.recv(timeout=10))["event"] == "init"
        post(directus, tokens["alice"], "not for bob", user_ids["carol"])
        post(directus, tokens["alice"], "for bob", user_ids["bob"])
        event = json.loads(ws.recv(timeout=10))
        assert event["event"] == "create" and event["data"] == [{"content": "for bob"}]


def test_an_edit_may_change_the_mentions(directus, tokens, user_ids):
    body = post(directus, tokens["alice"], "@Bob", user_ids["bob"])[1]
    status, body = rest(directus, "PATCH", f"/items/messages/{body['data']['id']}",
                        {"content": "@Carol", "mentions": user_ids["carol"]}, tokens["alice"])
    assert status == 200 and body["data"]["mentions"] == [user_ids["carol"]]

"""The people of the chat and mentions, through the core: read once per session with the
token in a header, avatars dropped where not readable, mentions sent as "id,id" only
where the server has them, read back as ids."""

from __future__ import annotations

import json

from chat import core as c
from chat.core.protocol import parse_message

from .driver import PEOPLE, WITH_PEOPLE, Driver, item, token


def people_events(d: Driver) -> list[c.PeopleChanged]:
    return [e for e in d.events if isinstance(e, c.PeopleChanged)]


def test_people_are_read_once_live_with_the_token_in_the_header_not_the_url():
    d = Driver(**WITH_PEOPLE)
    d.sign_in_and_connect(catch_up=None)
    assert not [r for r in d.take(c.HttpRequest)]  # not before the history is in
    read = d.frames()[-1]
    d.frame({"type": "items", "uid": read["uid"], "data": []})
    (request,) = d.take(c.HttpRequest)
    assert request.method is c.Method.GET
    assert request.path == "/users?fields=id,first_name,avatar&sort=first_name&limit=1000"
    assert request.token == token("u-alice", 1) and "access_token" not in request.path
    d.http_response(request.id, 200, {"data": PEOPLE + [{"first_name": "no id"}]})
    (event,) = people_events(d)
    assert event.people == (c.Person(id="u-alice", first_name="Alice"),
                            c.Person(id="u-bob", first_name="Bob", avatar="file-bob"))
    d.drop()
    d.reconnect()
    assert not [r for r in d.take(c.HttpRequest) if r.path.startswith("/users")]


def test_where_avatars_are_not_readable_the_names_are_read_alone():
    d = Driver(**WITH_PEOPLE)
    d.sign_in_and_connect(catch_up=None)
    read = d.frames()[-1]
    d.frame({"type": "items", "uid": read["uid"], "data": []})
    d.answer_http(403, {"errors": [{"extensions": {"code": "FORBIDDEN"}}]})
    (again,) = d.take(c.HttpRequest)
    assert again.path == "/users?fields=id,first_name&sort=first_name&limit=1000"
    d.answer_http(403, {"errors": []}, again)  # no users readable (the tutorial's Public)
    assert not d.take(c.HttpRequest) and not people_events(d)


def test_a_new_session_reads_the_people_again():
    d = Driver(**WITH_PEOPLE)
    d.sign_in_and_connect()
    d.sign_out()
    d.take()
    d.sign_in_and_connect(user="u-bob")
    assert len(people_events(d)) == 2


def sent_create(d: Driver) -> dict:
    return next(f for f in d.frames() if f.get("action") == "create")


def test_mentions_go_as_ids_joined_by_commas_where_the_server_has_them():
    d = Driver(**WITH_PEOPLE)
    d.sign_in_and_connect()
    d.send("hi @Bob and @Carol", mentions=("u-bob", "u-carol", "u-bob", ""))
    create = sent_create(d)
    assert create["data"]["mentions"] == "u-bob,u-carol"
    assert "mentions" in create["query"]["fields"]
    assert "user_created.avatar" in create["query"]["fields"]


def test_without_the_field_mentions_are_neither_sent_nor_asked_for():
    d = Driver()  # the server's messages have no mentions, its users are not readable
    d.sign_in_and_connect()
    d.send("hi @Bob", mentions=("u-bob",))
    create = sent_create(d)
    assert "mentions" not in create["data"] and "mentions" not in create["query"]["fields"]
    assert "user_created.avatar" not in create["query"]["fields"]
    assert not people_events(d)


def test_mentions_and_avatars_are_read_from_a_message():
    row = item("m1", "hi @Bob")
    row["mentions"] = ["u-bob", 7, ""]
    row["user_created"]["avatar"] = "file-alice"
    message = parse_message(row)
    assert message.mentions == ("u-bob",) and message.user_avatar == "file-alice"
    assert parse_message({**row, "mentions": "u-a,u-b"}).mentions == ("u-a", "u-b")
    assert parse_message({**row, "mentions": None}).mentions == ()
    assert json.loads(json.dumps(row))  # the shape Directus sends

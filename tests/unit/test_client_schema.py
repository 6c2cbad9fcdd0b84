"""The client learns what the server has once per session, before the socket opens, and
chats on whatever it learned: integer ids, ``client_id`` as the key, or no key at all;
and says what is wrong when the chat cannot work there."""

import json

from chat import core as c
from chat.core import Phase, texts
from chat.core.schema import KeyKind

from .driver import Driver, at, item
from .test_schema import CHAT_USER, PUBLIC, UPGRADED, fields_body, perms

URL = "http://directus.test"


def signed_in(**kwargs) -> Driver:
    d = Driver(auto_learn=False, **kwargs)
    d.sign_in("carol@example.com", "pw")
    d.answer_http(200, d.tokens_body("u-carol"))
    return d


def row(message_id, content="hi", second=0, client_id=None) -> dict:
    data = item(message_id, content, at=at(second), user="u-carol", name="Carol")
    return data if client_id is None else {**data, "client_id": client_id}


def reason(d: Driver) -> str | None:
    return [e for e in d.events if isinstance(e, c.PhaseChanged)][-1].reason


def test_it_asks_with_the_token_before_the_socket_opens_and_reads_the_fields_it_learned():
    d = signed_in(fields=UPGRADED, permissions=CHAT_USER)
    (permissions,) = d.take(c.HttpRequest)
    assert (permissions.method, permissions.path) == (c.Method.GET, "/permissions/me")
    assert permissions.token and permissions.token.count(".") == 2
    assert d.take(c.OpenSocket) == [] and d.phase is Phase.CONNECTING
    d.answer_http(200, CHAT_USER, permissions)
    (fields,) = d.take(c.HttpRequest)  # Chat Users may read the field list
    assert (fields.path, fields.token) == ("/fields/messages", permissions.token)
    assert d.take(c.OpenSocket) == []
    d.answer_http(200, UPGRADED, fields)
    assert d.client.capabilities.key is KeyKind.CLIENT_ID
    d.connect(catch_up=None)
    subscribe = json_frames(d.history, "subscribe")[-1]
    assert subscribe["query"]["fields"] == list(d.client.capabilities.message_fields)
    assert "client_id" in subscribe["query"]["fields"]


def test_without_directus_fields_in_its_permissions_it_does_not_ask_for_the_field_list():
    """A roleless tutorial user would get 403 (a console error in the page)."""
    d = signed_in(fields=403, permissions=PUBLIC)
    d.learn()
    assert [r.path for r in d.history if isinstance(r, c.HttpRequest)] == [
        "/auth/login", "/permissions/me"]
    assert d.take(c.OpenSocket) and not d.client.capabilities.field_list


def json_frames(actions, kind):
    frames = [json.loads(a.text) for a in actions if isinstance(a, c.SendFrame)]
    return [f for f in frames if f["type"] == kind and f.get("collection") != "reactions"]


def test_it_learns_once_per_session_and_again_in_the_next():
    d = signed_in()
    d.learn()
    d.connect()
    d.drop()
    d.auto_learn = True  # would answer any question asked
    d.reconnect()
    assert not [r for r in d.history if getattr(r, "path", "") == "/permissions/me"][1:]
    d.sign_out()
    d.sign_in("carol@example.com", "pw")
    d.answer_http(200, d.tokens_body("u-carol"))
    assert len([r for r in d.history if getattr(r, "path", "") == "/permissions/me"]) == 2


def test_a_question_unanswered_waits_and_asks_again_at_the_next_attempt():
    d = signed_in()
    (permissions,) = d.take(c.HttpRequest)
    d.answer_http(200, d.schema_answers["/permissions/me"], permissions)
    (fields,) = d.take(c.HttpRequest)
    d.http_failed(fields.id, c.Failure.NETWORK)
    assert d.phase is Phase.WAITING
    d.http_response(fields.id, 200, UPGRADED)  # late: the next attempt asks again
    d.auto_learn = True
    d.reconnect()
    assert d.phase is Phase.LIVE
    asked = [r.path for r in d.history if isinstance(r, c.HttpRequest)]
    assert asked.count("/fields/messages") == asked.count("/permissions/me") == 2


def test_integer_ids_without_a_key_chat_and_are_confirmed_by_the_reply():
    """A roleless user of the tutorial's collection: /fields is 403, ids are numbers,
    creates carry no key, the reply confirms; ids stay numbers and order as numbers."""
    d = signed_in(fields=403, permissions=PUBLIC)
    d.learn()
    d.connect([row(10, "ten", 5), row(9, "nine", 5), row(2, "two", 1)])
    assert [m.id for m in d.client.timeline.messages()] == [2, 9, 10]
    assert d.client.capabilities.key is KeyKind.NONE
    d.send("hello")
    create = d.frames()[0]
    assert create["data"] == {"content": "hello"}
    assert "date_updated" not in create["query"]["fields"]
    d.frame({"type": "items", "uid": create["uid"], "data": row(11, "hello", 6)})
    assert d.client.outbox == ()
    assert [m.id for m in d.client.timeline.messages()] == [2, 9, 10, 11]
    # A delete event names an integer id as a number or as its digits.
    d.frame({"type": "subscription", "event": "delete", "uid": d.sub_uid, "data": ["9", 10]})
    assert [m.id for m in d.client.timeline.messages()] == [2, 11]


def test_on_an_upgraded_collection_client_id_is_the_key_of_the_outbox():
    d = signed_in(fields=UPGRADED, permissions=CHAT_USER)
    d.learn()
    d.connect([row(1, "old", 1)])
    reactions = d.frames()[-1]  # this server has reactions: those of the page
    assert reactions["query"]["filter"] == {"message": {"_in": [1]}}
    d.frame({"type": "items", "uid": reactions["uid"], "data": []})
    a = d.send("a")
    create = d.frames()[0]
    assert create["data"] == {"client_id": a, "content": "a"}
    # Stored before a lost reply: the retry is RECORD_NOT_UNIQUE, read back by client_id.
    d.frame({"type": "items", "status": "error", "error": {"code": "RECORD_NOT_UNIQUE"}})
    verify = d.frames()[0]
    assert verify["query"]["filter"] == {"client_id": {"_in": [a]}}
    d.frame({"type": "items", "uid": verify["uid"], "data": [row(2, "a", 2, client_id=a)]})
    assert d.client.outbox == ()
    assert [(m.id, m.client_id) for m in d.client.timeline.messages()] == [(1, None), (2, a)]
    # Its create event, later, changes nothing.
    d.frame({"type": "subscription", "event": "create", "uid": d.sub_uid,
             "data": [row(2, "a", 2, client_id=a)]})
    assert len(d.client.timeline) == 2


def test_a_uuid_collection_without_a_field_list_keys_by_id_once_the_ids_show_it():
    d = signed_in(fields=403, permissions=PUBLIC)
    d.learn()
    d.connect([row("0f6a9d1e-62f4-4a51-9a3e-7f7d3e1c2b10", "old")])
    a = d.send("a")
    assert d.frames()[0]["data"] == {"id": a, "content": "a"}


def test_content_longer_than_a_string_field_holds_is_refused_before_sending():
    d = signed_in(fields=fields_body("uuid", "user_created", "date_created", max_length=255))
    d.learn()
    d.connect()
    try:
        d.send("x" * 256)
    except ValueError as error:
        assert str(error) == texts.TOO_LONG.format(limit=255, length=256)
    else:
        raise AssertionError("sent")


# --- What is wrong, said on the page ----------------------------------------------------


def test_a_needed_field_missing_is_named_with_the_command_that_adds_it():
    d = signed_in(fields={"data": [{"field": "id", "type": "integer"},
                                   {"field": "text", "type": "text"},
                                   {"field": "date_created", "type": "timestamp"}]})
    d.learn()
    assert d.phase is Phase.SIGNED_OUT and d.take(c.OpenSocket) == []
    assert reason(d) == (
        "The messages collection at http://directus.test has no field content, which the "
        "chat needs. An administrator can add it with: python3 -m server.provision --url "
        "http://directus.test --token ADMIN_TOKEN")


def test_no_read_permission_is_the_only_case_that_says_may_not_read_the_chat():
    d = signed_in(fields=403, permissions=perms(messages={"read": ("none", ()),
                                                          "create": ("full", ("*",))}))
    d.learn()
    assert d.phase is Phase.SIGNED_OUT
    assert reason(d) == (
        "Your account may not read the chat (it lacks the read permission on messages). Ask "
        "an administrator for the Chat User role; python3 -m server.provision --url "
        "http://directus.test --token ADMIN_TOKEN --assign-chat-role gives it to every user "
        "without a role.")


def test_no_create_permission_is_a_notice_and_the_chat_still_reads():
    d = signed_in(fields=403, permissions=perms(messages={"read": ("full", ("*",))}))
    d.learn()
    d.connect()
    assert d.phase is Phase.LIVE
    assert c.Notice(text=texts.NO_CREATE.format(url=URL)) in d.events
    assert "lacks the create permission on messages" in texts.NO_CREATE


def subscribe_refused(error: dict, with_uid: bool) -> Driver:
    d = signed_in(fields=403, permissions={"data": {}})
    d.learn()
    d.socket_opened(d.take(c.OpenSocket)[-1].conn)
    auth = d.frames()[-1]
    d.frame({"type": "auth", "status": "ok", "uid": auth["uid"]})
    subscribe = d.frames()[-1]
    frame = {"type": "subscribe", "status": "error", "error": error}
    d.frame({**frame, "uid": subscribe["uid"]} if with_uid else frame)
    assert d.phase is Phase.SIGNED_OUT
    return d


def test_a_missing_collection_says_so_with_the_command_that_makes_it():
    d = subscribe_refused({"code": "INVALID_COLLECTION", "message": "Invalid collection"}, True)
    assert reason(d) == (
        "The Directus at http://directus.test has no messages collection. An administrator "
        "can make it with: python3 -m server.provision --url http://directus.test --token "
        "ADMIN_TOKEN")


def test_a_field_refused_by_the_subscription_is_named():
    d = subscribe_refused({"code": "FORBIDDEN", "message": (
        'You don\'t have permission to access field "date_updated" in collection "messages" '
        'or it does not exist. Queried in root.')}, False)
    assert reason(d) == (
        "The chat could not read the field date_updated of messages: it is missing, or your "
        "account may not read it. An administrator can fix it with: python3 -m "
        "server.provision --url http://directus.test --token ADMIN_TOKEN")


def test_a_collection_not_readable_says_may_not_read_the_chat():
    d = subscribe_refused({"code": "FORBIDDEN", "message": (
        'You don\'t have permission to access collection "messages" or it does not '
        'exist.')}, False)
    assert reason(d) == texts.NO_ACCESS.format(url=URL)

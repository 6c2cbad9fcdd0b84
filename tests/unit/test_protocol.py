"""Parsing and encoding Directus frames."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chat.core import protocol as p


def test_frames_parse_to_their_types():
    assert p.parse('{"type":"ping"}') == p.Ping()
    assert p.parse('{"type":"auth","status":"ok","uid":"a1"}') == p.AuthOk(uid="a1")
    assert p.parse('{"type":"auth","status":"error","error":{"code":"TOKEN_EXPIRED",'
                   '"message":"Token expired."}}') == p.AuthError(code="TOKEN_EXPIRED",
                                                                  message="Token expired.")
    assert p.parse('{"type":"items","data":[],"uid":"h1"}') == p.ItemsReply(uid="h1", data=[])
    assert p.parse('{"type":"server","status":"error","error":{"code":"REQUESTS_EXCEEDED"}}'
                   ) == p.RequestError(type="server", code="REQUESTS_EXCEEDED")
    assert p.parse('{"type":"subscription","event":"delete","data":["x"],"uid":"l"}'
                   ) == p.SubscriptionEvent(uid="l", event="delete", data=["x"])


def test_a_message_parses_with_its_author():
    m = p.parse_message({"id": "i", "content": "c", "date_created": "2026-11-27T10:00:00.500Z",
                         "date_updated": None,
                         "user_created": {"id": "u", "first_name": "Alice"}})
    assert (m.id, m.content, m.user_id, m.user_name) == ("i", "c", "u", "Alice")
    assert p.format_time(m.created) == "2026-11-27T10:00:00.500Z"


def test_a_bare_user_id_is_kept_as_the_author_id():
    m = p.parse_message({"id": "i", "content": "c", "date_created": "2026-11-27T10:00:00",
                         "user_created": "u"})
    assert (m.user_id, m.user_name) == ("u", None)


def test_timestamps_without_a_zone_are_utc():
    assert p.parse_time("2026-11-27T10:00:00") == p.parse_time("2026-11-27T10:00:00.000Z")
    assert p.parse_time("2026-11-27T11:00:00+01:00") == p.parse_time("2026-11-27T10:00:00Z")
    assert p.parse_time("yesterday") is None


def test_create_sends_only_id_and_content():
    frame = json.loads(p.encode_create("c1", "id-1", "héllo <b>"))
    assert frame["data"] == {"id": "id-1", "content": "héllo <b>"}
    assert frame["action"] == "create" and frame["uid"] == "c1"


@given(st.text())
def test_any_text_parses_without_raising(text):
    assert p.parse(text) is not None


frames = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["type", "status", "uid", "data", "event", "error",
                                       "code", "id", "content", "date_created",
                                       "user_created"]) | st.text(max_size=5),
                      children, max_size=6),
    max_leaves=20,
)


@given(frames)
def test_any_json_parses_without_raising(value):
    frame = p.parse(json.dumps(value))
    if isinstance(frame, (p.ItemsReply, p.SubscriptionEvent)):
        for item in frame.data if isinstance(frame.data, list) else [frame.data]:
            p.parse_message(item)


@pytest.mark.parametrize("item", [None, 1, [], {}, {"id": 1, "content": "x"},
                                  {"id": "x", "content": None, "date_created": "2026-01-01"},
                                  {"id": "x", "content": "c", "date_created": "nope"}])
def test_malformed_items_are_none(item):
    assert p.parse_message(item) is None

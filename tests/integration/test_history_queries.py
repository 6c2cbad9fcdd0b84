"""The reads a client sends for scrollback (keyset pages of 50 on date_created, id as
tie-break) and search (case-insensitive substring, newest first, the same keyset), over
the socket: no message skipped or repeated across ties, and any text taken as data."""

from __future__ import annotations

import json
import urllib.parse
import uuid

import pytest

from tests.history import (
    all_pages,
    check_scrollback,
    matches,
    post_many,
    read,
    same_date,
    search_filter,
)
from tests.wire import rest, socket


@pytest.fixture(scope="module")
def alice(directus):
    return directus.login("alice")["access_token"]


def test_scrollback_pages_reach_the_first_message_across_ties(directus, alice):
    check_scrollback(directus, alice, uuid.uuid4().hex)


def test_a_uuid_has_no_order_in_a_filter(directus, alice):
    """Why the keyset's tie-break is `_nin` of the ids loaded, not `id _lt`."""
    status, body = rest(directus, "GET", "/items/messages?filter=" + urllib.parse.quote(
        json.dumps({"id": {"_lt": str(uuid.uuid4())}})), token=alice)
    assert status == 400 and body["errors"][0]["extensions"]["code"] == "INVALID_QUERY"
    assert '"uuid" field type does not contain the "_lt" filter operator' in \
        body["errors"][0]["message"]


def test_search_is_case_insensitive_newest_first_and_paged_like_scrollback(directus, alice):
    tag = uuid.uuid4().hex
    ids = post_many(directus, alice, [f"{tag} {word}" for word in (
        "hello", "HELLO there", "say Hello", "goodbye", "hELLo again", "hell no")])
    same_date(directus, ids[1:3], ids[1])
    search = {"_and": [search_filter("HeLLo"), {"content": {"_starts_with": tag}}]}
    with socket(directus, alice) as ws:
        pages = all_pages(ws, search, limit=2)
        whole = read(ws, search, limit=-1)
    hits = [m["content"].removeprefix(f"{tag} ") for p in pages for m in p]
    assert [len(p) for p in pages] == [2, 2]
    assert hits == [m["content"].removeprefix(f"{tag} ") for m in whole]
    assert hits[0] == "hELLo again" and hits[-1] == "hello"
    assert sorted(hits[1:3]) == ["HELLO there", "say Hello"]  # a tie: by id


# text searched for, a message that holds it, and one the server also returns (LIKE's
# wildcards, and the pieces searched for separately), which the client's check drops
TEXTS = [
    ("100%", "only 100% sure", "100 sure"),
    ("snake_case", "a snake_case name", "snakeXcase"),
    ("back\\slash", "a back\\slash here", "backslash"),
    ("a%b_c\\d", "odd a%b_c\\d one", "aXbXcd"),
    ("it's", "it's here", None),
    ('"quoted"', 'a "quoted" word', None),
    ('{"_eq": 1}', 'json {"_eq": 1} text', None),
    ('{"content": {"_nnull": true}}', 'x {"content": {"_nnull": true}} y', None),
    ("'; DROP TABLE messages; --", "'; DROP TABLE messages; -- no", None),
    ("null", "null and void", None),
    ("TRUE", "a true story", None),
    ("False", "false start", None),
    ("$NOW", "$NOW is the time", None),
    ("$CURRENT_USER", "who is $CURRENT_USER", None),
    ("ünïcödé", "plain ünïcödé", None),
    ("日本語", "日本語のテキスト", None),
    ("🙂👍", "smile 🙂👍", None),
]


@pytest.mark.parametrize("text, holder, decoy", TEXTS)
def test_search_takes_any_text_as_data(directus, alice, text, holder, decoy):
    tag = uuid.uuid4().hex
    contents = [f"{tag} {holder}", f"{tag} nothing to see"] + ([f"{tag} {decoy}"] if decoy
                                                                else [])
    post_many(directus, alice, contents)
    # (The tag keeps other tests' messages out; a client sends search_filter(text) alone.)
    search = {"_and": [search_filter(text), {"content": {"_starts_with": tag}}]}
    with socket(directus, alice) as ws:
        answer = [m["content"] for p in all_pages(ws, search) for m in p]
    assert [c for c in answer if matches(text, c)] == [f"{tag} {holder}"]
    if decoy:
        assert f"{tag} {decoy}" in answer


@pytest.mark.parametrize("raw", ["null", "true", "false", "$NOW", "$NOW(-1 day)"])
def test_some_texts_sent_as_they_are_break_the_query(directus, alice, raw):
    """Directus turns these filter values into null, booleans or a date, and the LIKE then
    throws: REST answers 500, and the socket does not answer at all (Directus only logs
    an error that is not its own, websocket/errors.js). search_filter() avoids it."""
    status, _ = rest(directus, "GET", "/items/messages?filter=" + urllib.parse.quote(
        f'{{"content": {{"_icontains": "{raw}"}}}}'), token=alice)
    assert status == 500
    with socket(directus, alice) as ws:
        ws.send(json.dumps({"type": "items", "collection": "messages", "action": "read",
                            "uid": "raw", "query": {"filter": {"content": {"_icontains": raw}}}}))
        with pytest.raises(TimeoutError):
            ws.recv(timeout=3)
        assert isinstance(read(ws, search_filter(raw)), list)  # the socket still works


def test_current_user_sent_as_it_is_searches_for_the_users_id(directus, alice):
    me = rest(directus, "GET", "/users/me", token=alice)[1]["data"]["id"]
    tag = uuid.uuid4().hex
    post_many(directus, alice, [f"{tag} literal $CURRENT_USER", f"{tag} id {me}"])
    with socket(directus, alice) as ws:
        found = read(ws, {"_and": [{"content": {"_icontains": "$CURRENT_USER"}},
                                   {"content": {"_starts_with": tag}}]})
        assert [m["content"] for m in found] == [f"{tag} id {me}"]
        found = read(ws, {"_and": [search_filter("$CURRENT_USER"),
                                   {"content": {"_starts_with": tag}}]})
        assert [m["content"] for m in found] == [f"{tag} literal $CURRENT_USER"]


def test_sqlite_ignores_the_case_of_ascii_letters_only(directus, alice):
    """A limit of SQLite's LOWER(), which Directus' _icontains uses: upper-case letters
    beyond ASCII are never found, whatever the case searched for (PostgreSQL finds them)."""
    tag = uuid.uuid4().hex
    post_many(directus, alice, [f"{tag} Émile", f"{tag} émile", f"{tag} EMILE"])
    with socket(directus, alice) as ws:
        for text in ("émile", "Émile", "ÉMILE"):
            found = read(ws, {"_and": [search_filter(text), {"content": {"_starts_with": tag}}]})
            assert [m["content"] for m in found] == [f"{tag} émile"], text
        found = read(ws, {"_and": [search_filter("emile"), {"content": {"_starts_with": tag}}]})
        assert [m["content"] for m in found] == [f"{tag} EMILE"]

"""The chat setup works on PostgreSQL, the database of the docker-compose Directus."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from server import provision
from server.local import DirectusServer, SetupError, bootstrap, free_port
from tests import tutorial_db
from tests.channel_helpers import GENERAL, Member, code
from tests.history import matches, search_filter
from tests.wire import error_code, rest


def call(url, path, token=None, body=None):
    request = urllib.request.Request(
        url + path, method="POST" if body is not None else "GET",
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json",
                 **({"Authorization": f"Bearer {token}"} if token else {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)["data"]
    except urllib.error.HTTPError as error:
        return error.code, None


@pytest.fixture(scope="module")
def pg_chat(postgres, tmp_path_factory):
    """A Directus on PostgreSQL, bootstrapped with the chat setup; (server, admin token)."""
    pg_env = postgres.directus_env("chat")
    work = tmp_path_factory.mktemp("pg-chat")
    try:
        admin_token = bootstrap(work / "pg.db", extra_env=pg_env)
    except SetupError as error:
        pytest.fail(str(error), pytrace=False)
    server = DirectusServer(work / "pg.db", free_port(), "http://127.0.0.1", pg_env)
    server.start()
    yield server, admin_token
    server.stop()


def test_setup_on_postgresql_is_idempotent_and_enforces_access(pg_chat, capsys):
    server, admin_token = pg_chat
    capsys.readouterr()
    provision.provision(server.url, admin_token, demo_users=True)
    assert capsys.readouterr().out == "Directus is set up for the chat: nothing changed.\n"

    email, password, _ = provision.DEMO_USERS["alice"]
    token = call(server.url, "/auth/login", body={"email": email, "password": password}
                 )[1]["access_token"]
    status, message = call(server.url, "/items/messages", token, {"content": "on pg"})
    assert status == 200 and message["user_created"]
    assert call(server.url, "/users?fields=email", token)[0] == 403
    assert call(server.url, "/items/messages")[0] == 403

    # The channel rules hold on PostgreSQL too.
    alice, carol = Member(server, "alice"), Member(server, "carol")
    room = alice.create_channel("pg", private=True)
    assert alice.post(room, "members only")[0] == 200
    assert code(carol.post(room, "intruder")) == "FAILED_VALIDATION"
    assert code(carol.join(room)) == "FAILED_VALIDATION"
    assert carol.call("GET", f"/items/messages?filter[channel][_eq]={room}")[1]["data"] == []
    assert message["channel"] == GENERAL


def test_the_features_hold_on_postgresql_where_creates_run_side_by_side(pg_chat):
    """SQLite runs one write at a time; PostgreSQL does not: the unique keys still hold.
    And the rules that compare dates, follow avatars or match text work there too."""
    server, admin_token = pg_chat
    alice, bob = tutorial_db.login(server.url, "alice"), tutorial_db.login(server.url, "bob")
    target = call(server.url, "/items/messages", alice, {"content": "react"})[1]["id"]

    def at_once(path, body, token, count=20):
        start, results = threading.Barrier(count), []

        def one():
            start.wait()
            results.append(call(server.url, path, token, body)[0])

        threads = [threading.Thread(target=one) for _ in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        return sorted(results)

    assert at_once("/items/reactions", {"message": target, "emoji": "👍"}, bob) == \
        [200] + [400] * 19
    assert at_once("/items/read_positions", {"last_read": target}, bob) == [200] + [400] * 19
    room = Member(server, "alice").create_channel("pg-positions")
    assert at_once("/items/read_positions", {"last_read": target, "channel": room}, bob) == \
        [200] + [400] * 19, "one per user and channel: a second channel has its own"
    assert len(call(server.url, f"/items/reactions?filter[message][_eq]={target}",
                    admin_token)[1]) == 1

    # The edit window with PostgreSQL's timestamps.
    old = call(server.url, "/items/messages", alice, {"content": "old"})[1]["id"]
    when = (datetime.now(UTC) - timedelta(minutes=16)).isoformat()
    rest(server, "PATCH", f"/items/messages/{old}", {"date_created": when}, admin_token)
    status, body = rest(server, "PATCH", f"/items/messages/{old}", {"content": "x"}, alice)
    assert status == 403 and error_code(body) == "FORBIDDEN"
    assert rest(server, "PATCH", f"/items/messages/{target}", {"content": "ok"}, alice)[0] \
        == 200

    # Avatars only (none set: no file readable), mentions found by _contains.
    assert call(server.url, "/files", alice) == (200, [])
    bob_id = call(server.url, "/users/me", bob)[1]["id"]
    call(server.url, "/items/messages", alice, {"content": "@Bob", "mentions": bob_id})
    status, found = call(server.url, "/items/messages?fields=content&filter="
                         + urllib.parse.quote('{"mentions": {"_contains": "$CURRENT_USER"}}'),
                         bob)
    assert (status, found) == (200, [{"content": "@Bob"}])


def test_search_on_postgresql_folds_all_letters_and_escapes_with_backslash(pg_chat):
    """PostgreSQL's LOWER() knows every letter (SQLite's only ASCII), and its LIKE takes a
    backslash as escape: a backslash sent as it is misses, search_filter() finds it."""
    server, _ = pg_chat
    alice = tutorial_db.login(server.url, "alice")
    tag = uuid.uuid4().hex
    for content in ("Émile", "a back\\slash", "backslash"):
        call(server.url, "/items/messages", alice, {"content": f"{tag} {content}"})

    def search(query_filter):
        query_filter = {"_and": [query_filter, {"content": {"_starts_with": tag}}]}
        status, found = call(server.url, "/items/messages?fields=content&filter="
                             + urllib.parse.quote(json.dumps(query_filter)), alice)
        assert status == 200
        return sorted(m["content"].removeprefix(f"{tag} ") for m in found)

    assert search(search_filter("émile")) == ["Émile"]
    assert search({"content": {"_icontains": "back\\slash"}}) == ["backslash"]
    found = search(search_filter("back\\slash"))
    assert [c for c in found if matches("back\\slash", c)] == ["a back\\slash"]


def test_a_tutorial_database_on_postgresql_is_upgraded_in_place(postgres, tmp_path):
    """The docker-compose case: the tutorial's collection on PostgreSQL gets its unique
    client key without losing a row; a second run changes nothing."""
    pg_env = postgres.directus_env("tutorial")
    try:
        admin_token = bootstrap(tmp_path / "pg.db", extra_env=pg_env, chat_setup=False)
    except SetupError as error:
        pytest.fail(str(error), pytrace=False)
    server = DirectusServer(tmp_path / "pg.db", free_port(), "http://127.0.0.1", pg_env)
    server.start()
    try:
        tutorial_db.build(server.url, admin_token, tutorial_db.VARIANTS["tutorial"])
        tutorial_db.seed(server.url, admin_token)
        read = "/items/messages?sort=id&fields=id,content,user_created,date_created"
        before = call(server.url, read, admin_token)[1]

        report = provision.provision(server.url, admin_token, lock_down=True,
                                     assign_chat_role=True, quiet=True)
        assert "Added field messages.client_id (uuid, unique: the client key that makes " \
               "each send exactly-once)." in report.changes
        assert call(server.url, read, admin_token)[1] == before
        assert {m["channel"] for m in call(server.url, "/items/messages", admin_token)[1]} == {
            GENERAL}
        again = provision.provision(server.url, admin_token, lock_down=True, quiet=True)
        assert again.changes == []

        token = tutorial_db.login(server.url, "alice")
        key = str(uuid.uuid4())
        assert call(server.url, "/items/messages", token, {"content": "once",
                                                           "client_id": key})[0] == 200
        status, body = rest(server, "POST", "/items/messages",
                            {"content": "once", "client_id": key}, token)
        assert status == 400 and error_code(body) == "RECORD_NOT_UNIQUE"
        assert call(server.url, "/items/messages")[0] == 403
    finally:
        server.stop()

"""The chat setup works on PostgreSQL, the database of the docker-compose Directus."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid

import pytest

from server import provision
from server.local import DirectusServer, SetupError, bootstrap, free_port
from tests import tutorial_db
from tests.channel_helpers import GENERAL, Member, code
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


def test_setup_on_postgresql_is_idempotent_and_enforces_access(postgres, tmp_path, capsys):
    pg_env = postgres.directus_env("chat")
    try:
        admin_token = bootstrap(tmp_path / "pg.db", extra_env=pg_env)
    except SetupError as error:
        pytest.fail(str(error), pytrace=False)
    server = DirectusServer(tmp_path / "pg.db", free_port(), "http://127.0.0.1", pg_env)
    server.start()
    try:
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
    finally:
        server.stop()


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

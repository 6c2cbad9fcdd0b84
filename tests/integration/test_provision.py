"""server.provision is idempotent, puts a drifted Directus back to the chat's state, never
removes a Public grant unasked, and says what is wrong when it cannot do its job."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from server import provision
from server.provision.__main__ import EXIT_MISSING, main
from server.provision.datastudio import PUBLIC_POLICY
from tests.wire import snapshot


def admin(directus, method, path, body=None):
    request = urllib.request.Request(
        directus.url + path, method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {directus.admin_token}",
                 "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read()
        return json.loads(text)["data"] if text else None


def cli(directus, *flags, token=None):
    return main(["--url", directus.url, "--token", token or directus.admin_token, *flags])


def public_permissions(directus):
    return admin(directus, "GET", f"/permissions?filter[policy][_eq]={PUBLIC_POLICY}")


def test_running_the_setup_again_changes_nothing(directus, capsys):
    before = snapshot(directus)
    report = provision.provision(directus.url, directus.admin_token, demo_users=True)
    assert capsys.readouterr().out == "Directus is set up for the chat: nothing changed.\n"
    assert report.changes == [] and report.findings == []
    assert snapshot(directus) == before


def test_a_fresh_setup_grants_the_public_policy_nothing(directus):
    """`make run` and the tests start from a setup this tool made: nothing to lock down."""
    assert public_permissions(directus) == []


def test_setup_restores_the_chat_policy_and_reports_public_grants_without_removing_them(
        directus_factory, capsys):
    server = directus_factory()
    policy = admin(server, "GET", "/policies?filter[name][_eq]=Chat%20User")[0]["id"]
    users_read = admin(server, "GET", f"/permissions?filter[policy][_eq]={policy}"
                                      "&filter[collection][_eq]=directus_users")[0]
    admin(server, "PATCH", f"/permissions/{users_read['id']}", {"fields": ["*"]})
    admin(server, "POST", "/permissions", {"policy": PUBLIC_POLICY, "collection": "messages",
                                           "action": "read", "fields": ["*"]})
    assert urllib.request.urlopen(server.url + "/items/messages").status == 200

    capsys.readouterr()
    assert cli(server) == 0
    out = capsys.readouterr().out
    assert "Corrected the read permission on directus_users of Chat User" in out
    assert ("Risk: The Public policy's read on messages: anyone can read every message "
            "without signing in, those of private channels and DMs too.") in out
    assert "--token ADMIN_TOKEN --lock-down" in out
    assert admin(server, "GET", f"/permissions/{users_read['id']}")["fields"] == [
        "avatar", "first_name", "id"]
    assert urllib.request.urlopen(server.url + "/items/messages").status == 200, \
        "a Public grant is never removed silently"

    assert cli(server, "--lock-down") == 0
    assert "Removed the Public policy's read on messages" in capsys.readouterr().out
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(server.url + "/items/messages")
    assert refused.value.code == 403
    assert public_permissions(server) == []


def test_check_names_a_missing_permission_and_its_fix_and_changes_nothing(
        directus_factory, capsys):
    server = directus_factory()
    policy = admin(server, "GET", "/policies?filter[name][_eq]=Chat%20User")[0]["id"]
    users_read = admin(server, "GET", f"/permissions?filter[policy][_eq]={policy}"
                                      "&filter[collection][_eq]=directus_users")[0]
    admin(server, "DELETE", f"/permissions/{users_read['id']}")
    before = snapshot(server)
    capsys.readouterr()

    assert cli(server, "--check") == EXIT_MISSING
    out = capsys.readouterr().out
    assert out == (
        "Missing: permission for Chat User: read on directus_users (fields avatar, "
        "first_name, id)\n"
        f"  Fix: python -m server.provision --url {server.url} --token ADMIN_TOKEN\n"
        "Check: 1 missing; nothing was changed.\n")
    assert snapshot(server) == before
    assert cli(server) == 0 and cli(server, "--check") == 0


def test_check_on_a_new_directus_reports_the_collection_missing(bare_factory, capsys):
    server = bare_factory()
    before = snapshot(server)
    capsys.readouterr()
    assert cli(server, "--check") == EXIT_MISSING
    out = capsys.readouterr().out
    assert out.startswith(
        "Missing: collection messages\n"
        f"  Fix: python -m server.provision --url {server.url} --token ADMIN_TOKEN\n"
        "Missing: collection channels\n"
        f"  Fix: python -m server.provision --url {server.url} --token ADMIN_TOKEN\n"
        "Missing: collection channel_members\n"
        f"  Fix: python -m server.provision --url {server.url} --token ADMIN_TOKEN\n"
        "Missing: field messages.reply_to (the message this one replies to)\n")
    assert "Missing: collection reactions (one emoji per user and message)\n" in out
    assert "Missing: policy Chat User\n" in out
    assert out.endswith("Missing: role Chat User\n"
                        f"  Fix: python -m server.provision --url {server.url} --token "
                        "ADMIN_TOKEN\nCheck: 35 missing; nothing was changed.\n")
    assert snapshot(server) == before
    assert server.admin_token not in out

    # What the tool cannot fix, it explains: content of a type that is not text.
    admin(server, "POST", "/collections", {"collection": "messages", "schema": {}, "meta": {},
                                           "fields": [{"field": "id", "type": "integer",
                                                       "schema": {"is_primary_key": True,
                                                                  "has_auto_increment": True}},
                                                      {"field": "content", "type": "integer"}]})
    assert cli(server) == 1
    assert capsys.readouterr().err == (
        "Setup failed: messages.content is of type integer; the chat needs text. Provisioning "
        "never retypes a column that holds data: rename that field in the Data Studio, then "
        "run this again to add a text field named content.\n")


def test_errors_say_what_is_wrong(directus, capsys):
    """Unreachable, not a token, not an admin's token: each a sentence, exit code 1."""
    assert main(["--url", "http://127.0.0.1:9", "--token", "x"]) == 1
    assert capsys.readouterr().err == (
        "Setup failed: Cannot reach Directus at http://127.0.0.1:9 ([Errno 111] Connection "
        "refused). Is it running, and is --url its address?\n")

    assert cli(directus, token="not-a-token") == 1
    assert capsys.readouterr().err.startswith(
        f"Setup failed: Directus at {directus.url} refused the token (INVALID_CREDENTIALS).")

    assert cli(directus, token=directus.login("alice")["access_token"]) == 1
    assert capsys.readouterr().err == (
        "Setup failed: The token belongs to Alice, who is not an administrator. Setting up the "
        "chat changes the schema and the access policies: pass an admin's token.\n")

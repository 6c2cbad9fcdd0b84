"""server/provision.py is idempotent and puts a drifted Directus back to the chat's state."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from server import provision


def admin(directus, method, path, body=None):
    request = urllib.request.Request(
        directus.url + path, method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {directus.admin_token}",
                 "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read()
        return json.loads(text)["data"] if text else None


def snapshot(directus):
    return {path: admin(directus, "GET", path) for path in (
        "/permissions?limit=-1&sort=id", "/policies?limit=-1&sort=id", "/roles?limit=-1&sort=id",
        "/fields/messages", "/relations/messages", "/users?limit=-1&sort=id&fields=id,email",
    )}


def test_running_the_setup_again_changes_nothing(directus, capsys):
    before = snapshot(directus)
    provision.provision(directus.url, directus.admin_token, demo_users=True)
    assert capsys.readouterr().out == "Directus is set up for the chat.\n"
    assert snapshot(directus) == before


def test_setup_removes_access_added_by_hand(directus_factory):
    server = directus_factory()
    policy = admin(server, "GET", "/policies?filter[name][_eq]=Chat%20User")[0]["id"]
    users_read = admin(server, "GET", f"/permissions?filter[policy][_eq]={policy}"
                                      "&filter[collection][_eq]=directus_users")[0]
    admin(server, "PATCH", f"/permissions/{users_read['id']}", {"fields": ["*"]})
    public = admin(server, "GET", "/access?filter[role][_null]=true&filter[user][_null]=true")
    admin(server, "POST", "/permissions", {"policy": public[0]["policy"],
                                           "collection": "messages", "action": "read",
                                           "fields": ["*"]})
    assert urllib.request.urlopen(server.url + "/items/messages").status == 200

    provision.provision(server.url, server.admin_token, quiet=True)

    assert admin(server, "GET", f"/permissions/{users_read['id']}")["fields"] == [
        "id", "first_name"]
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(server.url + "/items/messages")
    assert refused.value.code == 403

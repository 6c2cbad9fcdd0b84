"""Avatars: chat users read each user's `avatar` and fetch the avatar files from
`/assets/<id>` with the token in the Authorization header; no other file is readable."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from tests.assets import png, upload
from tests.wire import error_code, rest


def fetch(directus, path: str, token: str | None):
    """(status, content type, bytes) of a GET with the token in the header, if any."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(directus.url + path, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


@pytest.fixture(scope="module")
def tokens(directus):
    return {name: directus.login(name)["access_token"] for name in directus.users}


@pytest.fixture(scope="module")
def files(directus):
    """Bob's avatar and a file nobody has as avatar; bob has none again afterwards."""
    bob = rest(directus, "GET", "/users?filter[email][_eq]=bob@example.com",
               token=directus.admin_token)[1]["data"][0]["id"]
    avatar, other = upload(directus, "bob.png", png()), upload(directus, "report.png", png(4, 4))
    assert rest(directus, "PATCH", f"/users/{bob}", {"avatar": avatar},
                directus.admin_token)[0] == 200
    yield {"bob": bob, "avatar": avatar, "other": other}
    rest(directus, "PATCH", f"/users/{bob}", {"avatar": None}, directus.admin_token)


def test_chat_users_fetch_an_avatar_with_the_token_in_the_header(directus, tokens, files):
    status, kind, data = fetch(directus, f"/assets/{files['avatar']}", tokens["alice"])
    assert (status, kind, data) == (200, "image/png", png())
    status, kind, data = fetch(directus, f"/assets/{files['avatar']}?key=system-small-cover",
                               tokens["carol"])
    assert status == 200 and kind.startswith("image/") and data
    assert fetch(directus, f"/assets/{files['avatar']}", None)[0] == 403


def test_no_other_file_is_readable(directus, tokens, files):
    status, _, data = fetch(directus, f"/assets/{files['other']}", tokens["alice"])
    assert status == 403 and json.loads(data)["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    status, body = rest(directus, "GET", "/files?limit=-1", token=tokens["alice"])
    assert status == 200 and body["data"] == [{"id": files["avatar"]}]
    assert rest(directus, "GET", f"/files/{files['other']}", token=tokens["alice"])[0] == 403
    status, body = rest(directus, "GET", "/files?fields=filename_download",
                        token=tokens["alice"])
    assert status == 403 and error_code(body) == "FORBIDDEN"  # of an avatar: only its id


def test_a_file_stops_being_readable_when_it_is_no_avatar_any_more(directus, tokens, files):
    carol = rest(directus, "GET", "/users/me", token=tokens["carol"])[1]["data"]["id"]
    assert fetch(directus, f"/assets/{files['other']}", tokens["alice"])[0] == 403
    rest(directus, "PATCH", f"/users/{carol}", {"avatar": files["other"]}, directus.admin_token)
    assert fetch(directus, f"/assets/{files['other']}", tokens["alice"])[0] == 200
    rest(directus, "PATCH", f"/users/{carol}", {"avatar": None}, directus.admin_token)
    assert fetch(directus, f"/assets/{files['other']}", tokens["alice"])[0] == 403


def test_users_read_avatars_and_who_they_are_but_no_more(directus, tokens, files):
    status, body = rest(directus, "GET", "/users/me", token=tokens["alice"])
    assert status == 200 and set(body["data"]) == {"id", "first_name", "avatar"}
    assert body["data"]["first_name"] == "Alice"
    status, body = rest(directus, "GET", f"/users/{files['bob']}?fields=avatar",
                        token=tokens["alice"])
    assert body["data"] == {"avatar": files["avatar"]}
    status, body = rest(directus, "GET", "/items/messages?fields=user_created.avatar&limit=1",
                        token=tokens["alice"])
    assert status == 200
    me = rest(directus, "GET", "/users/me", token=tokens["alice"])[1]["data"]["id"]
    for field in ("last_name", "email", "avatar.filename_disk"):
        status, body = rest(directus, "GET", f"/users/{me}?fields={field}",
                            token=tokens["alice"])
        assert status == 403 and error_code(body) == "FORBIDDEN", field
        # /users/me answers a forbidden field with the id alone (controllers/users.js).
        status, body = rest(directus, "GET", f"/users/me?fields={field}", token=tokens["alice"])
        assert status == 200 and body["data"] == {"id": me}, field

"""Build a Directus the way the tutorial (../shared/seed/) tells people to, over REST.

Every call is the payload the Data Studio sends for that click (server/provision/
datastudio.py says where each is read from), so a test database here is what a person
who followed the tutorial has:

- VARIANTS["tutorial"]: "Create Collection" `messages` with the default primary key
  (auto-increment integer) and the optional fields user_created and date_created, then
  "Create Field" `content` as a Textarea; the Public policy gets "All Access" on create
  and read of messages. The tutorial's users sign in, so alice, bob and carol exist with
  the demo passwords and no role (the tutorial gives them none).
- VARIANTS["uuid"]: the same with a generated UUID key, content as an Input (a string of
  255 characters), and user_updated but no date_updated.

`seed()` adds history the way it would have built up: messages by alice and bob (as
roleless users through the Public policy), one by the admin in the Data Studio, and one
posted without signing in (stored with no author).
"""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass

from server.provision import DEMO_USERS
from server.provision import datastudio as ds


@dataclass(frozen=True)
class Variant:
    key: str                         # "integer" or "uuid"
    content_interface: str           # "input-multiline" (Textarea) or "input"
    system_fields: tuple[str, ...]


VARIANTS = {
    "tutorial": Variant("integer", "input-multiline", ("user_created", "date_created")),
    "uuid": Variant("uuid", "input", ("user_created", "date_created", "user_updated")),
}
USERS = ("alice", "bob", "carol")


def call(url: str, method: str, path: str, body=None, token: str | None = None):
    """One REST call; returns the response's `data` (raises HTTPError on failure)."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        url + path, method=method, headers=headers,
        data=None if body is None else json.dumps(body).encode())
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read()
    return json.loads(text)["data"] if text else None


def login(url: str, name: str) -> str:
    email, password, _ = DEMO_USERS[name]
    return call(url, "POST", "/auth/login", {"email": email, "password": password})[
        "access_token"]


def build(url: str, admin_token: str, variant: Variant) -> None:
    """Make `messages`, the Public grant and the roleless users as the tutorial says."""
    call(url, "POST", "/collections",
         ds.create_collection("messages", variant.key, variant.system_fields), admin_token)
    for field in ds.USER_FIELDS:
        if field in variant.system_fields:
            call(url, "POST", "/relations", ds.user_relation("messages", field), admin_token)
    call(url, "POST", "/fields/messages", ds.text_field("content", variant.content_interface),
         admin_token)
    call(url, "PATCH", f"/policies/{ds.PUBLIC_POLICY}",
         ds.grant_all_access(ds.PUBLIC_POLICY, "messages", ("create", "read")), admin_token)
    for name in USERS:
        email, password, first_name = DEMO_USERS[name]
        # User Directory -> Create User with a first name, email and password; no role.
        call(url, "POST", "/users", {"first_name": first_name, "email": email,
                                     "password": password}, admin_token)


SEED = (("alice", "Hello from the tutorial"), ("bob", "Hi Alice"),
        ("admin", "Posted in the Data Studio"), (None, "Posted without signing in"),
        ("alice", "Line one\nline two"))


def seed(url: str, admin_token: str) -> None:
    """Create the history in SEED, oldest first; `None` posts anonymously."""
    tokens = {name: login(url, name) for name in USERS}
    tokens["admin"] = admin_token
    for author, content in SEED:
        call(url, "POST", "/items/messages", {"content": content},
             tokens[author] if author else None)

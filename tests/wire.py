"""Small REST and socket helpers for tests that talk to a real Directus (`tests.conftest.Directus`).

    status, body = rest(directus, "GET", "/items/messages", token=token)
    with socket(directus, token) as ws:
        reply = ask(ws, {"type": "items", "collection": "messages", "action": "read"})
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from contextlib import contextmanager

from websockets.sync.client import connect


def rest(directus, method, path, body=None, token=None):
    """One REST call; returns (HTTP status, decoded JSON body or None)."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(directus.url + path, data=data, method=method,
                                     headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def error_code(body):
    return body["errors"][0]["extensions"]["code"]


@contextmanager
def socket(directus, token=None):
    """A websocket to Directus, authenticated with `token` when given."""
    with connect(directus.ws_url, ping_interval=None, open_timeout=10) as ws:
        if token:
            ws.send(json.dumps({"type": "auth", "access_token": token}))
            assert json.loads(ws.recv(timeout=10)) == {"type": "auth", "status": "ok"}
        yield ws


def ask(ws, frame):
    ws.send(json.dumps(frame))
    return json.loads(ws.recv(timeout=10))


def all_messages(directus):
    return rest(directus, "GET", "/items/messages?limit=-1&sort=date_created",
                token=directus.admin_token)[1]["data"]


def snapshot(directus):
    """Everything provisioning may touch, as the admin reads it: compare two to prove that
    nothing changed."""
    def read(path):
        return rest(directus, "GET", path, token=directus.admin_token)[1]["data"]

    state = {path: read(path) for path in (
        "/collections?limit=-1", "/fields", "/relations",
        "/permissions?limit=-1&sort=id", "/policies?limit=-1&sort=id",
        "/roles?limit=-1&sort=id", "/access?limit=-1&sort=id",
        "/users?limit=-1&sort=id&fields=id,email,role,status",
    )}
    collections = {c["collection"] for c in state["/collections?limit=-1"]}
    for collection in ("messages", "channels", "channel_members"):
        if collection in collections:
            state[collection] = read(f"/items/{collection}?limit=-1&sort=date_created")
    return state

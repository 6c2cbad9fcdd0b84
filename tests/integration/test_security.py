"""Hostile use against the real server, beyond the access rules of test_access.py:
other users' messages and emails over the socket, tokens kept out of URLs, logs and
messages, and over-long messages stopped by the client."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import urllib.request
import uuid
from contextlib import contextmanager

import pytest
from websockets.sync.client import connect

from chat.core import Phase
from chat.headless import HeadlessClient
from stress.crowd import fetch_stored
from stress.proxy import FaultyProxy


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 120))


def ask(ws, frame: dict) -> dict:
    ws.send(json.dumps(frame))
    return json.loads(ws.recv(timeout=10))


@contextmanager
def authed_socket(directus, name: str):
    with connect(directus.ws_url, ping_interval=None, open_timeout=10) as ws:
        reply = ask(ws, {"type": "auth", "access_token": directus.login(name)["access_token"]})
        assert reply["status"] == "ok"
        yield ws


def rest_create(directus, name: str, content: str) -> dict:
    request = urllib.request.Request(
        f"{directus.url}/items/messages", method="POST",
        data=json.dumps({"content": content}).encode(),
        headers={"Content-Type": "application/json",
                 "Authorization": f"Bearer {directus.login(name)['access_token']}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["data"]


def test_socket_cannot_edit_or_delete_another_users_message(directus):
    marker = f"theirs-{uuid.uuid4().hex[:8]}"
    alices = rest_create(directus, "alice", marker)
    with authed_socket(directus, "bob") as ws:
        for frame in (
            {"action": "update", "id": alices["id"], "data": {"content": f"{marker} by bob"}},
            {"action": "update", "id": alices["id"], "data": {"user_created": None}},
            {"action": "delete", "id": alices["id"]},
            {"action": "delete", "query": {"filter": {"content": {"_eq": marker}}}},
        ):
            reply = ask(ws, {"type": "items", "collection": "messages", "uid": "x", **frame})
            assert reply.get("status") == "error", (frame, reply)
            assert reply["error"]["code"] == "FORBIDDEN", (frame, reply)
    stored = fetch_stored(directus.url, directus.admin_token, marker)
    assert [(row["id"], row["content"]) for row in stored] == [(alices["id"], marker)]


@pytest.mark.parametrize("frame", [
    {"type": "items", "collection": "directus_users", "action": "read",
     "query": {"fields": ["email"]}},
    {"type": "items", "collection": "messages", "action": "read",
     "query": {"fields": ["user_created.email"]}},
    {"type": "items", "collection": "messages", "action": "read",
     "query": {"fields": ["id"], "filter": {"user_created": {"email": {"_starts_with": "a"}}}}},
    {"type": "subscribe", "collection": "messages",
     "query": {"fields": ["id", "user_created.email"]}},
], ids=["users-collection", "through-the-relation", "guessed-by-filter", "subscribed"])
def test_socket_cannot_read_other_users_emails(directus, frame):
    with authed_socket(directus, "bob") as ws:
        reply = ask(ws, {**frame, "uid": "e1"})
    # System collections are not served over the socket at all (INVALID_COLLECTION).
    assert reply.get("status") == "error", reply
    assert reply["error"]["code"] in ("FORBIDDEN", "INVALID_COLLECTION"), reply
    assert "@example.com" not in json.dumps(reply)


TOKEN = re.compile(rb'"(?:access_token|refresh_token)":"([^"]+)"')
REQUEST_LINE = re.compile(rb"(?:GET|POST|PUT|PATCH|DELETE|OPTIONS) (\S+) HTTP/1\.1\r\n")


def test_tokens_never_appear_in_urls_logs_or_messages_for_people(directus_factory, caplog):
    """A whole session: a wrong password, sign-in, token refreshes, a dropped
    connection, sending, sign-out. Every token the server issued is then looked for
    in every request URL on the wire, the client's logs (at debug level), every
    sentence shown to people, and the server's own log."""
    server = directus_factory(ACCESS_TOKEN_TTL="5s", LOG_LEVEL="debug")
    email, password = server.users["alice"]
    wire: dict[str, bytearray] = {"up": bytearray(), "down": bytearray()}

    async def session() -> list[str]:
        proxy = FaultyProxy(server.port, tap=lambda direction, data: wire[direction].extend(data))
        await proxy.start()
        alice = HeadlessClient(proxy.url)
        try:
            with pytest.raises(RuntimeError):
                await alice.sign_in(email, password + "-wrong")
            await alice.sign_in(email, password)
            alice.send("before the refresh")
            await asyncio.sleep(9)  # two refreshes (every 4 s), on the same socket
            proxy.reset()
            await alice.wait_for(lambda: alice.phase != Phase.LIVE, 10, "the drop")
            await alice.wait_for(lambda: alice.phase == Phase.LIVE, 30, "the reconnect")
            alice.send("after the reconnect")
            await alice.wait_for(lambda: not alice.outbox, 30, "delivery")
            alice.sign_out()
            await asyncio.sleep(0.5)  # the logout request
        finally:
            await alice.close()
            await proxy.close()
        shown = [getattr(e, "reason", None) or getattr(e, "text", None) for e in alice.events]
        return [text for text in shown if text]

    with caplog.at_level(logging.DEBUG, logger="chat"):
        shown = run(session())
    tokens = {match.decode() for match in TOKEN.findall(bytes(wire["down"]))}
    assert len(tokens) >= 6, "expected a login and at least two refreshes"
    urls = [url.decode() for url in REQUEST_LINE.findall(bytes(wire["up"]))]
    assert "/websocket" in urls and "/auth/refresh" in urls and "/auth/logout" in urls
    places = {
        "request URLs": "\n".join(urls),
        "client logs": "\n".join(r.getMessage() for r in caplog.records),
        "messages for people": "\n".join(shown),
        "server log": server.log_path.read_text(errors="replace"),
    }
    assert caplog.records and shown, "nothing logged or shown: the check proves nothing"
    for place, text in places.items():
        for secret in (*tokens, password):
            assert secret not in text, f"a token or the password is in the {place}"


def test_over_long_message_is_refused_by_the_client_and_never_sent(directus):
    """The server would store any length over the socket: the client is the only guard."""
    marker = f"long-{uuid.uuid4().hex[:8]}"

    async def scenario():
        async with HeadlessClient(directus.url) as alice, HeadlessClient(directus.url) as bob:
            await alice.sign_in(*directus.users["alice"])
            await bob.sign_in(*directus.users["bob"])
            limit = alice.client.config.max_length
            longest = f"{marker} fits " + "é" * (limit - len(marker) - 6)
            assert len(longest) == limit
            alice.send(longest)
            with pytest.raises(ValueError, match=f"at most {limit:,} characters"):
                alice.send(f"{marker} too long " + "😀" * limit)
            assert [e.content for e in alice.outbox] == [longest]
            alice.send(f"{marker} after")
            await bob.wait_for(
                lambda: [m.content for m in bob.messages if m.content.startswith(marker)]
                == [longest, f"{marker} after"], 30, "both messages")
            assert not alice.outbox

    run(scenario())
    stored = fetch_stored(directus.url, directus.admin_token, marker)
    assert sorted(len(row["content"]) for row in stored) == [len(marker) + 6, 4000]

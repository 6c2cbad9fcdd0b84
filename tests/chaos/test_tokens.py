"""Short-lived tokens: expiry costs nothing; a session that ends signs the client out
with a reason and keeps what was not sent yet."""

from __future__ import annotations

import asyncio
import json
import urllib.request

import pytest

from chat.core import SESSION_EXPIRED, Phase
from chat.headless import HeadlessClient
from server.static_server import StaticServer
from stress.chaos import EXPIRY_ENV, token_expiry
from stress.crowd import fetch_stored
from stress.proxy import FaultyProxy
from tests.conftest import Directus

# Online clients refresh every 8 s, which keeps extending a 15 s refresh token;
# a client cut off for longer than 15 s finds its session gone.
REFRESH_TTL = 15


@pytest.fixture(scope="module")
def short_tokens(directus_template, tmp_path_factory):
    page = StaticServer()
    page.start()
    server = Directus(directus_template, tmp_path_factory.mktemp("tokens"), page,
                      extra_env={**EXPIRY_ENV, "REFRESH_TOKEN_TTL": f"{REFRESH_TTL}s"})
    server.start()
    yield server
    server.stop()
    page.stop()


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 180))


def admin(server, method: str, path: str, body: dict | None = None):
    request = urllib.request.Request(
        server.url + path, method=method, data=json.dumps(body).encode() if body else None,
        headers={"Authorization": f"Bearer {server.admin_token}",
                 "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["data"] if response.status != 204 else None


def test_ten_second_access_tokens_lose_nothing_and_reopen_no_socket(short_tokens):
    """Short version of `python -m stress.chaos expiry` (10 clients, 3 minutes)."""
    figures = run(token_expiry(short_tokens, clients=3, duration=18, seed=3))
    print(figures.line())
    assert figures.audit.sent >= 12
    assert figures.ok, figures.audit.problems  # including: every message kept its author
    assert figures.notes["reconnects"] == 0


async def cut_off_with_a_draft(server, proxy: FaultyProxy, marker: str) -> HeadlessClient:
    """Alice, through ``proxy``, loses the network and types a message meanwhile."""
    alice = HeadlessClient(proxy.url)
    await alice.sign_in(*server.users["alice"])
    proxy.refuse()
    await alice.wait_for(lambda: alice.phase != Phase.LIVE, 10, "the cut")
    alice.send(f"{marker} typed while cut off")
    return alice


async def signed_out_then_back(server, alice: HeadlessClient, marker: str) -> None:
    """Alice ends signed out for an expired session with her draft kept; signing in
    again delivers it exactly once."""
    await alice.wait_for(lambda: alice.phase == Phase.SIGNED_OUT, 30, "sign-out")
    assert alice.last_reason == SESSION_EXPIRED
    assert [e.content for e in alice.outbox] == [f"{marker} typed while cut off"]
    await alice.sign_in(*server.users["alice"])
    await alice.wait_for(lambda: not alice.outbox, 30, "the draft delivered")
    stored = await asyncio.to_thread(fetch_stored, server.url, server.admin_token, marker)
    assert [row["content"] for row in stored] == [f"{marker} typed while cut off"]


def test_refresh_token_expired_while_cut_off_signs_out_and_keeps_the_draft(short_tokens):
    async def scenario():
        proxy = FaultyProxy(short_tokens.port)
        await proxy.start()
        try:
            async with await cut_off_with_a_draft(short_tokens, proxy, "rt-expired") as alice:
                await asyncio.sleep(REFRESH_TTL + 1)
                proxy.resume()
                await signed_out_then_back(short_tokens, alice, "rt-expired")
        finally:
            await proxy.close()

    run(scenario())


def test_session_revoked_by_an_admin_signs_out_and_keeps_the_draft(short_tokens):
    """Suspending a user is how a Directus 11 admin deletes their sessions."""
    alice_id = short_tokens_user_id(short_tokens, "alice")

    async def scenario():
        proxy = FaultyProxy(short_tokens.port)
        await proxy.start()
        try:
            async with await cut_off_with_a_draft(short_tokens, proxy, "revoked") as alice:
                await asyncio.to_thread(admin, short_tokens, "PATCH", f"/users/{alice_id}",
                                        {"status": "suspended"})
                # Directus accepts a signed access token until it expires, even after the
                # session is gone: come back when the client must refresh (< 5 s left).
                await asyncio.sleep(6)
                proxy.resume()
                await alice.wait_for(lambda: alice.phase == Phase.SIGNED_OUT, 30, "sign-out")
                await asyncio.to_thread(admin, short_tokens, "PATCH", f"/users/{alice_id}",
                                        {"status": "active"})
                await signed_out_then_back(short_tokens, alice, "revoked")
        finally:
            await proxy.close()

    run(scenario())


def short_tokens_user_id(server, name: str) -> str:
    email = server.users[name][0]
    return admin(server, "GET", f"/users?filter[email][_eq]={email}&fields=id")[0]["id"]

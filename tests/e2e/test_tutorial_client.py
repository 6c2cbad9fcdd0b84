"""The tutorial's own SvelteKit client, built from the tutorial text, in Chromium: it chats
with the tutorial peer on a tutorial database, and with the app's core once that database
is upgraded by server.provision.

Optional: skipped unless the client was built with
`python -m tools.tutorial_client --tutorial <the tutorial's .md> --directus <any URL>`
(it needs npm packages from the registry, so make test does not build it).
"""

from __future__ import annotations

import asyncio
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from chat.headless import HeadlessClient
from server.local import free_port
from server.provision import provision
from tests.interop.tutorial_peer import TutorialPeer
from tools import tutorial_client

pytestmark = pytest.mark.skipif(not tutorial_client.built(), reason=(
    "the tutorial's client is not built: python -m tools.tutorial_client --tutorial "
    "<tutorial .md> --directus <url>"))

TIMEOUT_MS = 30_000


@pytest.fixture
def svelte(tmp_path):
    """The tutorial client's dev server; yields its URL."""
    port = free_port()
    server = tutorial_client.serve(port, tmp_path / "vite.log")
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail((tmp_path / "vite.log").read_text(), pytrace=False)
                time.sleep(0.25)
        yield url
    finally:
        tutorial_client.stop(server)


def in_thread(coroutine):
    """Run asyncio code beside Playwright's sync API, which owns this thread's loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, asyncio.wait_for(coroutine, 60)).result()


def sign_in(page, url, email, password):
    page.goto(url)
    page.wait_for_load_state("networkidle")  # hydrated: the form's handler is attached
    page.fill("input[type=email]", email)
    page.fill("input[type=password]", password)
    page.click("button[type=submit]")
    page.wait_for_selector("text=• Connected", timeout=TIMEOUT_MS)


def send(page, text):
    page.fill("input[placeholder='Type a message...']", text)
    page.click("button:has-text('Send')")


def test_the_tutorial_client_chats_with_the_peer_then_with_the_app_after_the_upgrade(
        tutorial_factory, svelte, page):
    server = tutorial_factory("uuid", CORS_ORIGIN="true")
    tutorial_client.point_at(server.url)
    marker = uuid.uuid4().hex[:8]

    sign_in(page, svelte, *server.users["alice"])
    page.wait_for_selector("li:has-text('Posted without signing in')", timeout=TIMEOUT_MS)
    send(page, f"{marker} from svelte")

    async def peer():
        async with await TutorialPeer.signed_in(server.url, *server.users["bob"]) as bob:
            await bob.wait_for(lambda: f"{marker} from svelte" in bob.contents())
            await bob.send(f"{marker} from the peer")

    in_thread(peer())
    page.wait_for_selector(f"li:has-text('{marker} from the peer')", timeout=TIMEOUT_MS)

    provision(server.url, server.admin_token, lock_down=True, assign_chat_role=True,
              quiet=True)
    sign_in(page, svelte, *server.users["alice"])  # a new page load, as after a restart
    page.wait_for_selector(f"li:has-text('{marker} from the peer')", timeout=TIMEOUT_MS)
    send(page, f"{marker} svelte to app")

    async def app():
        carol = HeadlessClient(server.url)
        await carol.sign_in(*server.users["carol"])
        async with carol:
            await carol.wait_for(lambda: f"{marker} svelte to app" in carol.contents(), 30,
                                 "the tutorial client's message")
            carol.send(f"{marker} app to svelte")
            await carol.wait_for(lambda: not carol.outbox, 30, "the send")

    in_thread(app())
    line = page.locator(f"li:has-text('{marker} app to svelte')")
    line.wait_for(timeout=TIMEOUT_MS)
    assert line.inner_text() == f"Carol: {marker} app to svelte"  # names, now readable

"""The service worker (sw.js): a second visit opens from the browser's caches, with the
network off too, and a deploy is taken whole at the second load after it, never half.
Kept signed in, the page opened offline shows the last messages seen (chat/cache.py)
and takes new ones into the outbox.

Each test starts in a fresh browser context, so the worker is installed by its first
visit (boot.js registers it once Python is ready).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.pages import READY_MS, close_chat, open_chat, post_message, rest, stored_count
from tests.e2e.startup_server import Plan, StartupServer

ROOT = Path(__file__).resolve().parents[2]
# The newest complete generation of the page's files the worker keeps (0: none yet).
GENERATION = """async () => {
  const complete = new URL("__sw-complete__", location.href).href;
  let newest = 0;
  for (const name of await caches.keys()) {
    if (!name.startsWith("chat-app-")) continue;
    if (await (await caches.open(name)).match(complete)) {
      newest = Math.max(newest, Number(name.slice("chat-app-".length)));
    }
  }
  return newest;
}"""
KEPT_MS = 60_000  # registered a second after Python is ready, then the runtime copied


def wait_generation(page, number: int) -> None:
    """Until the worker is active and keeps generation `number` of the page's files.
    (Polled here: wait_for_function takes a promise for a true value.)"""
    kept = f"""async () => (await navigator.serviceWorker.getRegistration())
        ?.active?.state === "activated" && (await ({GENERATION})()) >= {number}"""
    deadline = time.monotonic() + KEPT_MS / 1000
    while not page.evaluate(kept):
        assert time.monotonic() < deadline, f"generation {number} not kept in time"
        page.wait_for_timeout(200)


def wait_python(page) -> None:
    expect(page.locator("html")).not_to_have_attribute("data-phase", "loading",
                                                       timeout=READY_MS)


@pytest.fixture
def server():
    server = StartupServer()
    server.start()
    yield server
    server.stop()


def test_a_deployed_change_runs_at_the_second_load_after_it_and_never_half(browser, server):
    """Deploy a changed chat/ file: the next load runs the kept version whole (and has
    the worker fetch the new one), the load after runs the new one."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(server.url + "/")
    wait_python(page)
    wait_generation(page, 1)
    view = (ROOT / "chat" / "ui" / "view.py").read_bytes()
    server.plan = Plan(replaced={"/chat/ui/view.py": view + b"\nimport js as _js\n"
                                 b"_js.document.documentElement.dataset.deployed = '2'\n"})
    deployed = page.locator("html[data-deployed='2']")

    page.reload()
    wait_python(page)
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    expect(deployed).to_have_count(0)  # the kept version, all of it
    wait_generation(page, 2)  # asked for once Python was ready

    page.reload()
    wait_python(page)
    expect(deployed).to_have_count(1)
    context.close()


def test_with_the_network_off_a_second_visit_opens_and_shows_the_sign_in_form(
        browser, directus):
    chat = open_chat(browser, directus)
    wait_generation(chat.page, 1)
    chat.page.context.set_offline(True)
    chat.tolerate_network_errors()
    chat.page.reload()
    chat.wait_ready()
    chat.expect_phase("signed-out")
    expect(chat.page.locator("#email")).to_be_editable()
    close_chat(chat)


KEPT_KEYS = """() => Object.keys(localStorage).filter(
    (key) => key.startsWith("chat.messages ") || key.startsWith("chat.user "))"""


def test_kept_signed_in_the_page_opens_offline_with_the_last_messages_and_takes_new_ones(
        browser, directus):
    """Offline: the last messages seen (this device's cache), the status, and the outbox;
    back online the live history replaces the cache (a message deleted meanwhile goes)
    and what was typed is sent once. Signing out forgets the cache."""
    kept, deleted = post_message(directus, "bob", "seen before going offline",
                                 "deleted while alice is offline")
    chat = open_chat(browser, directus)
    chat.sign_in("alice", remember=True)
    expect(chat.message(kept["content"])).to_have_count(1)
    wait_generation(chat.page, 1)
    chat.page.wait_for_function(f"({KEPT_KEYS})().length === 2")  # written within 2 s

    context = chat.page.context
    context.set_offline(True)
    chat.tolerate_network_errors()
    rest(directus, "DELETE", f"/items/messages/{deleted['id']}", token=directus.admin_token)
    chat.page.reload()
    chat.expect_phase("offline")
    expect(chat.status()).to_have_text("You're offline: messages will be sent when you're back")
    expect(chat.message(kept["content"])).to_have_count(1)
    expect(chat.message(deleted["content"])).to_have_count(1)  # as last seen
    chat.send("typed while offline")
    expect(chat.page.locator("#outbox")).to_contain_text("typed while offline")

    context.set_offline(False)
    chat.expect_phase("live")
    expect(chat.message("typed while offline")).to_have_count(1)
    expect(chat.message(deleted["content"])).to_have_count(0)
    assert stored_count(directus, "typed while offline") == 1

    chat.page.click("#sign-out")
    chat.expect_phase("signed-out")
    assert chat.page.evaluate(KEPT_KEYS) == []
    close_chat(chat)

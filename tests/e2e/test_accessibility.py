"""axe-core finds no accessibility problem (WCAG 2.1 A/AA, best practices) in any view
or state of the page, on a desktop and on a phone, in light and dark colours: sign-in,
sign-in with an error, the chat with messages, a message the server refused, and
reconnecting.

Both pages are shared by the tests of this module, which run in order (each state
follows from the one before).
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import AXE_PATH, ROOT, audit
from tests.e2e.pages import DESKTOP, LIVE_MS, PHONE, close_chat, open_chat, post_message

# A message whose create the socket route sends to a collection that does not exist,
# so that Directus refuses it and the page shows it as failed in the outbox.
REFUSED = "Directus refuses this one"


def refuse_marked_creates(route) -> None:
    server = route.connect_to_server()

    def from_page(message) -> None:
        if isinstance(message, str) and REFUSED in message:
            frame = json.loads(message)
            frame["collection"] = "no_such_collection"
            message = json.dumps(frame)
        server.send(message)

    route.on_message(from_page)


@pytest.fixture(scope="module")
def chats(browser, directus):
    post_message(directus, "carol", "An accessible chat: hello from the history")
    chats = {size: open_chat(browser, directus, viewport=viewport, wait=False)
             for size, viewport in (("desktop", DESKTOP), ("phone", PHONE))}
    for chat in chats.values():
        chat.page.route_web_socket(re.compile(r"/websocket$"), refuse_marked_creates)
    yield {size: chat.wait_ready() for size, chat in chats.items()}
    for chat in chats.values():
        close_chat(chat)


def assert_accessible(chats) -> None:
    """axe-core finds nothing on either page, in the light and the dark colour scheme."""
    found = []
    for size, chat in chats.items():
        for scheme in ("dark", "light"):  # ends in light, Playwright's default
            chat.page.emulate_media(color_scheme=scheme)
            found += [f"{size}, {scheme}: {violation}" for violation in audit(chat.page)]
    if found:
        pytest.fail("\n".join(found), pytrace=False)


def test_sign_in(chats):
    for chat in chats.values():
        chat.expect_phase("signed-out")
    assert_accessible(chats)


def test_sign_in_with_an_error(chats):
    for chat in chats.values():
        chat.tolerate_network_errors()  # the browser logs the 401 answer
        chat.fill_sign_in("alice", password="not-the-password")
        expect(chat.page.locator("#sign-in-error")).to_be_visible()
    assert_accessible(chats)


def test_chat_with_messages(chats):
    for chat in chats.values():
        chat.sign_in("alice")
        expect(chat.page.locator("#days .msg").first).to_be_visible()
    assert_accessible(chats)


def test_a_refused_message_in_the_outbox(chats):
    for chat in chats.values():
        chat.send(REFUSED)
        expect(chat.page.locator("#outbox .msg.failed .state")).to_contain_text("Not sent")
    assert_accessible(chats)


def test_reconnecting(chats, directus):
    for chat in chats.values():
        chat.tolerate_network_errors()
    directus.stop()
    try:
        for chat in chats.values():
            expect(chat.status()).to_contain_text("Reconnecting", timeout=LIVE_MS)
        assert_accessible(chats)
    finally:
        directus.start()
    for chat in chats.values():
        chat.expect_phase("live")


def test_the_audit_reports_an_image_without_a_text_alternative(chats):
    """The audit can fail; and axe-core is the tests' own, not published with the page."""
    page = chats["phone"].page
    page.evaluate("""() => {
      const image = document.createElement("img");
      image.id = "no-alt";
      image.src = "static/icon.svg";
      document.querySelector("#messages").append(image);
    }""")
    try:
        [found] = [v for v in audit(page) if v.startswith("image-alt")]
        assert found.startswith("image-alt (critical): Images must have alternative text\n"
                                "    #no-alt: ")
    finally:
        page.evaluate("document.querySelector('#no-alt').remove()")
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(chats["phone"].directus.page_url + AXE_PATH, timeout=5)
    assert missing.value.code == 404
    assert not list((ROOT / "static").rglob("axe*"))

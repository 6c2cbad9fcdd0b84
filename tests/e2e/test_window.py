"""A long chat keeps only a window of messages in the DOM; scrolling brings the rest back."""

from __future__ import annotations

from playwright.sync_api import expect

from chat.ui.window import MAX_WINDOW, WINDOW
from tests.e2e.pages import close_chat, open_chat, post_message

COUNT = 500


def test_many_messages_keep_the_dom_bounded_and_scrolling_up_brings_old_ones_back(
        browser, directus_factory):
    server = directus_factory()
    bob = open_chat(browser, server)
    bob.sign_in("bob")
    texts = [f"Window {n}" for n in range(COUNT)]
    post_message(server, "carol", *texts)
    expect(bob.message(texts[-1])).to_have_count(1, timeout=30_000)
    shown = bob.page.locator("#days .msg")
    assert shown.count() <= WINDOW
    expect(bob.message(texts[0])).to_have_count(0)

    log = bob.page.locator("#messages")
    for _ in range(COUNT // 100 + 2):  # each scroll to the top brings back a page more
        log.evaluate("log => { log.scrollTop = 0 }")
        bob.page.wait_for_timeout(200)
    expect(bob.message(texts[0])).to_have_count(1)
    assert shown.count() <= MAX_WINDOW

    for _ in range(COUNT // 100 + 2):
        log.evaluate("log => { log.scrollTop = log.scrollHeight }")
        bob.page.wait_for_timeout(200)
    expect(bob.message(texts[-1])).to_have_count(1)
    assert shown.count() <= MAX_WINDOW
    close_chat(bob)

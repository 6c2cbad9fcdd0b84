"""Alice and Bob chat in two browser contexts against a real Directus.

The two pages are shared by the tests of this module (Pyodide's start is slow);
each test uses its own message texts, so the order of the tests does not matter.
"""

from __future__ import annotations

import re
import time
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.pages import LIVE_MS, close_chat, open_chat, post_message, stored_count

XSS = [
    "<script>window.__pwned = 1</script>",
    '<img src=x onerror="window.__pwned = 1">',
    '"><svg onload="window.__pwned = 1">',
    "<a href=\"javascript:window.__pwned = 1\">click</a>",
    "{{constructor.constructor('window.__pwned = 1')()}}",
    "</textarea><b>bold?</b> &amp; &lt;",
    "<py-script>import js; js.window.__pwned = 1</py-script>",
]


OWN = re.compile(r"\bown\b")


def tag(text: str) -> str:
    return f"{text} [{uuid.uuid4().hex[:6]}]"


@pytest.fixture(scope="module")
def history(directus) -> str:
    """A message that exists before anyone signs in."""
    text = tag("Welcome, from the history")
    post_message(directus, "carol", text)
    return text


@pytest.fixture(scope="module")
def pair(browser, directus, history):
    # Both pages load together: their Pythons start in parallel.
    alice, bob = (open_chat(browser, directus, wait=False) for _ in range(2))
    for chat, name in ((alice, "alice"), (bob, "bob")):
        chat.wait_ready().sign_in(name)
    yield alice, bob
    close_chat(alice)
    close_chat(bob)


def test_history_is_there_on_sign_in(pair, history):
    for chat in pair:
        expect(chat.message(history)).to_have_count(1)
        expect(chat.page.locator("#days .day-label").first).to_have_text("Today")


def test_alice_and_bob_chat_both_ways_with_names_and_own_messages_marked(pair):
    alice, bob = pair
    hello, reply = tag("Hi Bob!"), tag("Hello Alice")
    alice.send(hello)
    expect(bob.message(hello)).to_have_count(1)
    bob.send(reply)
    expect(alice.message(reply)).to_have_count(1)

    for chat in pair:
        for text, author in ((hello, "Alice"), (reply, "Bob")):
            item = chat.message(text)
            expect(item.locator(".author")).to_have_text(author)
            expect(item.locator("time")).to_have_text("just now")
            expect(item.locator("time")).to_have_attribute("title", re.compile(r"\d{4}"))
    for chat, own, other in ((alice, hello, reply), (bob, reply, hello)):
        expect(chat.message(own)).to_have_class(OWN)
        expect(chat.message(own).locator(".state")).to_have_text("Sent")
        expect(chat.message(other)).not_to_have_class(OWN)
    # The draft is cleared after sending, and Shift+Enter adds a line instead of sending.
    expect(alice.page.locator("#draft")).to_have_value("")
    alice.page.fill("#draft", "line one")
    alice.page.press("#draft", "Shift+Enter")
    alice.page.keyboard.type("line two")
    expect(alice.page.locator("#draft")).to_have_value("line one\nline two")
    alice.page.press("#draft", "Enter")
    expect(bob.message("line one\nline two")).to_have_count(1)


def test_message_created_over_rest_by_carol_appears_live_in_both(pair):
    text = tag("Carol here, over REST")
    post_message(pair[0].directus, "carol", text)
    for chat in pair:
        expect(chat.message(text).locator(".author")).to_have_text("Carol")
        expect(chat.message(text)).not_to_have_class(OWN)


def at_bottom(chat) -> bool:
    return chat.page.locator("#messages").evaluate(
        "log => log.scrollHeight - log.scrollTop - log.clientHeight < 48")


def test_burst_scrolls_readers_at_the_bottom_and_offers_a_button_to_those_scrolled_up(pair):
    alice, bob = pair
    burst = [tag(f"Burst {n}") for n in range(40)]
    post_message(alice.directus, "carol", *burst)
    for chat in pair:
        expect(chat.message(burst[-1])).to_have_count(1)
        assert at_bottom(chat)
    bob.page.locator("#messages").evaluate("log => { log.scrollTop = 0 }")
    expect(bob.page.locator("#new-messages")).to_be_hidden()

    last = tag("One more")
    post_message(alice.directus, "carol", last)
    expect(bob.message(last)).to_have_count(1)
    expect(bob.page.locator("#new-messages")).to_be_visible()
    # Not taken to the end (older pages read meanwhile go in above, the view kept still).
    assert not at_bottom(bob)
    assert at_bottom(alice)

    bob.page.click("#new-messages")
    expect(bob.page.locator("#new-messages")).to_be_hidden()
    assert at_bottom(bob)


def test_too_long_message_shows_counter_and_reason_and_is_kept(pair):
    alice = pair[0]
    alice.page.fill("#draft", "x" * 4001)
    expect(alice.page.locator("#counter")).to_have_text("4,001 / 4,000")
    expect(alice.page.locator("#composer-error")).to_contain_text("at most 4,000")
    alice.page.press("#draft", "Enter")
    expect(alice.page.locator("#composer-error")).to_contain_text("this one has 4,001")
    expect(alice.page.locator("#draft")).to_have_value("x" * 4001)
    alice.page.fill("#draft", "")
    expect(alice.page.locator("#composer-error")).to_be_hidden()


def test_xss_payloads_show_literally_and_run_nothing(pair):
    alice, bob = pair
    for payload in XSS:
        alice.send(payload)
    for chat in pair:
        for payload in XSS:
            expect(chat.message(payload)).to_have_count(1)
        assert chat.page.evaluate("window.__pwned") is None
        for payload in XSS:  # (other messages may have links, and avatars images)
            expect(chat.message(payload).locator(
                "img, svg, script, a, b, py-script")).to_have_count(0)


def test_directus_restart_reconnects_both_and_outage_message_arrives_once(pair, directus):
    alice, bob = pair
    for chat in pair:
        chat.tolerate_network_errors()
    text = tag("Typed while the server was down")
    directus.stop()
    try:
        for chat in pair:
            expect(chat.status()).to_contain_text("Reconnecting", timeout=LIVE_MS)
        with bob.page.expect_websocket():  # "Retry now" tries at once
            bob.page.click("#retry-now")
        alice.send(text)  # the input stays usable: the message waits in the outbox
        expect(alice.page.locator("#outbox .msg .state")).to_have_text(
            "Waiting for the connection…")
    finally:
        directus.start()
    for chat in pair:
        chat.expect_phase("live")
        expect(chat.status()).to_have_text("Connected")
        expect(chat.message(text)).to_have_count(1)
    expect(alice.page.locator("#outbox .msg")).to_have_count(0)
    assert stored_count(directus, text) == 1


OUTAGE = 30  # seconds Directus is stopped (then its start-up)


def test_both_pages_are_back_within_seconds_of_directus_answering_after_a_long_outage(
        pair, directus):
    """A cheap probe notices the server's return; the backoff, grown during the outage
    (to 10-15 s here), is not waited out."""
    for chat in pair:
        chat.tolerate_network_errors()
    directus.stop()
    try:
        for chat in pair:
            expect(chat.status()).to_contain_text("Reconnecting", timeout=LIVE_MS)
        time.sleep(OUTAGE)  # the outage itself
    finally:
        directus.start()  # returns once Directus answers
    answering = time.monotonic()
    for chat in pair:
        chat.expect_phase("live")
    back = time.monotonic() - answering
    print(f"both pages live {back:.1f} s after Directus answered, after {OUTAGE} s down")
    assert back <= 5

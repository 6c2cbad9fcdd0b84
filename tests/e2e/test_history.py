"""Scrollback to the first of 5,000 messages and search, in Chromium against a real
Directus: older pages come in as the reader scrolls up without the view jumping, the
DOM stays a window, live messages keep arriving meanwhile, and a search hit far back
opens in place.

One server and one page are shared by the tests of this module, which run in order
(each starts where the one before left the page). The search's screenshot for the
README goes to test-results/screenshots/, or to the folder in $SCREENSHOTS:
    SCREENSHOTS=docs .venv/bin/pytest tests/e2e/test_history.py
"""

from __future__ import annotations

import json
import os
import re

import pytest
from playwright.sync_api import expect

from chat.ui.window import MAX_WINDOW
from tests.e2e.axe import ROOT, audit
from tests.e2e.pages import close_chat, open_chat, post_message, rest

COUNT = 5000
BATCH = 1000
NEEDLE = 2500  # the message that holds the far search hit
HOSTILE = '<img src=x onerror="document.title=1"> "null" {"_or":[{"id":{"_nnull":true}}]} 50%_off'
BEGINNING = "This is the beginning of the conversation."
SCREENSHOTS = ROOT / os.environ.get("SCREENSHOTS", "test-results/screenshots")


def accessible(page) -> list[str]:
    """axe-core's findings in the dark and the light colour scheme (ending in light)."""
    found = []
    for scheme in ("dark", "light"):
        page.emulate_media(color_scheme=scheme)
        found += [f"{scheme}: {violation}" for violation in audit(page)]
    return found


def text(n: int) -> str:
    return f"History {n:04d}" + (" with a Needle far back" if n == NEEDLE else "")


@pytest.fixture(scope="module")
def server(directus_module_factory):
    """5,000 messages, created over REST as the admin in batches of 1,000 (oldest
    first), then one with hostile text and a few recent hits."""
    server = directus_module_factory()
    for start in range(0, COUNT, BATCH):
        rest(server, "POST", "/items/messages",
             [{"content": text(n)} for n in range(start, start + BATCH)], server.admin_token)
    for content in (HOSTILE, "a recent needle", "another NEEDLE, newest"):
        post_message(server, "carol", content)
    return server


@pytest.fixture(scope="module")
def bob(browser, server):
    bob = open_chat(browser, server)
    bob.older_reads = []  # the scrollback reads the page sent
    bob.page.on("websocket", lambda socket: socket.on("framesent", lambda text: (
        bob.older_reads.append(json.loads(text)) if '"_nin"' in text
        and '"_icontains"' not in text else None)))
    bob.sign_in("bob")
    expect(bob.message("another NEEDLE, newest")).to_have_count(1)
    yield bob
    close_chat(bob)


def drawn_ids(bob) -> list[str]:
    return bob.page.locator("#days .msg").evaluate_all("nodes => nodes.map(n => n.dataset.id)")


def test_scrolling_up_past_the_oldest_loaded_reads_the_page_before_it_in_place(bob):
    """Scrolling to the top again and again: the DOM window grows upwards, then pages
    of 50 older messages are read (the keyset filter) and inserted above; each time the
    message that was on top stays exactly where it was on screen."""
    page, reads = bob.page, bob.older_reads
    for _ in range(40):
        top_id, top = page.evaluate("""() => {
            document.getElementById('messages').scrollTop = 0;
            const first = document.querySelector('#days .msg');
            return [first.dataset.id, first.getBoundingClientRect().top];
        }""")
        asked = len(reads)
        page.wait_for_function("id => document.querySelector('#days .msg').dataset.id !== id",
                               arg=top_id)
        moved = page.evaluate("id => document.querySelector(`[data-id=\"${id}\"]`)"
                              ".getBoundingClientRect().top", top_id)
        assert abs(moved - top) <= 1, (top, moved)
        if len(reads) > asked:  # a page read from the server was drawn
            break
    assert reads and all(read["query"]["limit"] == 50 for read in reads)
    assert "_nin" in json.dumps(reads[0]["query"]["filter"])


def test_the_people_coming_after_the_reader_scrolled_up_redraw_in_place(browser, server):
    """The chat's people (names, avatars) are read after the history; when they come,
    every message is drawn again, where the reader is: the window stays on the older
    messages scrolled to (not back to the newest), and the view does not move."""
    people = re.compile(r".*/users\?.*")
    held = []
    chat = open_chat(browser, server)
    page = chat.page
    try:
        page.route(people, lambda route: held.append(route))  # answered when the test says
        with page.expect_request(people):
            chat.sign_in("bob")
        expect(chat.message("another NEEDLE, newest")).to_have_count(1)
        top_id = page.evaluate("""() => {
            document.getElementById('messages').scrollTop = 0;
            return document.querySelector('#days .msg').dataset.id;
        }""")
        page.wait_for_function("id => document.querySelector('#days .msg').dataset.id !== id",
                               arg=top_id)  # the window grew upwards
        top = page.evaluate("""id => {
            const node = document.querySelector(`[data-id="${id}"]`);
            node.dataset.old = "1";
            return node.getBoundingClientRect().top;
        }""", top_id)
        with page.expect_response(people):
            held[0].continue_()
        page.wait_for_function("""id => {
            const node = document.querySelector(`[data-id="${id}"]`);
            return node && !node.dataset.old;
        }""", arg=top_id)  # drawn again, and still in the DOM
        moved = page.evaluate("id => document.querySelector(`[data-id=\"${id}\"]`)"
                              ".getBoundingClientRect().top", top_id)
        assert abs(moved - top) <= 1, (top, moved)
    finally:
        close_chat(chat)


def test_ctrl_k_focuses_the_search_and_finds_messages_case_insensitively_newest_first(bob):
    page = bob.page
    page.locator("#draft").focus()
    page.keyboard.press("Control+k")
    expect(page.locator("#search-input")).to_be_focused()
    page.keyboard.type("needle")
    hits = page.locator("#search-results .hit-button")
    expect(hits).to_have_count(3)
    expect(page.locator("#search-status")).to_have_text("3 messages found.")
    assert [t.strip() for t in hits.locator(".text").all_inner_texts()] == [
        "another NEEDLE, newest", "a recent needle", text(NEEDLE)]
    expect(hits.first.locator(".author")).to_have_text("Carol")
    expect(hits.first.locator("time")).to_have_attribute("datetime", re.compile(r"^\d{4}-"))
    expect(hits.first.locator("mark")).to_have_text("NEEDLE")
    assert accessible(page) == []


def test_opening_a_far_hit_reads_back_to_it_and_shows_it_highlighted_in_place(bob):
    """Enter on the hit 2,500 messages back: it is read back to, drawn with the messages
    around it, scrolled into view and marked."""
    page = bob.page
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#search-results .hit-button").nth(2)).to_be_focused()
    page.keyboard.press("Enter")
    hit = page.locator("#days .msg.hit")
    expect(hit).to_have_count(1, timeout=30_000)
    expect(hit.locator(".text")).to_have_text(text(NEEDLE))
    expect(hit).to_be_in_viewport()
    for n in (NEEDLE - 25, NEEDLE - 1, NEEDLE + 1, NEEDLE + 25):
        expect(bob.message(text(n))).to_have_count(1)
    assert page.locator("#days .msg").count() <= MAX_WINDOW
    assert accessible(page) == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "search-desktop.png")
    page.locator("#search-results .hit-button").first.click()  # another: the mark moves
    expect(hit.locator(".text")).to_have_text("another NEEDLE, newest")
    expect(hit).to_have_count(1)
    expect(hit).to_be_in_viewport()


def test_escape_returns_to_the_live_end(bob):
    page = bob.page
    page.keyboard.press("Escape")
    expect(page.locator("#search-panel")).to_be_hidden()
    expect(page.locator("#days .msg.hit")).to_have_count(0)
    expect(bob.message("another NEEDLE, newest")).to_be_in_viewport()
    expect(page.locator("#draft")).to_be_focused()
    page.keyboard.press("Meta+k")  # Cmd+K on a Mac
    expect(page.locator("#search-input")).to_be_focused()
    expect(page.locator("#search-input")).to_have_value("")
    page.keyboard.press("Escape")
    expect(page.locator("#draft")).to_be_focused()


def test_any_text_is_searched_for_as_text(bob):
    """Markup, JSON that looks like a filter, "null" and LIKE's wildcards find the one
    message that holds them, shown as text; nothing of it runs."""
    page = bob.page
    page.locator("#messages").click()
    page.keyboard.press("/")
    expect(page.locator("#search-input")).to_be_focused()
    for query in (HOSTILE, '"null"', '{"_or":[{"id":{"_nnull":true}}]}', "50%_off", "<img"):
        page.fill("#search-input", query)
        page.press("#search-input", "Enter")
        expect(page.locator("#search-status")).to_have_text("1 message found.")
        expect(page.locator("#search-results mark")).to_have_text(query)
    # Only LIKE's wildcards: every message is a candidate, the client's check decides.
    more = "1 found; more may be older."
    for query, status in (("%", more), ("$CURRENT_USER", "No messages match."), ("_", more),
                          ("true", "1 message found."), ("\\", "0 found; more may be older.")):
        page.fill("#search-input", query)
        page.press("#search-input", "Enter")
        expect(page.locator("#search-status")).to_have_text(status)
    assert page.locator("img").count() == 0 and page.title() == "Chat"
    page.keyboard.press("Escape")
    expect(page.locator("#search-panel")).to_be_hidden()


def test_a_5000_message_history_scrolls_to_its_first_message_with_live_ones_arriving(
        bob, server):
    page = bob.page
    log = page.locator("#messages")
    status = page.locator("#history-text")
    live = False
    for _ in range(COUNT // 50 + COUNT // 100 + 20):
        if status.text_content() == BEGINNING:
            break
        before = drawn_ids(bob)[0]
        log.evaluate("log => { log.scrollTop = 0 }")
        page.wait_for_function(
            """([id, beginning]) => document.querySelector('#days .msg').dataset.id !== id
               || document.getElementById('history-text').textContent === beginning""",
            arg=[before, BEGINNING])
        assert page.locator("#days .msg").count() <= MAX_WINDOW
        if not live:
            post_message(server, "alice", "Live while scrolling back")
            live = True
    expect(status).to_have_text(BEGINNING)
    expect(bob.message(text(0))).to_have_count(1)
    assert bob.message(text(0)).evaluate("n => n === document.querySelector('#days .msg')")
    assert accessible(page) == []
    page.click("#new-messages")
    expect(bob.message("Live while scrolling back")).to_have_count(1)
    expect(bob.message("another NEEDLE, newest")).to_be_in_viewport()

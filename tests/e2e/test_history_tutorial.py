"""Scrollback and search on a Directus set up the way the tutorial says (integer ids, the
four fields, roleless users under the Public policy), in Chromium: the older read's
keyset (numbers as the tie-break) and the search are accepted by the server, the
beginning shows, and a hit opens by its integer id."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from tests.e2e.pages import close_chat, open_chat, rest

BEGINNING = "This is the beginning of the conversation."


def test_scrollback_and_search_work_on_integer_ids(browser, tutorial_factory):
    server = tutorial_factory("tutorial")
    rest(server, "POST", "/items/messages",
         [{"content": f"Tutorial {n:03d}"} for n in range(150)], server.admin_token)
    carol = open_chat(browser, server)
    older_reads = []
    carol.page.on("websocket", lambda socket: socket.on("framesent", lambda text: (
        older_reads.append(text) if '"_nin"' in text else None)))
    carol.sign_in("carol")
    page, status = carol.page, carol.page.locator("#history-text")
    for _ in range(10):  # scrolling up until the first message
        if status.text_content() == BEGINNING:
            break
        before = page.locator("#days .msg").first.get_attribute("data-id")
        page.locator("#messages").evaluate("log => { log.scrollTop = 0 }")
        page.wait_for_function(
            """([id, beginning]) => document.querySelector('#days .msg').dataset.id !== id
               || document.getElementById('history-text').textContent === beginning""",
            arg=[before, BEGINNING])
    expect(status).to_have_text(BEGINNING)
    seen = json.loads(older_reads[0])["query"]["filter"]["_or"][1]["_and"][1]["id"]["_nin"]
    assert seen and all(isinstance(i, int) for i in seen)  # ids as the server sent them

    page.keyboard.press("Control+k")
    page.keyboard.type("tutorial 007")
    hits = page.locator("#search-results .hit-button")
    expect(hits).to_have_count(1)
    hits.first.click()
    hit = page.locator("#days .msg.hit")
    expect(hit.locator(".text")).to_have_text("Tutorial 007")
    expect(hit).to_be_in_viewport()
    close_chat(carol)

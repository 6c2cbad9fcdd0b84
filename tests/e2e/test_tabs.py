"""Several tabs and closed pages: tabs of one browser kept signed in stay signed in
however often the single-use refresh token rotates, and what was typed and not sent
when a page closed is sent exactly once after the next sign-in of the same user, never
under another account.

One Directus of this module's own, with 10 s access tokens (the client refreshes every
~8 s), shared by its tests.
"""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.pages import close_chat, close_tab, open_chat, open_tab, rest, stored_count

TOKEN_KEY = "chat.refresh_token"


@pytest.fixture(scope="module")
def server(directus_template, _module_servers):
    return _module_servers(directus_template, ACCESS_TOKEN_TTL="10s")


def refreshes(tab, answers: list[int]) -> None:
    """Record the status of every refresh this tab makes."""
    tab.page.on("response", lambda response: answers.append(response.status)
                if response.url.endswith("/auth/refresh") else None)


def test_three_tabs_with_ten_second_tokens_stay_signed_in(browser, server):
    first = open_chat(browser, server)
    try:
        first.sign_in("alice", remember=True)
        tabs = [first, open_tab(first), open_tab(first)]
        answers: list[list[int]] = [[], [], []]
        for tab, seen in zip(tabs, answers, strict=True):
            # Every refresh's answer is checked below; the tabs' first saves of the read
            # position race, and all but one are refused RECORD_NOT_UNIQUE (400).
            tab.tolerate_network_errors()
            refreshes(tab, seen)
            tab.expect_phase("live")
        # Three refreshes each: nine rotations of the one refresh token among them.
        while min(len(seen) for seen in answers) < 3:
            slowest = min(range(3), key=lambda i: len(answers[i]))
            tabs[slowest].page.wait_for_event(
                "response", lambda response: response.url.endswith("/auth/refresh"),
                timeout=30_000)
        assert all(status == 200 for seen in answers for status in seen), answers
        text = f"from the third tab {uuid.uuid4()}"
        tabs[2].send(text)
        for tab in tabs:
            tab.expect_phase("live", timeout=1000)
            expect(tab.message(text)).to_have_count(1)
        assert stored_count(server, text) == 1
    finally:
        close_chat(first)


def test_typed_while_the_server_is_down_and_closed_arrives_once_at_the_next_sign_in(
        browser, server):
    chat = open_chat(browser, server)
    try:
        chat.sign_in("bob", remember=True)
        chat.tolerate_network_errors()
        text = f"typed while the server is down {uuid.uuid4()}"
        server.stop()
        try:
            chat.expect_phase("waiting", timeout=30_000)
            chat.send(text)
            expect(chat.page.locator("#outbox .msg", has_text=text)).to_have_count(1)
            chat.page.fill("#draft", "and a draft")
            chat.page.locator("#draft").press("End")  # an input event: kept as typed
            chat.page.locator("#draft").type("!")
            close_tab(chat)
        finally:
            server.start()
        # The session kept on the device is revoked meanwhile: the page asks to sign in.
        [token] = [item["value"] for origin in chat.page.context.storage_state()["origins"]
                   for item in origin["localStorage"] if item["name"].startswith(TOKEN_KEY)]
        rest(server, "POST", "/auth/logout", {"refresh_token": token, "mode": "json"})
        again = open_tab(chat, wait=False)
        again.tolerate_network_errors()  # the refused refresh is logged by the browser
        again.expect_phase("signed-out", timeout=90_000)
        expect(again.page.locator("#sign-in-error")).to_have_text(
            "Your session has expired. Please sign in again.")
        # Another account never sends it, nor sees it or the draft.
        again.sign_in("carol")
        expect(again.page.locator("#outbox .msg")).to_have_count(0)
        expect(again.page.locator("#draft")).to_have_value("")
        assert stored_count(server, text) == 0
        again.page.click("#sign-out")
        again.sign_in("bob")
        expect(again.message(text)).to_have_count(1)
        expect(again.page.locator("#outbox .msg")).to_have_count(0)
        expect(again.page.locator("#draft")).to_have_value("and a draft!")
        assert stored_count(server, text) == 1
    finally:
        close_chat(chat)


def test_two_tabs_opened_together_send_what_a_closed_page_left_once(browser, server):
    chat = open_chat(browser, server)
    try:
        chat.sign_in("carol", remember=True)
        chat.tolerate_network_errors()
        text = f"left by a closed page {uuid.uuid4()}"
        server.stop()
        try:
            chat.expect_phase("waiting", timeout=30_000)
            chat.send(text)
            expect(chat.page.locator("#outbox .msg", has_text=text)).to_have_count(1)
            close_tab(chat)
        finally:
            server.start()
        creates: list[str] = []

        def watch(page) -> None:
            page.on("websocket", lambda socket: socket.on(
                "framesent", lambda payload: creates.append(payload)
                if text in str(payload) and '"create"' in str(payload) else None))

        chat.page.context.on("page", watch)
        tabs = [open_tab(chat, wait=False), open_tab(chat, wait=False)]
        for tab in tabs:
            tab.expect_phase("live", timeout=90_000)
            expect(tab.message(text)).to_have_count(1)
        for tab in tabs:
            expect(tab.page.locator("#outbox .msg")).to_have_count(0)
        assert len(creates) == 1, creates  # one tab took it over; the other never sent it
        assert stored_count(server, text) == 1
    finally:
        close_chat(chat)

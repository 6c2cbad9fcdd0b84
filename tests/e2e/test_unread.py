"""Unread: the count in the tab's title and the "New" divider while the tab is hidden,
cleared by reading; the read position kept on the server, so a reload comes back to it
with "Jump to first unread" when the unread do not fit."""

from __future__ import annotations

import uuid

from playwright.sync_api import expect

from server.provision.channels import GENERAL
from tests.e2e.axe import audit
from tests.e2e.pages import HIDEABLE, close_chat, open_chat, post_message, rest

SAVED = "/items/read_positions"


def saved(response) -> bool:
    return SAVED in response.url and response.request.method in ("POST", "PATCH")


def test_unread_count_divider_server_position_and_jump_after_a_reload(browser, directus):
    # No service worker: the reloaded page's axe audit is answered by page.route.
    chat = open_chat(browser, directus, init_script=HIDEABLE, service_workers="block")
    page = chat.page
    try:
        chat.sign_in("alice", remember=True)
        expect(page).to_have_title("Chat")
        page.evaluate("chatTest.hide(true)")
        tag = uuid.uuid4().hex[:8]
        first = post_message(directus, "bob", *(f"{tag} unread {i}" for i in range(3)))
        expect(page).to_have_title("(3) Chat")
        divider = page.locator(".unread-divider")
        expect(divider).to_have_count(1)
        # The divider stands right before the first unread message.
        expect(page.locator(".unread-divider + .msg .text")).to_have_text(f"{tag} unread 0")
        with page.expect_response(saved):
            page.evaluate("chatTest.hide(false)")  # seen: read
        expect(page).to_have_title("Chat")
        token = directus.login("alice")["access_token"]
        # Alice's row of general (other tests of the session may have given her rows
        # in other channels).
        [row] = rest(directus, "GET", f"{SAVED}?fields=last_read&filter[channel][_eq]={GENERAL}",
                     token=token)["data"]
        newest = page.locator("#days .msg").last  # the newest of the three
        expect(newest.locator(".text")).to_contain_text(f"{tag} unread")
        assert row["last_read"] == newest.get_attribute("data-id")
        assert row["last_read"] in {m["id"] for m in first}

        # Away again while many come; back in a reload, at the end of the list.
        page.evaluate("chatTest.hide(true)")
        many = post_message(directus, "bob", *(f"{tag} many {i}" for i in range(40)))
        expect(page).to_have_title("(40) Chat")
        page.reload()
        chat.expect_phase("live")
        expect(page.locator(".unread-divider + .msg .text")).to_have_text(f"{tag} many 0")
        jump = page.locator("#jump-unread")
        expect(jump).to_be_visible()
        assert audit(page) == []
        jump.click()
        expect(divider).to_be_in_viewport()
        expect(jump).to_be_hidden()
        # Read down to the end: nothing is unread any more.
        page.evaluate("(m => { m.scrollTop = m.scrollHeight; })"
                      "(document.getElementById('messages'))")
        expect(page).to_have_title("Chat")
        assert len(many) == 40
    finally:
        close_chat(chat)


def test_jump_to_first_unread_brings_in_an_unread_message_outside_the_dom_window(
        browser, directus):
    """More unread than the DOM window holds (200): the first unread is not drawn at the
    end of the list, and the jump brings it in, the divider at the top of the view."""
    chat = open_chat(browser, directus, init_script=HIDEABLE, service_workers="block")
    page = chat.page
    try:
        chat.sign_in("alice", remember=True)
        chat.expect_phase("live")
        page.evaluate("chatTest.hide(true)")
        tag = uuid.uuid4().hex[:8]
        post_message(directus, "bob", *(f"{tag} far {i}" for i in range(300)))
        expect(page).to_have_title("(300) Chat")
        page.reload()
        chat.expect_phase("live")
        expect(page).to_have_title("(300) Chat")
        expect(page.locator(".unread-divider")).to_have_count(0)  # not drawn
        jump = page.locator("#jump-unread")
        expect(jump).to_be_visible()
        jump.click()
        divider = page.locator(".unread-divider")
        expect(divider).to_be_in_viewport()
        expect(page.locator(".unread-divider + .msg .text")).to_have_text(f"{tag} far 0")
        assert page.locator("#days .msg.hit").count() == 0  # not marked as a search hit
    finally:
        close_chat(chat)

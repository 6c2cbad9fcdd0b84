"""Desktop notifications: asked for only by a click in the settings menu, shown for
others' messages that arrive while the tab is hidden (author and preview), never for
one's own or for history; others can be muted; clicking one shows that message.

Chromium is granted the permission by Playwright, and the page's Notification is a
stub that records what it was asked (no OS prompt, no real notification)."""

from __future__ import annotations

import uuid

from playwright.sync_api import expect

from chat.core.session import user_id_from_token
from tests.e2e.axe import audit
from tests.e2e.pages import HIDEABLE, close_chat, open_chat, post_message, rest

STUB = """
window.chatNotes = [];
window.chatNotes.asked = 0;
window.Notification = class {  // the browser remembers the answer: so does this tab
  static get permission() { return sessionStorage.getItem("test.permission") || "default"; }
  static requestPermission() {
    chatNotes.asked += 1;
    sessionStorage.setItem("test.permission", "granted");
    return Promise.resolve("granted");
  }
  constructor(title, options) {
    Object.assign(this, {title, body: options.body, tag: options.tag, closed: false});
    chatNotes.push(this);
  }
  close() { this.closed = true; }
};
"""


def notes(page) -> list[dict]:
    return page.evaluate("chatNotes.map(n => ({title: n.title, body: n.body}))")


def test_opt_in_by_click_then_others_messages_while_hidden_notify(browser, directus):
    chat = open_chat(browser, directus, init_script=HIDEABLE + STUB,
                     permissions=["notifications"])
    page = chat.page
    try:
        chat.sign_in("alice")
        tag = uuid.uuid4().hex[:8]
        page.evaluate("chatTest.hide(true)")
        post_message(directus, "bob", f"{tag} before opting in")
        expect(chat.message(f"{tag} before opting in")).to_have_count(1)
        assert notes(page) == [] and page.evaluate("chatNotes.asked") == 0  # never on load
        page.evaluate("chatTest.hide(false)")

        page.click("#settings summary")
        page.check("#notify-on")
        assert audit(page) == []  # the open menu
        expect(page.locator("#notify-on")).to_be_checked()
        assert page.evaluate("chatNotes.asked") == 1

        page.evaluate("chatTest.hide(true)")
        chat.send(f"{tag} my own")
        expect(chat.message(f"{tag} my own")).to_have_count(1)
        post_message(directus, "bob", f"{tag} hello\nalice")
        expect(chat.message(f"{tag} hello\nalice")).to_have_count(1)
        assert notes(page) == [{"title": "Bob", "body": f"{tag} hello alice"}]

        page.evaluate("chatTest.hide(false)")
        page.uncheck("#notify-all")  # only mentions from now on
        page.evaluate("chatTest.hide(true)")
        post_message(directus, "bob", f"{tag} muted")
        expect(chat.message(f"{tag} muted")).to_have_count(1)
        assert len(notes(page)) == 1
        alice = user_id_from_token(directus.login("alice")["access_token"])
        rest(directus, "POST", "/items/messages", {"content": f"{tag} @Alice look",
             "mentions": alice}, directus.login("bob")["access_token"])
        expect(chat.message(f"{tag} @Alice look")).to_have_count(1)
        assert notes(page)[1:] == [{"title": "Bob", "body": f"{tag} @Alice look"}]  # always

        page.evaluate("document.getElementById('messages').scrollTop = 0")
        page.evaluate("chatNotes[0].onclick()")
        expect(chat.message(f"{tag} hello\nalice")).to_be_in_viewport()
        assert page.evaluate("chatNotes[0].closed")

        # The choices stay for this user; history after a reload notifies nobody.
        chat.page.reload()
        chat.wait_ready()
        page.evaluate("chatTest.hide(true)")  # the history comes into a hidden tab
        chat.sign_in("alice")
        expect(page.locator("#notify-on")).to_be_checked()
        expect(page.locator("#notify-all")).not_to_be_checked()
        page.evaluate("document.getElementById('notify-all').click()")  # every message again
        post_message(directus, "bob", f"{tag} after the reload")
        expect(chat.message(f"{tag} after the reload")).to_have_count(1)
        assert notes(page) == [{"title": "Bob", "body": f"{tag} after the reload"}]
        assert page.evaluate("chatNotes.asked") == 0  # the browser's answer is kept
    finally:
        close_chat(chat)

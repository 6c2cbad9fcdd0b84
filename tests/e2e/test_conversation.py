"""Edit, delete, replies and reactions with real users in Chromium against a real
Directus (provisioned: the features are there). Alice, Bob and Carol's pages are shared
by the module's tests (Pyodide's start is slow); each test uses its own texts."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import audit
from tests.e2e.pages import LIVE_MS, close_chat, open_chat, rest, stored_count
from tests.e2e.test_chat import XSS


def tag(text: str) -> str:
    return f"{text} [{uuid.uuid4().hex[:6]}]"


@pytest.fixture(scope="module")
def chats(browser, directus):
    pages = [open_chat(browser, directus, wait=False) for _ in range(3)]
    for chat, name in zip(pages[:2], ("alice", "bob"), strict=True):
        chat.wait_ready().sign_in(name)
    pages[2].wait_ready()  # Carol signs in later, to see what is history by then
    yield pages
    for chat in pages:
        close_chat(chat)


@pytest.fixture
def pair(chats):
    return chats[0], chats[1]


def menu(chat, text: str, action: str | None = None):
    """Open the actions menu of the message ``text`` with the keyboard; pick ``action``."""
    button = chat.message(text).locator(".msg-actions")
    button.focus()
    button.press("Enter")
    expect(chat.page.locator("#message-menu")).to_be_visible()
    if action is not None:
        chat.page.locator(f'#message-menu [data-action="{action}"]').first.click()


def stored_id(directus, content: str) -> str:
    query = f'/items/messages?filter={{"content":{{"_eq":"{content}"}}}}&fields=id'
    return rest(directus, "GET", query.replace(" ", "%20").replace('"', "%22"),
                token=directus.admin_token)["data"][0]["id"]


def test_edit_from_the_keyboard_menu_shows_edited_with_its_time_for_everyone(pair):
    alice, bob = pair
    text, fixed = tag("tpyo"), tag("typo fixed")
    alice.send(text)
    expect(bob.message(text)).to_have_count(1)
    menu(alice, text)
    page = alice.page
    expect(page.locator("#message-menu .menu-item").first).to_be_focused()
    items = [page.locator("#message-menu .menu-item").nth(i).get_attribute("data-action")
             for i in range(page.locator("#message-menu .menu-item").count())]
    assert items[0] == "reply" and items[-2:] == ["edit", "delete"]
    page.keyboard.press("End")
    page.keyboard.press("ArrowUp")
    expect(page.locator('#message-menu [data-action="edit"]')).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#compose-mode")).to_contain_text("Editing your message")
    expect(page.locator("#draft")).to_have_value(text)
    page.fill("#draft", fixed)
    page.press("#draft", "Enter")
    for chat in pair:
        expect(chat.message(fixed)).to_have_count(1)
        expect(chat.message(text)).to_have_count(0)
        expect(chat.message(fixed).locator(".edited")).to_have_attribute(
            "title", re.compile(r"^Edited \w"))
    expect(page.locator("#compose-mode")).to_be_hidden()
    # Others' messages offer no Edit.
    menu(bob, fixed)
    expect(bob.page.locator('#message-menu [data-action="edit"]')).to_have_count(0)
    bob.page.keyboard.press("Escape")
    expect(bob.page.locator("#message-menu")).to_be_hidden()
    expect(bob.message(fixed).locator(".msg-actions")).to_be_focused()


def test_up_arrow_in_an_empty_draft_edits_the_last_own_message_and_escape_cancels(pair):
    alice, bob = pair
    text = tag("last one")
    alice.send(text)
    expect(alice.message(text)).to_have_count(1)
    page = alice.page
    page.focus("#draft")
    page.keyboard.press("ArrowUp")
    expect(page.locator("#draft")).to_have_value(text)
    expect(page.locator("#compose-mode")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#draft")).to_have_value("")
    expect(page.locator("#compose-mode")).to_be_hidden()
    page.keyboard.press("ArrowUp")
    page.fill("#draft", text + " (again)")
    page.press("#draft", "Enter")
    expect(bob.message(text + " (again)")).to_have_count(1)


def test_a_delete_removes_the_message_live_everywhere(pair, directus):
    alice, bob = pair
    text = tag("regret")
    alice.send(text)
    expect(bob.message(text)).to_have_count(1)
    menu(alice, text, "delete")
    for chat in pair:
        expect(chat.message(text)).to_have_count(0)
    assert stored_count(directus, text) == 0


def test_an_edit_after_the_window_says_so_on_the_page(pair, directus):
    alice, bob = pair
    text = tag("old news")
    alice.send(text)
    expect(bob.message(text)).to_have_count(1)
    menu(alice, text, "edit")
    message = f"/items/messages/{stored_id(directus, text)}"
    rest(directus, "PATCH", message, {"date_created": "2020-01-01T00:00:00.000Z"},
         token=directus.admin_token)
    try:
        alice.page.fill("#draft", text + " edited")
        alice.page.press("#draft", "Enter")
        expect(alice.page.locator("#notice")).to_contain_text("can no longer be changed")
        assert stored_count(directus, text) == 1
    finally:  # other modules' tests expect only today's messages
        rest(directus, "DELETE", message, token=directus.admin_token)


def test_edits_and_deletes_made_while_the_server_is_down_wait_and_are_done_once(
        pair, directus):
    alice, bob = pair
    keep, drop = tag("keep me"), tag("drop me")
    alice.send(keep)
    alice.send(drop)
    expect(bob.message(drop)).to_have_count(1)
    for chat in pair:
        chat.tolerate_network_errors()
    directus.stop()
    try:
        expect(alice.status()).to_contain_text("Reconnecting", timeout=LIVE_MS)
        menu(alice, keep, "edit")
        alice.page.fill("#draft", keep + " v2")
        alice.page.press("#draft", "Enter")
        menu(alice, drop, "delete")
        expect(alice.message(keep)).to_have_class(re.compile(r"\bchanging\b"))
        expect(alice.message(drop)).to_have_class(re.compile(r"\bchanging\b"))
    finally:
        directus.start()
    for chat in pair:
        chat.expect_phase("live")
        expect(chat.message(keep + " v2")).to_have_count(1)
        expect(chat.message(drop)).to_have_count(0)
    expect(alice.page.locator("#days .msg.changing")).to_have_count(0)
    assert stored_count(directus, keep + " v2") == 1 and stored_count(directus, drop) == 0


def test_a_reply_quotes_its_original_scrolls_to_it_and_says_when_it_is_gone(pair):
    alice, bob = pair
    original, answer = tag("Shall we meet at noon?") + " " + "x" * 100, tag("Noon works")
    bob.send(original)
    expect(alice.message(original)).to_have_count(1)
    menu(alice, original, "reply")
    expect(alice.page.locator("#compose-mode")).to_contain_text("Replying to Bob")
    alice.send(answer)
    for chat in pair:
        quote = chat.message(answer).locator(".quote")
        expect(quote).to_have_text(re.compile(r"^Bob: Shall we meet at noon\?.*…$"))
    bob.message(answer).locator(".quote").click()
    expect(bob.message(original)).to_have_class(re.compile(r"\bflash\b"))
    assert bob.page.evaluate("document.activeElement.dataset.id") == bob.message(
        original).get_attribute("data-id")
    expect(bob.message(original)).to_be_in_viewport()
    menu(bob, original, "delete")
    for chat in pair:
        expect(chat.message(answer).locator(".quote")).to_have_text("Original deleted")


def test_reactions_toggle_per_user_with_counts_and_who_live(pair):
    alice, bob = pair
    text = tag("Lunch is on me")
    alice.send(text)
    expect(bob.message(text)).to_have_count(1)
    menu(bob, text, "react")  # the first quick one: 👍
    menu(alice, text, "more")
    expect(alice.page.locator("#message-menu.picker .menu-item")).to_have_count(24)
    alice.page.locator('#message-menu [aria-label="React 👍"]').click()
    for chat, mine in ((alice, "you, Bob"), (bob, "Alice, you")):
        reaction = chat.message(text).locator(".reaction")
        expect(reaction).to_have_text("👍 2")
        expect(reaction).to_have_attribute("aria-label", re.compile("^👍 2: "))
        expect(reaction).to_have_attribute("aria-pressed", "true")
        assert sorted(reaction.get_attribute("data-who").split(", ")) == sorted(
            mine.split(", "))
    bob.message(text).locator(".reaction").click()  # off again
    expect(alice.message(text).locator(".reaction")).to_have_text("👍 1")
    expect(bob.message(text).locator(".reaction")).to_have_attribute("aria-pressed", "false")


def test_replies_and_reactions_to_xss_show_literally_live_and_from_history(chats):
    alice, bob, carol = chats
    payloads = [tag(p) for p in XSS]  # test_chat.py sends the bare ones
    for payload in payloads:
        alice.send(payload)
        expect(bob.message(payload)).to_have_count(1)
        menu(bob, payload, "reply")
        bob.send(tag("re"))
        menu(bob, payload, "react")
    carol.sign_in("carol")
    for chat in chats:
        for payload in payloads:
            expect(chat.page.locator(".quote", has_text=payload[:40])).to_have_count(1)
            expect(chat.message(payload).locator(".reaction")).to_have_text("👍 1")
        assert chat.page.evaluate("window.__pwned") is None
        for payload in payloads:  # (other messages may have links, and avatars images)
            for shown in (chat.message(payload),
                          chat.page.locator(".quote", has_text=payload[:40])):
                expect(shown.locator("img, svg, script, a, b, py-script")).to_have_count(0)


def test_the_new_states_pass_the_accessibility_audit(pair):
    alice, bob = pair
    text = tag("Audit me")
    alice.send(text)
    expect(bob.message(text)).to_have_count(1)
    menu(bob, text, "react")
    menu(alice, text, "reply")
    alice.send(tag("a reply"))
    found = []
    menu(alice, text)
    found += [f"menu: {v}" for v in audit(alice.page)]
    alice.page.keyboard.press("Escape")
    menu(alice, text, "more")
    expect(alice.page.locator("#message-menu.picker")).to_be_visible()
    found += [f"picker: {v}" for v in audit(alice.page)]
    alice.page.keyboard.press("Escape")
    menu(alice, text, "edit")
    found += [f"editing: {v}" for v in audit(alice.page)]
    alice.page.keyboard.press("Escape")
    assert found == []


def test_a_tutorial_database_gets_no_menu_quotes_or_reactions(browser, tutorial_factory):
    """Where the server lacks the features, nothing of them is offered or asked for."""
    server = tutorial_factory("tutorial")
    chat = open_chat(browser, server)
    chat.tolerate_network_errors()  # /fields/messages is 403 there, which Chromium logs
    sockets: list[str] = []
    chat.page.on("websocket", lambda socket: socket.on(
        "framesent", lambda payload: sockets.append(str(payload))))
    chat.sign_in("alice")
    text = tag("plain as the tutorial")
    chat.send(text)
    expect(chat.message(text)).to_have_count(1)
    expect(chat.page.locator("#days .msg").first).to_be_visible()
    expect(chat.page.locator(".msg-actions, .quote, .reactions")).to_have_count(0)
    chat.page.focus("#draft")
    chat.page.keyboard.press("ArrowUp")
    expect(chat.page.locator("#compose-mode")).to_be_hidden()
    assert not [f for f in sockets if "reactions" in f or "reply_to" in f]
    close_chat(chat)

"""Mentions, links and reading comfort, with Alice and Bob in two browser contexts and
Carol writing over REST, against the real Directus (issue 12, items 4 to 6).

The two pages are shared by the tests of this module (Pyodide's start is slow). Carol's
messages are posted before anyone signs in, so they come from history; Alice's and Bob's
come live. Alice has an avatar (set by the admin, removed at the end); Bob has none.
"""

from __future__ import annotations

import json
import re
import urllib.parse
import uuid

import pytest
from playwright.sync_api import expect

from tests.assets import png, upload
from tests.e2e.axe import audit
from tests.e2e.pages import close_chat, open_chat, rest

EVIL = [
    '<img src=x onerror="window.__pwned = 1">',
    'https://x.org/"><img src=x onerror="window.__pwned=1">',
    '<a href="https://x.org" onclick="window.__pwned=1">https://x.org</a>',
    "javascript:window.__pwned=1 https://ok.example/j?x=<script>window.__pwned=1</script>",
    "![pic](https://x.org/p.png) [link](javascript:window.__pwned=1)",
    "@<b>Bob</b> http://x.org/<svg/onload=window.__pwned=1>",
]


def tag(text: str) -> str:
    return f"{text} [{uuid.uuid4().hex[:6]}]"


def user_id(directus, name: str) -> str:
    token = directus.login(name)["access_token"]
    return rest(directus, "GET", "/users/me?fields=id", token=token)["data"]["id"]


def post(directus, name: str, content: str, mentions: list[str] | None = None) -> None:
    token = directus.login(name)["access_token"]
    body = {"content": content, **({"mentions": ",".join(mentions)} if mentions else {})}
    rest(directus, "POST", "/items/messages", body, token)


def stored(directus, content: str) -> dict:
    query = urllib.parse.urlencode({"filter": json.dumps({"content": {"_eq": content}}),
                                    "fields": "id,mentions"})
    (row,) = rest(directus, "GET", f"/items/messages?{query}",
                  token=directus.admin_token)["data"]
    return row


@pytest.fixture(scope="module")
def ids(directus) -> dict[str, str]:
    return {name: user_id(directus, name) for name in ("alice", "bob", "carol")}


@pytest.fixture(scope="module")
def history(directus, ids) -> dict[str, str]:
    """Carol's messages, there before anyone signs in; Alice's avatar."""
    texts = {"mention": tag("@Bob and @Alice, from history"),
             "link": tag("read https://example.org/a?b=1. then"),
             "evil": [tag(e) for e in EVIL],
             # Enough to scroll: long lines, so that they span the list's width.
             "filler": [tag("filler " + "words to fill a line " * 12) for _ in range(24)]}
    post(directus, "carol", texts["mention"], [ids["bob"], ids["alice"]])
    post(directus, "carol", texts["link"])
    for text in texts["evil"]:
        post(directus, "carol", text, [ids["bob"]])
    for text in texts["filler"]:
        post(directus, "carol", text)
    avatar = upload(directus, "alice.png", png(16, 16))
    rest(directus, "PATCH", f"/users/{ids['alice']}", {"avatar": avatar},
         directus.admin_token)
    yield texts
    rest(directus, "PATCH", f"/users/{ids['alice']}", {"avatar": None}, directus.admin_token)


@pytest.fixture(scope="module")
def pair(browser, directus, history):
    alice, bob = (open_chat(browser, directus, wait=False) for _ in range(2))
    assets: list[tuple[str, str | None]] = []
    for chat in (alice, bob):
        chat.page.on("request", lambda r: assets.append((r.url, r.headers.get("authorization")))
                     if "/assets/" in r.url else None)
    for chat, name in ((alice, "alice"), (bob, "bob")):
        chat.wait_ready().sign_in(name)
    yield alice, bob, assets
    close_chat(alice)
    close_chat(bob)


def message(chat, text: str):
    """The stored message whose whole text is ``text`` (links and mentions included)."""
    return chat.page.locator("#days .msg").filter(
        has=chat.page.locator(".text", has_text=re.compile(f"^{re.escape(text)}$")))


def test_typing_at_offers_the_people_and_enter_picks_one_stored_as_their_id(
        pair, directus, ids):
    alice, bob, _ = pair
    page, draft = alice.page, alice.page.locator("#draft")
    draft.fill("")
    draft.press_sequentially("Hi @")
    options = page.locator("#mention-list [role=option]")
    expect(page.locator("#mention-list")).to_be_visible()
    expect(options.filter(has_text="Carol")).to_have_count(1)
    names = options.all_inner_texts()  # everyone but oneself, by name
    assert "Bob" in names and "Alice" not in names and names == sorted(names), names
    expect(draft).to_have_attribute("aria-controls", "mention-list")
    expect(draft).to_have_attribute("aria-activedescendant", "mention-0")
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    draft.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(draft).to_have_attribute("aria-activedescendant", "mention-1")
    expect(page.locator("#mention-status")).to_contain_text(names[1])
    draft.press("ArrowUp")
    draft.press_sequentially("b")  # filters, and keeps Bob
    expect(options).to_have_text(["Bob"])
    draft.press("Enter")  # picks; does not send
    expect(draft).to_have_value("Hi @Bob ")
    expect(page.locator("#mention-list")).to_be_hidden()
    expect(draft).not_to_have_attribute("aria-activedescendant", re.compile("."))
    text = tag("see you")
    draft.press_sequentially(text)
    draft.press("Enter")
    full = f"Hi @Bob {text}"
    expect(message(bob, full)).to_have_count(1)
    assert stored(directus, full)["mentions"] == [ids["bob"]]
    # Highlighted for both; shown specially to Bob, the one mentioned.
    for chat in (alice, bob):
        expect(message(chat, full).locator(".mention")).to_have_text("@Bob")
    expect(message(bob, full).locator(".mention.me")).to_have_count(1)
    expect(message(bob, full)).to_have_class(re.compile(r"\bmentions-me\b"))
    expect(message(bob, full).locator(".for-me")).to_have_text("mentions you")
    expect(message(alice, full).locator(".mention.me")).to_have_count(0)
    expect(message(alice, full)).not_to_have_class(re.compile(r"\bmentions-me\b"))


def test_escape_closes_the_list_and_a_name_typed_without_picking_stays_plain_text(
        pair, directus):
    alice, bob, _ = pair
    draft = alice.page.locator("#draft")
    draft.fill("")
    draft.press_sequentially("@Bo")
    expect(alice.page.locator("#mention-list")).to_be_visible()
    draft.press("Escape")
    expect(alice.page.locator("#mention-list")).to_be_hidden()
    text = tag("@Bob typed, @Carol too")
    draft.fill(text)
    draft.press("Enter")
    expect(message(bob, text)).to_have_count(1)
    assert stored(directus, text)["mentions"] is None
    for chat in (alice, bob):
        expect(message(chat, text).locator(".mention")).to_have_count(0)


def test_mentions_from_history_are_highlighted_for_their_ids(pair, history):
    alice, bob, _ = pair
    for chat, me in ((alice, "@Alice"), (bob, "@Bob")):
        item = message(chat, history["mention"])
        expect(item.locator(".mention")).to_have_text(["@Bob", "@Alice"])
        expect(item.locator(".mention.me")).to_have_text(me)
        expect(item).to_have_class(re.compile(r"\bmentions-me\b"))


def test_http_and_https_urls_become_safe_links_live_and_from_history(pair, history):
    alice, bob, _ = pair
    live = tag("try http://example.com/x?y=1, javascript:alert(1) "
               "![i](https://example.com/i.png)")
    alice.send(live)
    for chat in (alice, bob):
        old = message(chat, history["link"]).locator(".text a")
        expect(old).to_have_count(1)
        expect(old).to_have_text("https://example.org/a?b=1")
        expect(old).to_have_attribute("href", "https://example.org/a?b=1")
        links = message(chat, live).locator(".text a")
        expect(links).to_have_count(2)
        expect(links).to_have_text(["http://example.com/x?y=1", "https://example.com/i.png"])
        for link in (old, links.nth(0), links.nth(1)):
            expect(link).to_have_attribute("rel", "noopener noreferrer")
            expect(link).to_have_attribute("target", "_blank")
        expect(message(chat, live).locator(".text img")).to_have_count(0)


def test_markup_in_linked_and_mentioned_text_stays_text_live_and_from_history(pair, history):
    alice, bob, _ = pair
    live = [tag(e) for e in EVIL]
    for text in live:
        alice.send(f"@Bob {text}")
    for chat in (alice, bob):
        for text in history["evil"] + [f"@Bob {t}" for t in live]:
            item = message(chat, text)
            expect(item).to_have_count(1)
            expect(item.locator(".text img, .text svg, .text b, .text script")).to_have_count(0)
            for href in item.locator(".text a").evaluate_all("as => as.map(a => a.href)"):
                assert href.startswith(("http://", "https://")), href
        assert chat.page.evaluate("window.__pwned") is None


def test_consecutive_messages_of_one_author_are_grouped_under_one_name(pair):
    alice, bob, _ = pair
    before = tag("bob before")  # Alice's earlier messages are not grouped with these
    bob.send(before)
    expect(message(alice, before)).to_have_count(1)
    first, second, third = (tag(f"group {n}") for n in (1, 2, 3))
    for text in (first, second, third):
        alice.send(text)
        expect(message(bob, text)).to_have_count(1)
    other, after = tag("bob breaks it"), tag("alice again")
    bob.send(other)
    expect(message(alice, other)).to_have_count(1)
    alice.send(after)
    cont = re.compile(r"\bcont\b")
    for chat in (alice, bob):
        expect(message(chat, after)).to_have_count(1)
        expect(message(chat, first)).not_to_have_class(cont)
        height = "m => m.getBoundingClientRect().height"
        assert message(chat, first).locator(".meta").evaluate(height) > 8
        for text in (second, third):
            expect(message(chat, text)).to_have_class(cont)
            # Name and time take no room (they stay for screen readers).
            assert message(chat, text).locator(".meta").evaluate(height) <= 1
            expect(message(chat, text).locator(".author")).to_have_text("Alice")
        expect(message(chat, other)).not_to_have_class(cont)
        expect(message(chat, after)).not_to_have_class(cont)


def test_avatars_come_with_the_token_in_a_header_else_initials_and_the_header_says_who(
        pair, history):
    alice, bob, assets = pair
    for chat, name in ((alice, "Alice"), (bob, "Bob")):
        expect(chat.page.locator("#me .me-name")).to_have_text(name)
        expect(chat.page.locator("#me")).to_contain_text("Signed in as")
    expect(alice.page.locator("#me .avatar img")).to_have_attribute("src", re.compile("^blob:"))
    expect(bob.page.locator("#me .avatar img")).to_have_count(0)
    expect(bob.page.locator("#me .avatar")).to_have_text("B")
    text = tag("with my face")
    alice.send(text)
    expect(message(bob, text).locator(".avatar img")).to_have_attribute(
        "src", re.compile("^blob:"))
    carol = message(bob, history["link"]).locator(".avatar")
    expect(carol).to_have_text("C")
    assert carol.evaluate("a => getComputedStyle(a).backgroundColor").startswith("rgb(")
    assert assets, "no avatar was fetched"
    for url, authorization in assets:
        assert "access_token" not in url and authorization.startswith("Bearer ")


def test_the_day_label_never_covers_the_first_line_of_a_message(pair, history):
    _, bob, _ = pair
    page = bob.page
    log = page.locator("#messages")
    # The message at the top of the list, at several places in it: no day label (nor
    # anything else drawn over the list) overlaps its first line.
    probe = """([at]) => {
      const log = document.getElementById("messages");
      log.scrollTop = at;
      const top = log.getBoundingClientRect().top;
      const msgs = [...log.querySelectorAll("#days .msg")];
      const first = msgs.find(m => m.getBoundingClientRect().bottom > top + 1);
      log.scrollTop += first.getBoundingClientRect().top - top;  // its top at the very top
      const box = first.getBoundingClientRect();
      const line = {top: box.top, bottom: box.top + 18, left: box.left, right: box.right};
      const over = [...document.querySelectorAll(".day-label span, #day-bar.shown")].filter(l => {
        const r = l.getBoundingClientRect();
        return r.width && r.bottom > line.top + 1 && r.top < line.bottom  // not an edge
          && r.right > line.left && r.left < line.right;
      });
      return {covered: over.map(l => l.textContent)};
    }"""
    height = log.evaluate("l => l.scrollHeight - l.clientHeight")
    assert height > 400, "not enough messages to scroll"
    for at in (0, 150, height // 3, height // 2):
        assert page.evaluate(probe, [at]) == {"covered": []}, at
    # The day shows above the list once its heading has scrolled away, not before.
    expect(page.locator("#day-bar")).to_have_text("Today")
    log.evaluate("l => { l.scrollTop = 0; }")
    expect(page.locator("#day-bar")).to_have_text("")
    log.evaluate("l => { l.scrollTop = l.scrollHeight; }")


def test_the_new_states_pass_the_accessibility_audit(pair):
    alice, bob, _ = pair
    draft = alice.page.locator("#draft")
    draft.fill("")
    draft.press_sequentially("@")
    expect(alice.page.locator("#mention-list")).to_be_visible()
    assert audit(alice.page) == []  # the picker open, links, mentions, grouped messages
    draft.press("Escape")
    draft.fill("")
    assert audit(bob.page) == []  # mentions of the reader, avatars


def test_avatar_urls_are_revoked_when_the_messages_leave_at_sign_out(pair):
    alice, _, _ = pair
    page = alice.page
    page.evaluate("""() => {
      window.__revoked = [];
      const revoke = URL.revokeObjectURL.bind(URL);
      URL.revokeObjectURL = url => { window.__revoked.push(url); revoke(url); };
    }""")
    shown = set(page.locator(".avatar img").evaluate_all("is => is.map(i => i.src)"))
    assert shown
    page.click("#sign-out")
    alice.expect_phase("signed-out")
    expect(page.locator(".avatar img")).to_have_count(0)
    assert shown <= set(page.evaluate("window.__revoked"))

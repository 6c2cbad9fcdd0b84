"""The page in Chromium on a Directus set up the way the tutorial says (integer ids, the
four fields, roleless users under the Public policy): it shows the history, sends and
receives live; after `server.provision` it shows every old message once and sends
exactly once under a client_id. And on a Directus without the collection, the sign-in
form says so with the command that fixes it."""

from __future__ import annotations

import contextlib
import io
import uuid

from playwright.sync_api import expect

from chat.core import texts
from server.provision.__main__ import main
from tests.e2e.pages import LIVE_MS, close_chat, open_chat, post_message, rest
from tests.tutorial_db import SEED


def stored(server, marker: str) -> list[dict]:
    rows = rest(server, "GET", "/items/messages?limit=-1&sort=date_created",
                token=server.admin_token)["data"]
    return [r for r in rows if marker in r["content"]]


def test_the_page_chats_on_a_tutorial_database_before_and_after_the_upgrade(
        browser, tutorial_factory):
    server = tutorial_factory("tutorial")
    marker = uuid.uuid4().hex[:8]
    carol = open_chat(browser, server)
    carol.sign_in("carol")
    for _, content in SEED:
        if "\n" not in content:
            expect(carol.message(content)).to_have_count(1)
    carol.send(f"{marker} before")
    expect(carol.message(f"{marker} before")).to_have_count(1, timeout=LIVE_MS)
    post_message(server, "bob", f"{marker} from bob")  # as the tutorial's client would
    expect(carol.message(f"{marker} from bob")).to_have_count(1, timeout=LIVE_MS)
    expect(carol.page.locator("#outbox .msg")).to_have_count(0)
    close_chat(carol)

    for flags in ((), ("--lock-down", "--assign-chat-role")):
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(["--url", server.url, "--token", server.admin_token, *flags]) == 0
    carol = open_chat(browser, server)
    carol.sign_in("carol")
    for content in (*(c for _, c in SEED if "\n" not in c), f"{marker} before",
                    f"{marker} from bob"):
        expect(carol.message(content)).to_have_count(1)
    carol.send(f"{marker} after")
    expect(carol.message(f"{marker} after")).to_have_count(1, timeout=LIVE_MS)
    expect(carol.page.locator("#outbox .msg")).to_have_count(0)
    close_chat(carol)
    rows = stored(server, marker)
    assert [r["content"] for r in rows] == [f"{marker} before", f"{marker} from bob",
                                            f"{marker} after"]
    assert rows[-1]["client_id"] and isinstance(rows[-1]["id"], int)


def test_the_sign_in_form_says_the_collection_is_missing_and_how_to_make_it(
        browser, bare_factory):
    server = bare_factory()
    email, password = server.users["alice"]
    rest(server, "POST", "/users", {"email": email, "password": password},
         server.admin_token)
    page = open_chat(browser, server)
    page.expect_phase("signed-out")
    page.fill_sign_in("alice")
    expect(page.page.locator("#sign-in-error")).to_have_text(
        texts.COLLECTION_MISSING.format(url=server.url), timeout=LIVE_MS)
    expect(page.page.locator("html")).to_have_attribute("data-phase", "signed-out")
    close_chat(page)

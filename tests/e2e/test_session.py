"""Signing in and out: early submits, errors on the page, staying signed in, revocation."""

from __future__ import annotations

import urllib.error

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from server.static_server import StaticServer
from tests.e2e.pages import close_chat, open_chat, rest

STORAGE = "Object.keys(localStorage).filter(k => k.startsWith('chat.refresh_token'))" \
          ".map(k => localStorage.getItem(k))"


def saved_tokens(chat) -> list[str]:
    return chat.page.evaluate(STORAGE)


def test_submit_before_python_is_ready_says_starting_and_goes_through(browser, directus):
    chat = open_chat(browser, directus, wait=False)
    try:
        held = []
        # Hold main.py back, so that Python cannot be ready when the form is submitted.
        chat.page.route("**/main.py", lambda route: held.append(route))
        with chat.page.expect_request("**/main.py"):
            chat.load()
        chat.fill_sign_in("alice")
        expect(chat.page.locator("#sign-in-status")).to_contain_text("Starting…")
        chat.expect_phase("loading")
        held[0].continue_()
        chat.expect_phase("live")
    finally:
        close_chat(chat)


def test_wrong_password_is_shown_on_the_page(chat_page):
    chat_page.tolerate_network_errors()  # the browser logs the 401 answer
    chat_page.fill_sign_in("alice", password="not-the-password")
    expect(chat_page.page.locator("#sign-in-error")).to_have_text("Wrong email or password.")
    chat_page.expect_phase("signed-out")
    expect(chat_page.page.locator("#email")).to_have_value(chat_page.directus.users["alice"][0])


def test_unreachable_server_is_shown_on_the_page(browser, directus):
    page_server = StaticServer(config={"directus_url": "http://127.0.0.1:9"})
    page_server.start()
    chat = open_chat(browser, _Elsewhere(directus, page_server.url, "http://127.0.0.1:9"))
    try:
        chat.tolerate_network_errors()
        chat.fill_sign_in("alice")
        expect(chat.page.locator("#sign-in-error")).to_have_text(
            "Can't reach the chat server at http://127.0.0.1:9. Check that it is running.")
    finally:
        close_chat(chat)
        page_server.stop()


def test_origin_refused_by_cors_is_shown_on_the_page(browser, directus):
    # The same page, opened as localhost: Directus allows only the 127.0.0.1 origin.
    page_url = directus.page_url.replace("127.0.0.1", "localhost")
    chat = open_chat(browser, _Elsewhere(directus, page_url, directus.url))
    try:
        chat.tolerate_network_errors()
        chat.fill_sign_in("alice")
        expect(chat.page.locator("#sign-in-error")).to_contain_text(
            "refused this page's origin")
    finally:
        close_chat(chat)


def test_stay_signed_in_resumes_after_a_reload_without_the_password(chat_page):
    chat_page.sign_in("bob", remember=True)
    assert len(saved_tokens(chat_page)) == 1
    chat_page.page.reload()
    chat_page.expect_phase("live")
    expect(chat_page.page.locator("#password")).to_have_value("")


def test_without_stay_signed_in_nothing_is_stored_and_a_reload_signs_out(chat_page):
    chat_page.sign_in("bob")
    assert saved_tokens(chat_page) == []
    chat_page.page.reload()
    chat_page.wait_ready()
    chat_page.expect_phase("signed-out")


def test_sign_out_revokes_the_session_and_never_reconnects(chat_page, directus):
    chat_page.sign_in("carol", remember=True)
    [token] = saved_tokens(chat_page)
    chat_page.page.fill("#draft", "a draft for nobody else")
    sockets = len(chat_page.sockets)
    with chat_page.page.expect_response("**/auth/logout"):
        chat_page.page.click("#sign-out")
    chat_page.expect_phase("signed-out")
    expect(chat_page.page.locator("#sign-in-form")).to_be_visible()
    assert saved_tokens(chat_page) == []
    with pytest.raises(urllib.error.HTTPError) as refused:
        rest(directus, "POST", "/auth/refresh", {"refresh_token": token, "mode": "json"})
    assert refused.value.code in (400, 401, 403)
    # A dropped connection would be retried within about a second: wait well past that.
    with pytest.raises(PlaywrightTimeout):
        chat_page.page.wait_for_event("websocket", timeout=4000)
    assert len(chat_page.sockets) == sockets
    expect(chat_page.page.locator("#draft")).to_have_value("")


def test_revoked_saved_session_lands_on_the_form_with_a_message(chat_page, directus):
    chat_page.sign_in("alice", remember=True)
    [token] = saved_tokens(chat_page)
    chat_page.tolerate_network_errors()  # the refused refresh is logged by the browser
    rest(directus, "POST", "/auth/logout", {"refresh_token": token, "mode": "json"})
    chat_page.page.reload()
    chat_page.expect_phase("signed-out")
    expect(chat_page.page.locator("#sign-in-error")).to_have_text(
        "Your session has expired. Please sign in again.")
    assert saved_tokens(chat_page) == []


def test_session_expiry_shows_the_form_and_keeps_the_draft(browser, directus_factory):
    # Access tokens live 6 s, so the client refreshes after ~5 s; the revoked
    # refresh token then ends the session while the user is typing.
    directus = directus_factory(ACCESS_TOKEN_TTL="6s")
    chat = open_chat(browser, directus)
    try:
        chat.sign_in("alice", remember=True)
        [token] = saved_tokens(chat)
        chat.tolerate_network_errors()
        rest(directus, "POST", "/auth/logout", {"refresh_token": token, "mode": "json"})
        chat.page.fill("#draft", "half a thought")
        chat.expect_phase("signed-out", timeout=30_000)
        expect(chat.page.locator("#sign-in-error")).to_have_text(
            "Your session has expired. Please sign in again.")
        chat.sign_in("alice")
        expect(chat.page.locator("#draft")).to_have_value("half a thought")
    finally:
        close_chat(chat)


class _Elsewhere:
    """The test Directus's users, for a page served from another place or pointing
    at another server."""

    def __init__(self, directus, page_url: str, url: str):
        self.users = directus.users
        self.page_url = page_url
        self.url = url

"""The browser tests' page helpers: chat pages that watch themselves, and REST helpers.

    alice = open_chat(browser, directus)          # loaded, Python ready
    alice.sign_in("alice")                         # ... and live
    alice.send("hi"); expect(alice.message("hi")).to_have_count(1)
    close_chat(alice)

Every page opened with `open_chat` records console errors, uncaught errors, requests
and sockets. After each test, the autouse fixture in conftest.py fails it if a page (open
or closed during the test) logged a console error, showed PyScript's `.py-error` banner,
or contacted any origin but the page's and Directus'. A test that stops the server calls
`page.tolerate_network_errors()`: the browser then logs failed connections as console
errors, which are expected there.

Import this module as `tests.e2e.pages` (never from conftest.py, which pytest imports
under another name too): there must be one registry of open pages.
"""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request

from playwright.sync_api import Browser, Page, expect

if __name__ != "tests.e2e.pages":
    raise ImportError("import tests.e2e.pages by that name: a second copy would keep a "
                      "registry of its own, whose pages nobody checks")

READY_MS = 90_000  # Pyodide alone takes seconds to start on a small machine
LIVE_MS = 60_000  # signed in, socket open, history in
DESKTOP = {"width": 1200, "height": 800}
PHONE = {"width": 375, "height": 740}

# What Chromium itself logs as console errors when a connection fails or is refused.
NETWORK_ERROR = re.compile(
    r"^(Failed to load resource: |WebSocket connection to .* failed|Access to fetch at )")

# An init script that lets a test hide and show the tab: `page.evaluate("chatTest.hide(true)")`
# (headless Chromium's tabs are always visible).
HIDEABLE = """
window.chatTest = {hidden: false, hide(hidden) {
  this.hidden = hidden; document.dispatchEvent(new Event("visibilitychange")); }};
Object.defineProperty(Document.prototype, "visibilityState",
  {configurable: true, get() { return chatTest.hidden ? "hidden" : "visible"; }});
Object.defineProperty(Document.prototype, "hidden",
  {configurable: true, get() { return chatTest.hidden; }});
"""

_open: list[ChatPage] = []  # pages opened by open_chat and not closed yet
_closed: list[str] = []  # problems of pages closed since the last check_pages()


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    return f"{scheme}://{parts.netloc}"


class ChatPage:
    """A Playwright page showing the chat, with what it did recorded for `check_pages`."""

    def __init__(self, page: Page, directus) -> None:
        self.page = page
        self.directus = directus
        self.allowed = {_origin(directus.page_url), _origin(directus.url)}
        self.problems: list[str] = []
        self.sockets: list[str] = []
        self._tolerate = False
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught error: {error}"))
        page.on("request", lambda request: self._check_origin(request.url))
        page.on("websocket", self._on_socket)

    def _on_console(self, message) -> None:
        if message.type != "error":
            return
        if self._tolerate and NETWORK_ERROR.match(message.text):
            return
        self.problems.append(f"console error: {message.text}")

    def _on_socket(self, socket) -> None:
        self.sockets.append(socket.url)
        self._check_origin(socket.url)

    def _check_origin(self, url: str) -> None:
        if url.startswith(("data:", "blob:")):
            return
        if _origin(url) not in self.allowed:
            self.problems.append(f"request to another origin: {url}")

    def tolerate_network_errors(self) -> None:
        """Until the end of this test, failed connections logged by Chromium are fine."""
        self._tolerate = True

    def take_problems(self) -> list[str]:
        if self.page.is_closed():
            problems = self.problems
        else:
            banners = self.page.locator(".py-error").count()
            problems = self.problems + ([f"{banners} .py-error banner(s)"] if banners else [])
        self.problems, self._tolerate = [], False
        return problems

    # --- Driving the page --------------------------------------------------------------

    def load(self) -> ChatPage:
        self.page.goto(self.directus.page_url + "/")
        return self

    def wait_ready(self) -> ChatPage:
        """Python runs: the page leaves data-phase "loading" (signed out, or resuming)."""
        expect(self.page.locator("html")).not_to_have_attribute("data-phase", "loading",
                                                                 timeout=READY_MS)
        return self

    def expect_phase(self, phase: str, timeout: int = LIVE_MS) -> None:
        expect(self.page.locator("html")).to_have_attribute("data-phase", phase,
                                                            timeout=timeout)

    def fill_sign_in(self, name: str, *, password: str | None = None,
                     remember: bool = False) -> None:
        email, right_password = self.directus.users[name]
        self.page.fill("#email", email)
        self.page.fill("#password", password if password is not None else right_password)
        self.page.set_checked("#remember", remember)
        self.page.click("#sign-in-button")

    def sign_in(self, name: str, *, remember: bool = False) -> None:
        self.expect_phase("signed-out", READY_MS)
        self.fill_sign_in(name, remember=remember)
        self.expect_phase("live")

    def send(self, text: str) -> None:
        self.page.fill("#draft", text)
        self.page.press("#draft", "Enter")

    def message(self, text: str):
        """The stored messages (not the outbox) whose text is exactly ``text``."""
        exactly = self.page.locator(".text", has_text=re.compile(f"^{re.escape(text)}$"))
        return self.page.locator("#days .msg").filter(has=exactly)

    def status(self):
        return self.page.locator("#status")


def open_chat(browser: Browser, directus, *, viewport: dict = DESKTOP,
              wait: bool = True, setup=None, init_script: str | None = None,
              permissions: list[str] | None = None,
              service_workers: str = "allow") -> ChatPage:
    """A new browser context (its own storage) with the chat page loaded; `setup` is
    called with the context first (to route requests, say), ``init_script`` runs before
    the page's own scripts, ``permissions`` are granted to it; ``service_workers="block"``
    keeps a reload from the service worker (whose requests `page.route` never sees)."""
    context = browser.new_context(viewport=viewport, permissions=permissions or [],
                                  service_workers=service_workers)
    if setup:
        setup(context)
    if init_script:
        context.add_init_script(init_script)
    chat = ChatPage(context.new_page(), directus).load()
    _open.append(chat)
    return chat.wait_ready() if wait else chat


def open_tab(chat: ChatPage, *, wait: bool = True) -> ChatPage:
    """Another tab of the same browser as ``chat`` (the same storage), the chat loaded.
    ``close_chat(chat)`` closes it too; ``close_tab`` closes only it."""
    tab = ChatPage(chat.page.context.new_page(), chat.directus).load()
    _open.append(tab)
    return tab.wait_ready() if wait else tab


def close_tab(tab: ChatPage) -> None:
    """Close one tab, as a user closes it; what went wrong on it is kept for `check_pages`."""
    _open.remove(tab)
    _closed.extend(_described(tab))
    tab.page.close(run_before_unload=False)


def close_chat(chat: ChatPage) -> None:
    """Close the page's context (its tabs too); what went wrong on them is kept for
    `check_pages`."""
    for tab in [t for t in _open if t.page.context is chat.page.context]:
        _open.remove(tab)
        _closed.extend(_described(tab))
    chat.page.context.close()


def check_pages() -> list[str]:
    """The problems of every page opened with `open_chat`, since the last call: those
    closed since, and those still open (which start afresh)."""
    problems = [*_closed, *(problem for chat in _open for problem in _described(chat))]
    _closed.clear()
    return problems


def _described(chat: ChatPage) -> list[str]:
    url = chat.page.url
    return [f"{url}: {problem}" for problem in chat.take_problems()]


# --- REST, as the demo users and the admin ---------------------------------------------


def rest(directus, method: str, path: str, body=None, token: str | None = None):
    request = urllib.request.Request(
        directus.url + path, method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json",
                 **({"Authorization": f"Bearer {token}"} if token else {})},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read()
    return json.loads(text) if text else None


def post_message(directus, name: str, *contents: str):
    """Create messages over REST as the demo user ``name``, in one request."""
    token = directus.login(name)["access_token"]
    body = [{"content": content} for content in contents]
    return rest(directus, "POST", "/items/messages", body, token)["data"]


def stored_count(directus, content: str) -> int:
    """How many stored messages have exactly this content (read as the admin)."""
    query = urllib.parse.urlencode({"filter": json.dumps({"content": {"_eq": content}}),
                                    "fields": "id", "limit": "-1"})
    return len(rest(directus, "GET", f"/items/messages?{query}",
                    token=directus.admin_token)["data"])

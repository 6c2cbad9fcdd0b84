"""The page's start-up: Python starts with the page's own configuration whatever the order
in which its files arrive, nothing asks another origin for code, and a start that fails
says so in the sign-in card with a Reload button.

Pages come from tests/e2e/startup_server.py (keep-alive, no-cache, files held back or
broken on purpose), each in a fresh browser context of the session's browser.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.startup_server import Plan, StartupServer

READY_MS = 90_000  # Pyodide alone takes seconds to start on a small machine
DELAY = 0.4  # seconds: enough for the other files to overtake the one held back
DELAYED = ("/static/dom.js", "/pyscript.toml", "/static/vendor/pyscript/core.js", "/main.py",
           "/static/pyodide-snapshot.mjs")
LOADS = 30
AT_ONCE = 3  # pages starting side by side, as when other pages are busy in the browser

# Python ready (it sets data-phase), a start-up problem shown, or a refused request.
SETTLED = """() => document.documentElement.dataset.phase !== "loading"
  || (window.__refused || []).length > 0
  || document.querySelector("#start-problem")?.childElementCount > 0"""
RECORD_REFUSED = """document.addEventListener("securitypolicyviolation",
  (event) => (window.__refused ||= []).push(event.blockedURI));"""


@dataclass
class Load:
    """One fresh page of the start-up server, and what it asked for beyond its origin."""
    page: Page
    origin: str
    foreign: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def settle(self) -> Load:
        self.page.wait_for_function(SETTLED, timeout=READY_MS)
        return self

    def problems(self) -> list[str]:
        """Why this load did not start cleanly (empty if it did)."""
        state = self.page.evaluate("""() => ({
            phase: document.documentElement.dataset.phase,
            refused: window.__refused || [],
            shown: document.querySelector("#start-problem")?.textContent || ""})""")
        problems = [f"request to another origin: {url}" for url in self.foreign]
        problems += [f"refused by the policy: {url}" for url in state["refused"]]
        problems += [f"uncaught error: {error}" for error in self.errors]
        if state["phase"] == "loading":
            problems.append("Python not ready")
        if state["shown"]:
            problems.append(f"start-up problem shown: {state['shown']}")
        return problems

    def close(self) -> None:
        self.page.context.close()


def open_page(browser: Browser, server: StartupServer) -> Load:
    """A new context with the page requested; it goes on loading in the background."""
    context = browser.new_context()
    context.add_init_script(RECORD_REFUSED)
    load = Load(context.new_page(), server.url)

    def on_request(request) -> None:
        if not request.url.startswith((load.origin + "/", "data:", "blob:")):
            load.foreign.append(request.url)

    load.page.on("request", on_request)
    load.page.on("pageerror", lambda error: load.errors.append(str(error)))
    load.page.goto(server.url + "/", wait_until="commit")
    return load


@pytest.fixture(scope="module")
def servers():
    """Start-up servers on demand, ``servers(plan)``; stopped after the module."""
    started = []

    def make(plan: Plan) -> StartupServer:
        server = StartupServer(plan)
        server.start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


def test_every_fresh_load_starts_python_from_its_own_config_whichever_file_comes_late(
        browser, servers):
    """30 fresh contexts, three at a time, each with one of the page's start-up files
    held back 400 ms: every one reaches Python ready, and none asks another origin."""
    late = [servers(Plan(delays={path: DELAY})) for path in DELAYED]
    failed = []
    for first in range(0, LOADS, AT_ONCE):
        batch = range(first, min(first + AT_ONCE, LOADS))
        loads = [open_page(browser, late[number % len(late)]) for number in batch]
        for number, load in zip(batch, loads, strict=True):
            if problems := load.settle().problems():
                failed.append(f"load {number} ({DELAYED[number % len(DELAYED)]} late): "
                              + "; ".join(problems))
            load.close()
    assert not failed, f"{len(failed)} of {LOADS} loads failed:\n" + "\n".join(failed)

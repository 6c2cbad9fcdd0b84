"""The page's start-up: Python starts with the page's own configuration whatever the order
in which its files arrive, nothing asks another origin for code, and a start that fails
says so in the sign-in card with a Reload button.

Pages come from tests/e2e/startup_server.py (keep-alive, no-cache, files held back or
broken on purpose), each in a fresh browser context of the session's browser.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.runtime import vendored
from tests.e2e.startup_server import Plan, StartupServer

READY_MS = 90_000  # Pyodide alone takes seconds to start on a small machine
DELAY = 0.4  # seconds: enough for the other files to overtake the one held back
CORE_JS, WASM = vendored("pyscript", "core.js"), vendored("pyodide", "pyodide.asm.wasm")
DELAYED = ("/static/dom.js", "/pyscript.toml", CORE_JS, "/main.py",
           "/static/pyodide-snapshot.mjs", "/static/vendor/runtime.json")
LOADS = 30
AT_ONCE = 5  # pages starting side by side, as when other pages are busy in the browser

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
    """30 fresh contexts, five at a time, each with one of the page's start-up files
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


def open_failing(browser, servers, plan: Plan) -> Load:
    return open_page(browser, servers(plan)).settle()


def expect_start_problem(load: Load, says: str, detail: str) -> None:
    """The sign-in card says why the app cannot start, announced, with a Reload button:
    the failure itself was caught, not left to the 30 s notice (another text)."""
    problem = load.page.locator("#start-problem")
    expect(problem).to_have_attribute("role", "alert")
    expect(problem.locator("p").first).to_contain_text(says)
    expect(problem.locator(".detail")).to_contain_text(detail)
    expect(problem.get_by_role("button", name="Reload")).to_be_visible()
    assert load.page.evaluate("document.documentElement.dataset.phase") == "loading"


LOAD_FAILED = "could not load all of its files"
START_ERROR = "hit an error while starting"


@pytest.mark.parametrize("path", [WASM, CORE_JS, "/static/vendor/runtime.json"])
def test_a_missing_runtime_file_shows_the_start_up_error_with_a_reload_button(
        browser, servers, path):
    load = open_failing(browser, servers, Plan(missing={path}))
    expect_start_problem(load, LOAD_FAILED, f"{path} answered HTTP 404")
    load.close()


@pytest.mark.parametrize("path, detail", [
    ("/static/dom.js", "/static/dom.js did not load"),  # a script element
    (CORE_JS, "Failed to fetch"),  # boot.js imports it
    ("/static/vendor/runtime.json", "Failed to fetch"),  # boot.js fetches it
    ("/chat/ui/view.py", "Failed to fetch"),  # PyScript fetches it
])
def test_a_file_whose_connection_drops_shows_the_start_up_error(browser, servers, path,
                                                                detail):
    load = open_failing(browser, servers, Plan(dropped={path}))
    expect_start_problem(load, LOAD_FAILED, detail)
    load.close()


def test_an_uncaught_error_at_start_shows_the_start_up_error(browser, servers):
    broken = b"throw new Error('dom.js failed on purpose');\n"
    load = open_failing(browser, servers, Plan(replaced={"/static/dom.js": broken}))
    expect_start_problem(load, START_ERROR, "dom.js failed on purpose")
    load.close()


@pytest.mark.parametrize("path, body, detail", [
    ("/main.py", b"raise RuntimeError('main.py failed on purpose')\n",
     "RuntimeError: main.py failed on purpose"),
    ("/chat/ui/view.py", b"def broken(:\n", "SyntaxError"),
])
def test_a_python_error_at_start_shows_the_start_up_error(browser, servers, path, body,
                                                          detail):
    load = open_failing(browser, servers, Plan(replaced={path: body}))
    expect_start_problem(load, START_ERROR, detail)
    load.close()


def test_a_request_the_policy_blocks_shows_the_start_up_error(browser, servers):
    """A config naming another origin for Pyodide: refused, and said so on the page."""
    cdn = "https://cdn.jsdelivr.net/pyodide/v314.0.2/full/pyodide.mjs"
    config = f'interpreter = "{cdn}"\n'.encode()
    load = open_failing(browser, servers, Plan(replaced={"/pyscript.toml": config}))
    expect_start_problem(load, "The browser blocked a file the chat needs", cdn)
    load.close()


def test_the_reload_button_is_focused_and_reloads_the_page_from_the_keyboard(browser,
                                                                              servers):
    server = servers(Plan(missing={CORE_JS}))
    load = open_page(browser, server).settle()
    reload = load.page.get_by_role("button", name="Reload")
    expect(reload).to_be_focused()  # nothing else had focus
    server.plan = Plan()  # the file is back
    load.page.keyboard.press("Enter")
    load.settle()
    assert load.problems() == []
    load.close()


def test_a_submit_held_before_a_failure_gives_way_to_the_error(browser, servers):
    """Typed in and submitted while the start is on its way, then the start fails: no
    "Starting…" left, focus stays in the form, a second submit goes to Reload."""
    load = open_page(browser, servers(Plan(delays={WASM: 1.5}, missing={WASM})))
    page = load.page
    page.wait_for_function("window.chatBoot !== undefined")  # the form holds submits
    page.fill("#email", "alice@example.com")
    page.fill("#password", "secret")
    page.press("#password", "Enter")
    expect(page.locator("#sign-in-status")).to_contain_text("Starting…")
    load.settle()
    expect_start_problem(load, LOAD_FAILED, WASM)
    expect(page.locator("#sign-in-status")).to_have_text("")
    expect(page.locator("#sign-in-button")).not_to_have_attribute("aria-busy", "true")
    expect(page.locator("#password")).to_be_focused()
    page.press("#password", "Enter")
    expect(page.get_by_role("button", name="Reload")).to_be_focused()
    load.close()


def test_a_start_taking_unusually_long_says_so_until_python_is_ready(browser, servers):
    """The last-resort notice (after 30 s: the page's clock is run forward) goes once
    Python is ready."""
    context = browser.new_context()
    page = context.new_page()
    page.clock.install()
    page.goto(servers(Plan()).url + "/", wait_until="commit")
    page.wait_for_function("window.chatBoot !== undefined")
    page.clock.fast_forward(31_000)
    problem = page.locator("#start-problem")
    expect(problem).to_contain_text("Starting is taking unusually long")
    expect(problem.get_by_role("button", name="Reload")).to_be_visible()
    expect(page.locator("html")).not_to_have_attribute("data-phase", "loading",
                                                       timeout=READY_MS)
    expect(problem).to_be_empty()
    context.close()

"""The after-test checks of tests/e2e/conftest.py bite: a chat page that logs a console
error, requests another origin or shows PyScript's `.py-error` banner fails its test,
whether the page is still open at the end or was closed during the test.

The failing tests are generated into tests/e2e and run there by a pytest in a subprocess,
so the real conftest files are loaded as in any run; their page server's Directus is
never reached.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

TESTS = '''
import pytest

from tests.e2e.pages import close_chat, open_chat
from server.static_server import StaticServer

# The page is configured for this Directus, but the tests say theirs is elsewhere, so
# the page requesting it is a request to a foreign origin.
CONFIGURED = "http://127.0.0.1:9"


class Elsewhere:
    users = {}

    def __init__(self, page_url):
        self.page_url, self.url = page_url, "http://127.0.0.1:10"


@pytest.fixture(scope="module")
def site():
    server = StaticServer(config={"directus_url": CONFIGURED})
    server.start()
    yield Elsewhere(server.url)
    server.stop()


@pytest.fixture(scope="module")
def chat(browser, site):
    chat = open_chat(browser, site)
    yield chat
    close_chat(chat)


def test_quiet_page_passes(chat):
    pass


def test_console_error(chat):
    chat.page.evaluate("console.error('boom from the test')")


def test_foreign_origin(chat):
    chat.tolerate_network_errors()  # nothing answers there: only the origin should count
    with chat.page.expect_request(CONFIGURED + "/server/ping"):
        chat.page.evaluate("fetch('%s/server/ping').catch(() => {})" % CONFIGURED)


def test_python_error_banner(browser, site):
    # A page of its own, closed here: the banner would stay on a shared page.
    own = open_chat(browser, site)
    own.page.evaluate("""() => {
      const script = document.createElement("script");
      script.type = "py";
      script.textContent = "raise RuntimeError('boom from Python')";
      document.body.append(script);
    }""")
    own.page.locator(".py-error").wait_for()
    close_chat(own)


def test_console_error_on_a_page_closed_in_the_test(browser, site):
    own = open_chat(browser, site, wait=False)
    own.page.evaluate("console.error('boom before closing')")
    close_chat(own)
'''


def run_generated(tmp_path: Path) -> dict[str, str]:
    """Runs TESTS as a module of tests/e2e, as the suite runs its own (same conftest files,
    same import of conftest.py); returns their outcomes by name ("passed" or the failure)."""
    module = Path(__file__).with_name(f"_generated_{uuid.uuid4().hex[:8]}.py")
    module.write_text(textwrap.dedent(TESTS))
    report = tmp_path / "report.xml"
    try:
        # A path given on the command line is collected although its name is no test_*.py
        # (so that no other run collects it).
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q",
             f"--junitxml={report}", str(module)],
            cwd=ROOT, capture_output=True, text=True, timeout=600)
    finally:
        module.unlink()
    assert report.exists(), result.stdout + result.stderr
    outcomes: dict[str, str] = {}
    for case in ET.parse(report).iter("testcase"):
        failures = [f"{e.get('message')} {e.text}" for e in case if e.tag in ("error", "failure")]
        outcomes[case.get("name").removesuffix("[chromium]")] = " ".join(failures) or "passed"
    return outcomes


def test_console_errors_foreign_origins_and_python_errors_fail_their_test(tmp_path):
    outcomes = run_generated(tmp_path)
    assert len(outcomes) == 5
    assert outcomes["test_quiet_page_passes"] == "passed"
    assert "console error: boom from the test" in outcomes["test_console_error"]
    assert ("request to another origin: http://127.0.0.1:9/server/ping"
            in outcomes["test_foreign_origin"])
    assert "console error" not in outcomes["test_foreign_origin"]
    assert ".py-error banner" in outcomes["test_python_error_banner"]
    assert ("console error: boom before closing"
            in outcomes["test_console_error_on_a_page_closed_in_the_test"])

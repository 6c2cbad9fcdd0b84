"""The page, served by the app's static server, starts Python from local files only."""

from __future__ import annotations

from urllib.parse import urlparse

from playwright.sync_api import Page, expect

from tests.e2e.runtime import vendored

LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def test_page_loads_pyodide_and_pyscript_locally_and_shows_the_sign_in_form(
        page: Page, page_server):
    """... and Python starts from the snapshot (a snapshot that fails to load would only
    make the start slower, with a warning)."""
    requested, errors, warnings = [], [], []
    page.on("request", lambda request: requested.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "warning"
            and warnings.append(message.text))

    page.goto(page_server.url + "/")
    # Python sets data-phase once it runs; Pyodide alone takes several seconds to start.
    page.wait_for_function("document.documentElement.dataset.phase !== 'loading'",
                           timeout=120_000)

    assert page.locator("html").get_attribute("data-phase") == "signed-out"
    expect(page.locator("form#sign-in-form")).to_be_visible()
    expect(page.locator("#email")).to_be_visible()
    expect(page.locator("#password")).to_be_visible()
    expect(page.locator(".py-error")).to_have_count(0)
    assert errors == []
    assert not [text for text in warnings if "snapshot" in text], warnings

    leaving = [url for url in requested
               if urlparse(url).scheme in ("http", "https", "ws", "wss")
               and urlparse(url).hostname not in LOCAL_HOSTS]
    assert leaving == []
    for runtime in (vendored("pyscript", "core.js"), vendored("pyodide", "pyodide.asm.wasm"),
                    vendored("stdlib"), vendored("snapshot")):
        assert page_server.url + runtime in requested, runtime

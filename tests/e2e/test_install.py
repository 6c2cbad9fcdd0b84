"""The chat can be installed as an app: Chromium finds nothing missing for it (its
DevTools' installability check, which a browser profile of its own needs: a fresh
Playwright context is incognito, where nothing installs)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.pages import READY_MS
from tools import chromium

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def profile(playwright, tmp_path):
    """A browser of its own on a new profile (so no service worker from another test
    answers for the page)."""
    context = playwright.chromium.launch_persistent_context(
        tmp_path, executable_path=chromium.find(), args=chromium.LAUNCH_FLAGS, headless=True)
    yield context
    context.close()


def installability(context, url: str) -> list[str]:
    page = context.new_page()
    try:
        page.goto(url)
        expect(page.locator("html")).not_to_have_attribute("data-phase", "loading",
                                                           timeout=READY_MS)
        cdp = context.new_cdp_session(page)
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        return [error["errorId"] for error in errors]
    finally:
        page.close()


def test_the_page_can_be_installed_as_an_app(profile, page_server):
    assert installability(profile, page_server.url + "/") == []


def test_a_manifest_without_its_icons_could_not_be_installed(profile, page_server):
    """The check above can fail: the same page with the icons left out of the manifest."""
    manifest = json.loads((ROOT / "static" / "manifest.webmanifest").read_text())
    manifest["icons"] = []
    profile.route("**/static/manifest.webmanifest", lambda route: route.fulfill(
        body=json.dumps(manifest), content_type="application/manifest+json"))
    assert "manifest-missing-suitable-icon" in installability(profile, page_server.url + "/")

"""The page runs on the trimmed standard library alone (tools/stdlib.py): with the
snapshot bypassed, Python imports everything from the zip, and a zip missing a module
the page needs fails visibly (so this check can fail)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.pages import READY_MS, close_chat, open_chat
from tests.e2e.runtime import runtime, vendored

ROOT = Path(__file__).resolve().parents[2]


def without_snapshot(context) -> None:
    context.route(f"**{vendored('snapshot')}", lambda route: route.fulfill(status=404))


def test_without_the_snapshot_the_page_starts_signs_in_and_sends_from_the_trimmed_zip(
        browser, directus):
    warnings = []
    chat = open_chat(browser, directus, wait=False, setup=without_snapshot)
    chat.page.on("console", lambda m: m.type == "warning" and warnings.append(m.text))
    chat.tolerate_network_errors()  # the snapshot's 404
    chat.wait_ready()
    assert any("without a snapshot" in text for text in warnings), warnings
    chat.sign_in("alice")
    chat.send("sent on the trimmed standard library")
    expect(chat.message("sent on the trimmed standard library")).to_have_count(1)
    close_chat(chat)


def test_a_zip_missing_a_module_the_page_imports_stops_the_start_and_says_so(
        browser, directus):
    trimmed = (ROOT / "static" / "vendor" / runtime()["stdlib"]).read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(trimmed)) as source, \
            zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename != "uuid.py":  # chat/browser.py imports it
                target.writestr(info, source.read(info))
    context = browser.new_context()
    without_snapshot(context)
    context.route(f"**{vendored('stdlib')}", lambda route: route.fulfill(
        body=out.getvalue(), content_type="application/zip"))
    page = context.new_page()
    page.goto(directus.page_url + "/")
    problem = page.locator("#start-problem")
    expect(problem).to_contain_text("ModuleNotFoundError", timeout=READY_MS)
    expect(problem).to_contain_text("uuid")
    context.close()

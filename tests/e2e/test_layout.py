"""The page fits a desktop and a 375 px phone; screenshots of both views for the docs.

Screenshots go to test-results/screenshots/, or to the folder in $SCREENSHOTS:
    SCREENSHOTS=docs .venv/bin/pytest tests/e2e/test_layout.py     # refresh the README's
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.pages import DESKTOP, PHONE, close_chat, open_chat, post_message

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / os.environ.get("SCREENSHOTS", "test-results/screenshots")

YESTERDAY = [
    ("carol", "Morning all! The planning call moved to 10:30 tomorrow."),
    ("bob", "Works for me. I'll bring the numbers from last week."),
]
TODAY = [
    ("alice", "Has anyone tried the new realtime dashboard yet?"),
    ("bob", "Yes, messages show up instantly, even after my laptop went to sleep."),
    ("carol", "Nice. Let's demo it on Friday.\nI'll book the room."),
]


def seed(directus) -> None:
    for name, text in YESTERDAY + TODAY:
        post_message(directus, name, text)
    # Move the first messages to yesterday afternoon, straight in the database
    # (Directus always sets date_created itself).
    noon = time.mktime(time.localtime()[:3] + (12, 0, 0, 0, 0, -1))
    with sqlite3.connect(directus.db_file) as db:
        for minutes, (_, text) in enumerate(YESTERDAY):
            db.execute("UPDATE messages SET date_created = ? WHERE content = ?",
                       (int((noon - 20 * 3600 + 7 * 60 * minutes) * 1000), text))


def test_sign_in_and_chat_fit_a_desktop_and_a_phone(browser, directus_factory):
    directus = directus_factory()  # its own, so the screenshots show only this conversation
    seed(directus)
    OUT.mkdir(parents=True, exist_ok=True)
    pages = {size: open_chat(browser, directus, viewport=viewport, wait=False)
             for size, viewport in (("desktop", DESKTOP), ("phone", PHONE))}
    try:
        for size, chat in pages.items():
            page, viewport = chat.page, page_size(chat)
            chat.wait_ready()
            page.fill("#email", directus.users["alice"][0])
            page.locator("#email").blur()
            page.screenshot(path=OUT / f"sign-in-{size}.png")
            assert_fits(page, viewport)

            chat.sign_in("alice")
            expect(page.locator("#days .msg")).to_have_count(len(YESTERDAY + TODAY))
            expect(page.locator("#days .day-label")).to_have_text(["Yesterday", "Today"])
            page.fill("#draft", "Sounds good, see you there!")
            page.screenshot(path=OUT / f"chat-{size}.png")
            assert_fits(page, viewport)
            for control in ("#draft", "#sign-out", "#composer .send", "#status"):
                expect(page.locator(control)).to_be_in_viewport()
    finally:
        for chat in pages.values():
            close_chat(chat)


def page_size(chat) -> dict:
    return chat.page.viewport_size


def assert_fits(page, viewport: dict) -> None:
    """Nothing wider than the screen: no sideways scrolling."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"page is {width} px wide"

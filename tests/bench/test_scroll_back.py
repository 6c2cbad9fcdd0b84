"""bench/run.py's scroll_back counts a message missing only if the client cannot show it.

A windowed client (like ours) may skip drawing some messages of a burst while it keeps
up with the newest, and bring them back only when the reader scrolls up. These tests use
a small stand-in page, no Directus and no Pyodide: a list that shows its newest 200
messages and, scrolled to its top, draws 100 older ones and keeps the reader's place.
"""

from __future__ import annotations

import json

import pytest

from bench.run import PROBE, scroll_back

COUNT, WINDOW, PAGE = 1000, 200, 100
HOLE = range(2, 24)  # never drawn during the "burst": far older than the last window

PAGE_HTML = """<!doctype html>
<div id="messages" style="height: 300px; overflow-y: auto"></div>
<script>
  const [count, window_, page, hole, backfill] = %s;
  const list = document.getElementById("messages");
  const row = (i) => {
    const node = document.createElement("p");
    node.style.cssText = "height: 30px; margin: 0";
    node.textContent = `#mt-${i}# message ${i}`;
    return node;
  };
  // The burst: every message drawn once except the hole, then only the newest kept.
  for (let i = 0; i < count; i++) if (!hole.includes(i)) list.append(row(i));
  while (list.children.length > window_) list.firstChild.remove();
  let oldest = count - window_;
  list.scrollTop = list.scrollHeight;
  list.addEventListener("scroll", () => {
    if (!backfill || list.scrollTop > 100 || oldest === 0) return;
    const from = Math.max(0, oldest - page);
    const before = list.scrollHeight;
    list.prepend(...Array.from({ length: oldest - from }, (_, k) => row(from + k)));
    list.scrollTop += list.scrollHeight - before;
    oldest = from;
  });
</script>
"""


def open_list(browser, *, backfill: bool):
    context = browser.new_context()
    context.add_init_script(PROBE)
    page = context.new_page()
    html = PAGE_HTML % json.dumps([COUNT, WINDOW, PAGE, list(HOLE), backfill])
    page.route("http://bench.test/", lambda route: route.fulfill(body=html,
                                                                 content_type="text/html"))
    page.goto("http://bench.test/")
    page.wait_for_function(f"(window.__bench.counts.t || 0) === {COUNT - len(HOLE)}")
    return page


@pytest.mark.parametrize("backfill", [True, False], ids=["scrolls-back", "newest-only"])
def test_scroll_back_finds_messages_a_window_skipped_far_back_and_only_those(
        browser, backfill):
    """Scrolling up first shows 700 messages that were drawn already, then the 22 never
    drawn: they count as shown. A client that cannot bring them back has them missing."""
    page = open_list(browser, backfill=backfill)
    try:
        assert scroll_back(page, "t", COUNT) == (COUNT if backfill else COUNT - len(HOLE))
    finally:
        page.context.close()

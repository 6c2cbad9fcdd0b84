"""HTTP caching without the service worker (blocked here: a browser that has none, or
a first visit): the next visit asks again for the page's own files (conditionally: 304s
when unchanged) and so runs a deployed change at once, and takes the runtime, named by
content, from the cache without asking."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.pages import READY_MS
from tests.e2e.runtime import runtime
from tests.e2e.startup_server import Plan, StartupServer

ROOT = Path(__file__).resolve().parents[2]


def test_the_next_visit_revalidates_the_page_s_files_and_keeps_the_runtime(browser):
    server = StartupServer()
    server.start()
    context = browser.new_context(service_workers="block")
    try:
        page = context.new_page()
        page.goto(server.url + "/")
        ready = page.locator("html:not([data-phase='loading'])")
        expect(ready).to_have_count(1, timeout=READY_MS)
        view = (ROOT / "chat" / "ui" / "view.py").read_bytes()
        server.plan = Plan(replaced={"/chat/ui/view.py": view + b"\nimport js as _js\n"
                                     b"_js.document.documentElement.dataset.deployed = '2'\n"})
        del server.asked[:]

        page.reload()
        expect(ready).to_have_count(1, timeout=READY_MS)
        expect(page.locator("html[data-deployed='2']")).to_have_count(1)
        asked = dict(server.asked)
        vendor = [path for path in asked if path.startswith("/static/vendor/")]
        assert vendor == ["/static/vendor/runtime.json"]  # the rest came from the cache
        assert asked["/static/vendor/runtime.json"] and asked["/"]  # conditional requests
        for name in runtime()["app"]:
            if name.endswith(".py") and name != "chat/ui/view.py":
                assert asked.get("/" + name) is True, name
    finally:
        context.close()
        server.stop()

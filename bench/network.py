"""The page over emulated connections: a first visit and a repeat visit, per profile.

Each visit is a real browser start on a browser profile of its own (a persistent
user-data-dir): the first on an empty profile, the repeat one after the browser was
closed and started again on the same profile ("the next day": caches kept, memory not).
The connection is emulated by Chromium (DevTools' Network.emulateNetworkConditions, on the
page: what the page itself fetches; a service worker's own fetches are not throttled).
No CPU throttling: the machine is what it is.

In each visit the email field gets a character as soon as it takes one (form usable),
the form is then filled and submitted at once; the figures stop when the newest 100
messages are on screen. The visit goes on a little (DWELL_MS, and until a service worker
the page registered is active) before the browser is closed. Bytes on the wire are
counted where they are sent: the page server counts what it writes (status line,
headers, body; also what a service worker fetches), up to the messages shown and by the
end of the visit; the page's DevTools count what Directus sent it (REST bodies and
socket frames).
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from server.provision import DEMO_USERS
from tools import chromium


@dataclass(frozen=True)
class Profile:
    name: str
    down_mbps: float = 0  # 0: not emulated (localhost)
    up_mbps: float = 0
    rtt_ms: float = 0

    def conditions(self) -> dict | None:
        if not self.down_mbps:
            return None
        return {"offline": False, "latency": self.rtt_ms,
                "downloadThroughput": self.down_mbps * 1e6 / 8,
                "uploadThroughput": self.up_mbps * 1e6 / 8}


PROFILES = (
    Profile("localhost"),
    Profile("broadband", down_mbps=50, up_mbps=10, rtt_ms=20),
    Profile("mobile", down_mbps=10, up_mbps=5, rtt_ms=70),
)
PROBE = (Path(__file__).parent / "probe.js").read_text()
READY_MS = 180_000  # a first visit on the mobile profile once took ~40 s
DWELL_MS = 2000  # stay on the page after the messages are in, as a person would


class Tally:
    """Bytes a page server wrote since `reset()`, and to which paths."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.bytes = 0
            self.paths: dict[str, int] = {}

    def add(self, path: str, count: int) -> None:
        with self.lock:
            self.bytes += count
            self.paths[path] = self.paths.get(path, 0) + count


def count_bytes(server) -> Tally:
    """From now on, `server` (a server.static_server.StaticServer) counts what it sends."""
    tally = Tally()
    base = server.httpd.RequestHandlerClass

    class Writer:
        def __init__(self, handler, stream):
            self.handler, self.stream = handler, stream

        def write(self, data):
            tally.add(self.handler.path.split("?")[0], len(data))
            return self.stream.write(data)

        def __getattr__(self, name):
            return getattr(self.stream, name)

    class Counting(base):
        def setup(self):
            super().setup()
            self.wfile = Writer(self, self.wfile)

    server.httpd.RequestHandlerClass = Counting
    return tally


class DirectusBytes:
    """What Directus sent one page, from its DevTools: response bodies and socket frames."""

    def __init__(self, cdp, directus_url: str) -> None:
        self.origin = _origin(directus_url)
        self.urls: dict[str, str] = {}
        self.bytes = 0
        cdp.on("Network.requestWillBeSent", self._request)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.webSocketFrameReceived", self._frame)

    def _request(self, event) -> None:
        self.urls[event["requestId"]] = event["request"]["url"]

    def _finished(self, event) -> None:
        if _origin(self.urls.get(event["requestId"], "")) == self.origin:
            self.bytes += event["encodedDataLength"]

    def _frame(self, event) -> None:
        self.bytes += len(event["response"]["payloadData"].encode())


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{ {'ws': 'http', 'wss': 'https'}.get(parts.scheme, parts.scheme)}://{parts.netloc}"


def measure(bench, client, rep: int) -> None:
    """Figure 7: a first and a repeat visit of `client` on every profile."""
    for profile in PROFILES:
        if profile.name not in bench.options.profiles:
            continue
        folder = Path(tempfile.mkdtemp(prefix="chat-bench-profile-"))
        try:
            for visit in ("first", "repeat"):
                figure = f"{profile.name}, {visit} visit"
                outcome = one_visit(bench, client, profile, folder)
                for metric, value in outcome.items():
                    bench.record(figure, metric, client, value)
                largest = sorted(bench.tally.paths.items(), key=lambda item: -item[1])[:4]
                print(f"  {figure}: " + ", ".join(f"{k.split(' (')[0]} {v:.0f}"
                                                 for k, v in outcome.items())
                      + "; largest: " + ", ".join(f"{path} {size / 1e3:.0f} kB"
                                                 for path, size in largest), flush=True)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def one_visit(bench, client, profile: Profile, folder: Path) -> dict[str, float]:
    context = bench.playwright.chromium.launch_persistent_context(
        folder, executable_path=chromium.find(), args=chromium.LAUNCH_FLAGS, headless=True)
    try:
        context.add_init_script(PROBE)
        page = context.pages[0] if context.pages else context.new_page()
        page.on("pageerror", lambda error: bench.problem(client, f"uncaught error: {error}"))
        page.on("console", lambda m: m.type == "error" and bench.problem(client, m.text))
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        directus = DirectusBytes(cdp, bench.api.host.geturl())
        if profile.conditions():
            cdp.send("Network.emulateNetworkConditions", profile.conditions())
        email, password, _ = DEMO_USERS["bob"]
        expected = bench.api.newest_markers()
        bench.tally.reset()
        page.goto(bench.page_url + client.path, wait_until="commit")
        page.locator("#email").press_sequentially("a")
        page.fill("#email", email)
        page.fill("#password", password)
        page.click("#sign-in-button")
        page.wait_for_function("keys => keys.every(k => window.__bench.seen.has(k))",
                               arg=expected, polling=100, timeout=READY_MS)
        if client.python:
            page.wait_for_function("window.__bench.ready", timeout=READY_MS)
        b = page.evaluate("keys => { const B = window.__bench; return {input: B.firstInput,"
                          " ready: B.ready, submit: B.submit, origin: B.origin,"
                          " shown: Math.max(...keys.map(k => B.seen.get(k)))}; }", expected)
        page_bytes = bench.tally.bytes
        settle(page)
        result = {
            "page's files on the wire (kB)": page_bytes / 1000,
            "... and by the end of the visit (kB)": bench.tally.bytes / 1000,
            "Directus on the wire (kB)": directus.bytes / 1000,
            "navigation -> form usable (ms)": b["input"] - b["origin"],
            "submit -> 100 messages shown (ms)": b["shown"] - b["submit"],
            "navigation -> 100 messages shown (ms)": b["shown"] - b["origin"],
        }
        if client.python:
            result["navigation -> Python ready (ms)"] = b["ready"] - b["origin"]
        return result
    finally:
        context.close()


def settle(page) -> None:
    """Let the visit finish what a person's visit would: a little time on the page, and a
    service worker the page registered installed and active (or given up on)."""
    page.wait_for_timeout(DWELL_MS)
    page.evaluate("""async () => {
        const registration = await navigator.serviceWorker?.getRegistration();
        const waited = new Promise((resolve) => setTimeout(resolve, 60000));
        if (registration) await Promise.race([navigator.serviceWorker.ready, waited]);
    }""")

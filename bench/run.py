"""`make bench`: the app against a plain-JS floor and a Python floor, in one run.

    python -m bench.run                         # everything, 5 repetitions
    python -m bench.run --reps 1 --figures startup,latency --latency-messages 20

One run starts one Directus (a fresh SQLite database) and one Chromium, and measures
three clients side by side, alternating (ours, reference, python-hello, ours, ...):

- ours: the app (index.html);
- reference: bench/reference/, the same protocol in plain JavaScript, the floor for
  what a browser can do;
- python-hello: bench/python-hello/, the app's PyScript + Pyodide printing "ready",
  the floor for Python start-up.

The network figure (bench/network.py) visits the page twice per emulated connection
profile, each time in a browser started afresh on a profile of its own.

Every page gets bench/probe.js first; it records times in the page (see there), so the
runner's own polling never adds to a figure. Results go to build/bench.json and a
Markdown table on stdout; docs/PERFORMANCE.md says what each figure means.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

from bench import network, scrollback
from server.local import DirectusServer, SetupError, bootstrap, ensure_directus, free_port
from server.provision import DEMO_USERS
from server.static_server import StaticServer
from tools import chromium

ROOT = Path(__file__).resolve().parent.parent
PROBE = (ROOT / "bench" / "probe.js").read_text()
RESULTS = ROOT / "build" / "bench.json"
PYTHON_START = 120_000  # ms: a cold Pyodide start on a loaded 2-core machine stays well below
MEMORY_BATCH = 1000  # messages per batch create while filling the memory figure
STALL = 30.0  # s without a new message on screen before the rest count as missing
SETTLE = 1.0  # s without a new message on screen once all frames arrived


@dataclass(frozen=True)
class Client:
    name: str
    path: str
    code: str  # one letter for message markers
    chat: bool = True  # has the sign-in form and the chat
    python: bool = False


OURS = Client("ours", "/index.html", "o", python=True)
REFERENCE = Client("reference", "/bench/reference/index.html", "r")
HELLO = Client("python-hello", "/bench/python-hello/index.html", "h", chat=False, python=True)
CLIENTS = (OURS, REFERENCE, HELLO)


@dataclass
class Options:
    reps: int = 5
    figures: tuple[str, ...] = ("startup", "network", "history", "latency", "burst", "memory",
                                "scrollback", "search")
    latency_messages: int = 200
    burst_messages: int = 1000
    memory_messages: int = 10_000
    history_messages: int = 5000  # the history scrolled back through and searched
    clients: tuple[str, ...] = tuple(c.name for c in CLIENTS)
    profiles: tuple[str, ...] = tuple(p.name for p in network.PROFILES)


# --- Directus over REST, as the third user -----------------------------------------


class TokenExpired(Exception):
    pass


class Api:
    """REST calls with one user's token, on one keep-alive connection per thread."""

    def __init__(self, url: str, email: str, password: str):
        self.host = urllib.parse.urlsplit(url)
        self.local = threading.local()
        self.credentials = {"email": email, "password": password}
        self.login()

    def login(self) -> None:
        self.token = ""
        self.token = self.call("POST", "/auth/login", self.credentials)["access_token"]

    def call(self, method: str, path: str, body=None):
        try:
            return self._call(method, path, body)
        except TokenExpired:  # access tokens last 15 min; a whole run takes longer
            self.login()
            return self._call(method, path, body)

    def _call(self, method: str, path: str, body=None):
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        conn = getattr(self.local, "conn", None)
        try:
            if conn is None:
                raise ConnectionError
            conn.request(method, path, None if body is None else json.dumps(body), headers)
            response = conn.getresponse()
        except ConnectionError:
            # Node closes idle keep-alive connections after 5 s: open a new one.
            conn = self.local.conn = http.client.HTTPConnection(
                self.host.hostname, self.host.port, timeout=300)
            conn.request(method, path, None if body is None else json.dumps(body), headers)
            response = conn.getresponse()
        data = response.read()
        if response.status == 401 and b"TOKEN_EXPIRED" in data:
            raise TokenExpired
        if response.status >= 300:
            raise RuntimeError(f"{method} {path}: HTTP {response.status} {data[:300]!r}")
        return json.loads(data)["data"] if data else None

    def create(self, contents: list[str]) -> None:
        """All in one batch request: the fastest way to make the server emit them."""
        self.call("POST", "/items/messages", [{"content": c} for c in contents])

    def create_singly(self, contents: list[str], workers: int = 4) -> None:
        """One request per message, `workers` at a time: as fast as the server takes them."""
        queue = iter(contents)
        lock = threading.Lock()

        def work():
            while True:
                with lock:
                    content = next(queue, None)
                if content is None:
                    return
                self.call("POST", "/items/messages", {"content": content})

        threads = [threading.Thread(target=work) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def newest_markers(self, count: int = 100) -> list[str]:
        rows = self.call("GET", f"/items/messages?sort=-date_created,-id&limit={count}"
                                "&fields=content")
        return [m for row in rows for m in re.findall(r"#m([a-z0-9]+-\d+)#", row["content"])]


def contents(tag: str, count: int, text: str = "a message in a burst") -> list[str]:
    return [f"#m{tag}-{i}# {text} {i}" for i in range(count)]


# --- One page --------------------------------------------------------------------------


def page_time(page: Page, expression: str):
    return page.evaluate(f"() => {{ const B = window.__bench; return {expression}; }}")


@dataclass
class Bench:
    browser: Browser
    page_url: str
    api: Api
    options: Options
    playwright: object = None  # for the network figure: it starts browsers of its own
    tally: network.Tally | None = None  # what the page server sent
    results: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # errors the pages reported

    def record(self, figure: str, metric: str, client: Client, value) -> None:
        self.results.setdefault(figure, {}).setdefault(metric, {}).setdefault(
            client.name, []).append(value)

    def open(self, client: Client) -> Page:
        context = self.browser.new_context()
        context.add_init_script(PROBE)
        page = context.new_page()
        page.on("pageerror", lambda error: self.problem(client, f"uncaught error: {error}"))
        page.on("console", lambda m: m.type == "error" and self.problem(client, m.text))
        return page

    def problem(self, client: Client, text: str) -> None:
        self.problems.append(f"{client.name}: {text[:300]}")
        print(f"  {self.problems[-1]}", flush=True)

    def sign_in(self, page: Page, client: Client, user: str) -> float:
        """Sign in and wait for the newest 100 messages on screen; returns submit -> shown."""
        page.goto(self.page_url + client.path)
        if client.python:
            page.wait_for_function("window.__bench.ready", timeout=PYTHON_START)
        email, password, _ = DEMO_USERS[user]
        page.fill("#email", email)
        page.fill("#password", password)
        expected = self.api.newest_markers()
        page.click("#sign-in-button")
        page.wait_for_function("keys => keys.every(k => window.__bench.seen.has(k))",
                               arg=expected, polling=100, timeout=60_000)
        page.wait_for_selector("#draft", state="visible")
        return page.evaluate("keys => Math.max(...keys.map(k => window.__bench.seen.get(k)))"
                             " - window.__bench.submit", expected)

    # --- Figures 1 and 2: start-up ---------------------------------------------------

    def startup(self, client: Client, rep: int) -> None:
        page = self.open(client)
        for cache in ("cold", "warm"):
            page.goto(self.page_url + client.path, wait_until="commit")
            if client.chat:
                page.locator("#email").press_sequentially("a")
            if client.python:
                page.wait_for_function("window.__bench.ready", timeout=PYTHON_START)
            else:
                page.wait_for_load_state("load")
            b = page_time(page, "({input: B.firstInput, ready: B.ready, pyReady: B.pyReady,"
                                " origin: B.origin})")
            if client.chat:
                self.record("navigation -> form usable (ms)", cache, client,
                            b["input"] - b["origin"])
            if client.python:
                self.record("navigation -> Python ready (ms)", cache, client,
                            b["ready"] - b["origin"])
                self.record("navigation -> interpreter up, py:ready (ms)", cache, client,
                            b["pyReady"] - b["origin"])
        page.context.close()

    # --- Figure 7: first and repeat visits over emulated connections -------------------

    def network(self, client: Client, rep: int) -> None:
        network.measure(self, client, rep)

    # --- Figure 3: sign-in submit -> history ------------------------------------------

    def history(self, client: Client, rep: int) -> None:
        page = self.open(client)
        self.record("sign-in submit -> 100 messages shown (ms)", "", client,
                    self.sign_in(page, client, "bob"))
        page.context.close()

    # --- Figure 4: latency through the UIs --------------------------------------------

    def latency(self, client: Client, rep: int) -> None:
        alice, bob = self.open(client), self.open(client)
        self.sign_in(alice, client, "alice")
        self.sign_in(bob, client, "bob")
        tag = f"lat{rep}{client.code}"
        bob.evaluate("window.__bench.watchFrames = true")
        delays, parts = [], []
        for i, content in enumerate(contents(tag, self.options.latency_messages,
                                             "hello from Alice")):
            key = f"{tag}-{i}"
            alice.fill("#draft", content)
            alice.click("#composer button[type=submit]")
            bob.wait_for_function("key => window.__bench.seen.has(key)", arg=key,
                                  polling=20, timeout=30_000)
            a = page_time(alice, "({click: B.click, sent: B.sent})")
            b = bob.evaluate("key => [window.__bench.frameAt.get(key),"
                             " window.__bench.seen.get(key)]", key)
            delays.append(b[1] - a["click"])
            parts.append((a["sent"] - a["click"], b[0] - a["sent"], b[1] - b[0]))
        delays.sort()
        figure = "Alice's send click -> in Bob's DOM (ms)"
        for name, value in (("p50", statistics.median(delays)),
                            ("p95", delays[round(0.95 * (len(delays) - 1))]),
                            ("max", delays[-1])):
            self.record(figure, name, client, value)
        # Where the median goes: Alice's page, server and network, Bob's page.
        names = ("p50 of Alice: click -> frame sent",
                 "p50 of server: sent -> Bob's page has the frame",
                 "p50 of Bob: frame -> in the DOM")
        for name, values in zip(names, zip(*parts, strict=True), strict=True):
            self.record(figure, name, client, statistics.median(values))
        alice.context.close()
        bob.context.close()

    # --- Figure 5: bursts ---------------------------------------------------------------

    def burst(self, client: Client, rep: int) -> None:
        for shape, create in (("batch", self.api.create), ("singly", self.api.create_singly)):
            page = self.open(client)
            self.sign_in(page, client, "bob")
            figure = f"burst of {self.options.burst_messages:,}, {shape}"
            tag = f"b{shape[0]}{rep}{client.code}"
            outcome = self.receive(page, tag, self.options.burst_messages, create)
            for metric, value in outcome.items():
                self.record(figure, metric, client, value)
            page.context.close()

    def receive(self, page: Page, tag: str, count: int,
                create: Callable[[list[str]], None]) -> dict:
        """Have Carol create `count` messages; measure how Bob's page takes them."""
        cdp = page.context.new_cdp_session(page)
        cdp.send("Performance.enable")
        cdp.send("Network.enable")
        before = metrics(cdp)
        start = page.evaluate("performance.timeOrigin + performance.now()")
        arrivals = deliver(page, cdp, tag, count, create)
        busy = metrics(cdp)["TaskDuration"] - before["TaskDuration"]
        b = page.evaluate("([tag, start]) => { const B = window.__bench; return {"
                          " last: B.lastSeen(tag) - B.origin,"
                          " longest: Math.max(0, ...B.longTasks.filter(t => t[0] >= start)"
                          ".map(t => t[1])), duplicates: B.duplicates(tag) }; }", [tag, start])
        cdp.detach()
        shown = scroll_back(page, tag, count)
        # Protocol timestamps -> ms since navigation, the page's performance.now().
        first, last = ((t - before["NavigationStart"]) * 1000
                       for t in (min(arrivals), max(arrivals)))
        return {
            "server sending (ms)": last - first,
            "last frame -> last shown (ms)": b["last"] - last,
            "main thread busy (ms)": busy * 1000,
            "longest task (ms)": b["longest"],
            "missing": count - shown,
            "duplicates": b["duplicates"],
        }

    # --- Figure 6: memory after many messages ------------------------------------------

    def memory(self, client: Client, rep: int) -> None:
        page = self.open(client)
        self.sign_in(page, client, "bob")
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        total = self.options.memory_messages
        batch = min(MEMORY_BATCH, total)
        checkpoints = {min(2 * batch, total), total}
        for done in range(batch, total + 1, batch):
            deliver(page, cdp, f"m{rep}{client.code}{done // batch}", batch, self.api.create)
            if done in checkpoints:
                cdp.send("HeapProfiler.collectGarbage")
                heap = cdp.send("Runtime.getHeapUsage")["usedSize"]
                b = page_time(page, "({wasm: B.wasmBytes(), nodes: B.domNodes()})")
                figure = f"after {total:,} messages"
                self.record(figure, f"JS heap at {done:,} (MB)", client, heap / 1e6)
                self.record(figure, f"wasm memory at {done:,} (MB)", client, b["wasm"] / 1e6)
                self.record(figure, f"DOM nodes at {done:,}", client, b["nodes"])
        cdp.detach()
        page.context.close()


    # --- Figures 8 and 9: scrollback and search (bench/scrollback.py) ----------------------

    def scrollback(self, client: Client, rep: int) -> None:
        scrollback.scrollback(self, client, rep)

    def search(self, client: Client, rep: int) -> None:
        scrollback.search(self, client, rep)


def deliver(page: Page, cdp, tag: str, count: int, create: Callable[[list[str]], None]
            ) -> list[float]:
    """Have Carol create `count` messages marked `tag`; return once every frame carrying
    them reached the browser (or none came for STALL s) and nothing new showed on Bob's
    page for SETTLE s. Returns when each frame reached the browser's network stack
    (protocol timestamps): a busy page sees frames later, and that delay counts."""
    arrivals: list[float] = []
    marker = f"#m{tag}-"

    def on_frame(event):
        arrivals.extend([event["timestamp"]] * event["response"]["payloadData"].count(marker))

    cdp.on("Network.webSocketFrameReceived", on_frame)
    failed: list[Exception] = []

    def work():
        try:
            create(contents(tag, count))
        except Exception as error:  # raised again below, in the runner's thread
            failed.append(error)

    creator = threading.Thread(target=work)
    creator.start()
    seen, changed = -1, time.monotonic()
    while True:
        now_seen = page.evaluate("tag => window.__bench.counts[tag] || 0", tag)
        if now_seen != seen:
            seen, changed = now_seen, time.monotonic()
        quiet = time.monotonic() - changed
        if seen >= count or (len(arrivals) >= count and quiet > SETTLE):
            break
        if not creator.is_alive() and quiet > STALL:
            break
        time.sleep(0.1)
    creator.join()
    cdp.remove_listener("Network.webSocketFrameReceived", on_frame)
    if failed:
        raise failed[0]
    return arrivals


def scroll_back(page: Page, tag: str, count: int) -> int:
    """Scroll Bob's list up until every message of `tag` was on screen, or scrolling brings
    no older message into the list (a client may keep only the newest in the DOM). Returns
    how many were seen. A client may skip drawing messages anywhere in a burst, so pages of
    messages seen already do not end the search: only reaching the list's oldest does."""
    state = ("tag => [window.__bench.counts[tag] || 0, (document.getElementById('messages')"
             ".textContent.match(/#m[a-z0-9]+-\\d+#/) || [null])[0]]")
    (seen, oldest), still = page.evaluate(state, tag), 0
    while seen < count and still < 3:
        page.evaluate("document.getElementById('messages').scrollTop = 0")
        page.wait_for_timeout(300)
        now = page.evaluate(state, tag)
        still = still + 1 if now == [seen, oldest] else 0
        seen, oldest = now
    return seen


def metrics(cdp) -> dict[str, float]:
    """Chrome's counters for the page: TaskDuration (main-thread busy, s), NavigationStart
    (s, on the clock of the DevTools protocol's timestamps), ..."""
    return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}


# --- Summary -----------------------------------------------------------------------------


def summarize(results: dict) -> dict:
    """Median, min and max of every figure; ours as a ratio to its floor."""
    summary = {}
    for figure, metrics in results.items():
        for metric, by_client in metrics.items():
            row = {name: {"median": statistics.median(values), "min": min(values),
                          "max": max(values), "runs": values}
                   for name, values in by_client.items()}
            floor = "python-hello" if "Python" in figure or "interpreter" in figure else \
                "reference"
            # No ratio to a floor of (almost) nothing: a ratio to 0.1 ms says nothing.
            if "ours" in row and floor in row and row[floor]["median"] >= 1:
                row["ratio"] = {"to": floor,
                                "value": row["ours"]["median"] / row[floor]["median"]}
            summary.setdefault(figure, {})[metric] = row
    return summary


def table(summary: dict) -> str:
    def cell(stats):
        if stats is None:
            return ""
        median, low, high = stats["median"], stats["min"], stats["max"]
        digits = 0 if max(abs(high), abs(low)) >= 100 else 1
        return f"{median:.{digits}f} ({low:.{digits}f}–{high:.{digits}f})"

    lines = ["| figure | | ours | reference | python-hello | ours ÷ floor |",
             "| --- | --- | --- | --- | --- | --- |"]
    for figure, metrics in summary.items():
        for metric, row in metrics.items():
            ratio = row.get("ratio")
            ratio = f"{ratio['value']:.2f}× {ratio['to']}" if ratio else ""
            lines.append(f"| {figure} | {metric} | {cell(row.get('ours'))} | "
                         f"{cell(row.get('reference'))} | {cell(row.get('python-hello'))} | "
                         f"{ratio} |")
    return "\n".join(lines)


def machine(browser: Browser) -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()
    return {"cpu": cpu, "cores": os.cpu_count(), "load average": os.getloadavg(),
            "chromium": browser.version, "commit": commit,
            "date": time.strftime("%Y-%m-%d %H:%M %Z")}


# --- Running -------------------------------------------------------------------------


def run(options: Options, *, directus_url: str, page_server: StaticServer, browser: Browser,
        playwright=None, out: Path | None = None) -> dict:
    """Measure every figure in `options` against a running Directus and page server;
    with `out`, the results so far are written there after each figure. The network
    figure needs `playwright` (it starts browsers of its own) and counts what
    `page_server` sends."""
    email, password, _ = DEMO_USERS["carol"]
    api = Api(directus_url, email, password)
    if len(api.newest_markers()) < 100:
        api.create(contents("seed", 100, "an older message"))
    bench = Bench(browser, page_server.url, api, options, playwright)
    if "network" in options.figures:
        bench.tally = network.count_bytes(page_server)
    started = time.monotonic()
    for figure in options.figures:
        clients = [c for c in CLIENTS if c.name in options.clients
                   and (c.chat or figure == "startup")
                   and (c is OURS or figure not in scrollback.OURS_ONLY)]
        for rep in range(options.reps):
            for client in clients:
                print(f"{figure} {rep + 1}/{options.reps}: {client.name}", flush=True)
                getattr(bench, figure)(client, rep)
        result = {"machine": machine(browser), "options": options.__dict__,
                  "seconds": round(time.monotonic() - started), "problems": bench.problems,
                  "figures": summarize(bench.results)}
        if out:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(result, indent=2) + "\n")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    defaults = Options()
    parser.add_argument("--reps", type=int, default=defaults.reps)
    parser.add_argument("--figures", default=",".join(defaults.figures),
                        help="comma-separated, of: " + ", ".join(defaults.figures))
    parser.add_argument("--latency-messages", type=int, default=defaults.latency_messages)
    parser.add_argument("--burst-messages", type=int, default=defaults.burst_messages)
    parser.add_argument("--memory-messages", type=int, default=defaults.memory_messages)
    parser.add_argument("--history-messages", type=int, default=defaults.history_messages)
    parser.add_argument("--clients", default=",".join(defaults.clients))
    parser.add_argument("--profiles", default=",".join(defaults.profiles),
                        help="of the network figure: " + ", ".join(defaults.profiles))
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    options = Options(args.reps, tuple(args.figures.split(",")), args.latency_messages,
                      args.burst_messages, args.memory_messages, args.history_messages,
                      tuple(args.clients.split(",")), tuple(args.profiles.split(",")))
    unknown = set(options.figures) - set(defaults.figures)
    if unknown:
        sys.exit(f"Unknown figures: {', '.join(sorted(unknown))}.")

    workdir = Path(tempfile.mkdtemp(prefix="chat-bench-"))
    port = free_port()
    page = StaticServer(config={"directus_url": f"http://127.0.0.1:{port}"})
    page.start()
    directus = None
    try:
        ensure_directus()
        print("Creating the benchmark's Directus database (about 30 s)...", flush=True)
        bootstrap(workdir / "directus.db")
        directus = DirectusServer(workdir / "directus.db", port, page.url)
        directus.start()
        executable = chromium.ensure()  # before Playwright starts: it uses Playwright too
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable,
                                                 args=chromium.LAUNCH_FLAGS)
            result = run(options, directus_url=directus.url, page_server=page,
                         browser=browser, playwright=playwright, out=args.out)
            browser.close()
    except SetupError as error:
        sys.exit(f"make bench: {error}")
    finally:
        if directus:
            directus.stop()
        page.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    print()
    print(table(result["figures"]))
    print(f"\n{result['machine']}\nResults: {args.out}")


if __name__ == "__main__":
    main()

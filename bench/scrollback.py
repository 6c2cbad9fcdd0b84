"""bench/run.py's scrollback and search figures (ours only: the reference client has
neither). Both read a history of `history_messages` created over REST once per run,
every 100th holding the word "findme".

- scrollback: Bob's page scrolled to the top again and again. "scroll to top -> older
  page shown" is measured in the page, from the scroll to the older messages drawn, for
  the first scroll that needed a read from the server (earlier ones only bring back what
  the DOM window left out). Then the whole history is scrolled through to its first
  message; the JS heap, wasm memory and DOM nodes after it show what scrollback keeps.
- search: "findme" typed and submitted: until the results list shows the hits; then the
  oldest hit of that page opened: until it is in the timeline, highlighted.
"""

from __future__ import annotations

import time

OURS_ONLY = ("scrollback", "search")
FIND = "findme"
STEP_MS = 30_000  # one scroll step: the page read and drawn

# One scroll to the top; resolves when the oldest drawn message is another, with the
# time that took (ms), or null when nothing changed within the wait (the beginning).
SCROLL_UP = """wait => new Promise(resolve => {
  const log = document.getElementById('messages');
  const first = () => { const m = document.querySelector('#days .msg');
                        return m && m.dataset.id; };
  const before = first(), start = performance.now();
  const observer = new MutationObserver(() => {
    if (first() !== before) { observer.disconnect(); resolve(performance.now() - start); }
  });
  observer.observe(document.getElementById('days'), {childList: true, subtree: true});
  setTimeout(() => { observer.disconnect(); resolve(null); }, wait);
  log.scrollTop = 0;
})"""

# Submit a search; resolves with the time until its results are shown (ms) and their count.
SEARCH = """text => new Promise(resolve => {
  const status = document.getElementById('search-status');
  const input = document.getElementById('search-input');
  const start = performance.now();
  const observer = new MutationObserver(() => {
    if (/ found|No messages/.test(status.textContent)) {
      observer.disconnect();
      resolve([performance.now() - start,
               document.querySelectorAll('#search-results .hit-button').length]);
    }
  });
  observer.observe(status, {childList: true, characterData: true, subtree: true});
  input.value = text;
  input.form.requestSubmit();
})"""

# Open the last hit listed; resolves with the time until it is drawn, highlighted (ms).
OPEN_LAST_HIT = """() => new Promise(resolve => {
  const hits = document.querySelectorAll('#search-results .hit-button');
  const start = performance.now();
  const observer = new MutationObserver(() => {
    if (document.querySelector('#days .msg.hit')) {
      observer.disconnect();
      resolve(performance.now() - start);
    }
  });
  observer.observe(document.getElementById('days'),
                   {childList: true, subtree: true, attributes: true});
  hits[hits.length - 1].click();
})"""


def history_contents(count: int) -> list[str]:
    return [f"#mhist-{i}# an older message {i}" + (f" {FIND}" if i % 100 == 0 else "")
            for i in range(count)]


def seed(bench) -> None:
    """The history both figures read, created once per run (oldest first)."""
    if getattr(bench, "history_seeded", False):
        return
    batch = 1000
    items = history_contents(bench.options.history_messages)
    for start in range(0, len(items), batch):
        bench.api.create(items[start:start + batch])
    bench.api.create(["a newer message"])  # the newest page is not all history
    bench.history_seeded = True


def scrollback(bench, client, rep: int) -> None:
    seed(bench)
    page = bench.open(client)
    bench.sign_in(page, client, "bob")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    reads = []
    cdp.on("Network.webSocketFrameSent", lambda event: reads.append(1) if (
        '"_nin"' in (text := event["response"]["payloadData"]) and "_icontains" not in text)
        else None)
    figure = f"scrollback through {bench.options.history_messages:,}"
    memory(bench, page, cdp, client, figure, "at sign-in")
    count, first_page, started = bench.options.history_messages, None, time.monotonic()
    while page.evaluate("() => (window.__bench.counts.hist || 0)") < count:
        asked = len(reads)
        took = page.evaluate(SCROLL_UP, STEP_MS)
        if took is None:
            break  # nothing older came: the beginning (or a client that stops)
        if first_page is None and len(reads) > asked:
            first_page = took
    total = time.monotonic() - started
    if first_page is not None:
        bench.record(figure, "scroll to top -> older page shown (ms)", client, first_page)
    bench.record(figure, "to the oldest, scrolling step by step (s)", client, total)
    bench.record(figure, "missing", client,
                 count - page.evaluate("() => window.__bench.counts.hist || 0"))
    memory(bench, page, cdp, client, figure, "at the oldest")
    cdp.detach()
    page.context.close()


def memory(bench, page, cdp, client, figure: str, when: str) -> None:
    """JS heap after a forced GC, wasm memory and DOM nodes, now."""
    cdp.send("HeapProfiler.collectGarbage")
    heap = cdp.send("Runtime.getHeapUsage")["usedSize"]
    b = page.evaluate("() => ({wasm: window.__bench.wasmBytes(),"
                      " nodes: window.__bench.domNodes()})")
    bench.record(figure, f"JS heap {when} (MB)", client, heap / 1e6)
    bench.record(figure, f"wasm memory {when} (MB)", client, b["wasm"] / 1e6)
    bench.record(figure, f"DOM nodes {when}", client, b["nodes"])


def search(bench, client, rep: int) -> None:
    seed(bench)
    page = bench.open(client)
    bench.sign_in(page, client, "bob")
    took, hits = page.evaluate(SEARCH, FIND)
    figure = f"search in {bench.options.history_messages:,}"
    bench.record(figure, "submit -> results shown (ms)", client, took)
    bench.record(figure, "hits on the first page", client, hits)
    if hits:
        bench.record(figure, "oldest hit of the page opened -> shown in place (ms)", client,
                     page.evaluate(OPEN_LAST_HIT))
    page.context.close()

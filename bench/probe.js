// Injected into every benchmarked page before its own scripts (Playwright init script).
// It only observes: times are ms on a clock shared by all pages of the browser
// (performance.timeOrigin + performance.now()), so Alice's send and Bob's render compare.
"use strict";
(() => {
  const now = () => performance.timeOrigin + performance.now();
  const B = (window.__bench = {
    origin: performance.timeOrigin,
    seen: new Map(), // message marker "<tag>-<n>" -> first time it was in the DOM
    counts: {}, // tag -> markers of that tag seen so far
    firstInput: null, // first `input` event: a typed character landed
    submit: null, // last form submit
    click: null, // last click
    pyReady: null, // PyScript's py:ready (interpreter up, code about to run)
    pyDone: null, // PyScript's py:done (the main script ran)
    progress: [], // [PyScript's py:progress step, time]: where start-up goes
    ready: null, // the page's own "Python is ready" signal, see below
    sent: null, // last frame the page sent
    watchFrames: false, // record frameAt (the runner sets it)
    frameAt: new Map(), // marker -> when the frame carrying it was dispatched to the page
    longTasks: [], // [start, duration]
    memories: [], // every WebAssembly.Memory created or exported
  });

  // Message markers look like "#m<tag>-<n>#" inside the text of a message.
  const MARK = /#m([a-z0-9]+-\d+)#/g;
  const scan = (text, t) => {
    if (!text || text.indexOf("#m") < 0) return;
    for (const m of text.matchAll(MARK)) {
      if (B.seen.has(m[1])) continue;
      B.seen.set(m[1], t);
      const tag = m[1].slice(0, m[1].indexOf("-"));
      B.counts[tag] = (B.counts[tag] || 0) + 1;
    }
  };
  new MutationObserver((records) => {
    const t = now();
    for (const r of records) {
      if (r.type === "characterData") scan(r.target.data, t);
      else for (const n of r.addedNodes) scan(n.textContent, t);
    }
  }).observe(document, { childList: true, subtree: true, characterData: true });

  document.addEventListener("input", () => { if (B.firstInput === null) B.firstInput = now(); }, true);
  document.addEventListener("submit", () => { B.submit = now(); }, true);
  document.addEventListener("click", () => { B.click = now(); }, true);
  document.addEventListener("py:ready", () => { if (B.pyReady === null) B.pyReady = now(); }, true);
  window.addEventListener("py:progress", (e) => B.progress.push([e.detail, now()]));
  document.addEventListener("py:done", () => { if (B.pyDone === null) B.pyDone = now(); }, true);

  // Readiness: python-hello prints "ready"; the app sets window.chatBoot.ready = true.
  const log = console.log;
  console.log = function (...args) {
    if (B.ready === null && args[0] === "ready") B.ready = now();
    return log.apply(this, args);
  };
  // The page's own setter still runs (it does what ready means to the page).
  let boot;
  Object.defineProperty(window, "chatBoot", {
    configurable: true,
    get: () => boot,
    set(value) {
      boot = value;
      const own = Object.getOwnPropertyDescriptor(value, "ready") || {};
      let ready = value && value.ready;
      Object.defineProperty(boot, "ready", {
        configurable: true, enumerable: true,
        get: () => (own.get ? own.get.call(boot) : ready),
        set(v) {
          if (own.set) own.set.call(boot, v);
          ready = v;
          if (v && B.ready === null) B.ready = now();
        },
      });
    },
  });

  // The parts of a message's latency: when the page handed a frame to its socket, and
  // when a frame carrying a marker was dispatched to the page (its own handlers run next).
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    B.sent = now();
    return send.call(this, data);
  };
  const NativeSocket = window.WebSocket;
  window.WebSocket = class extends NativeSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (e) => {
        if (!B.watchFrames || typeof e.data !== "string") return;
        const m = e.data.match(/#m([a-z0-9]+-\d+)#/);
        if (m && !B.frameAt.has(m[1])) B.frameAt.set(m[1], now());
      });
    }
  };

  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) B.longTasks.push([performance.timeOrigin + e.startTime, e.duration]);
  }).observe({ type: "longtask", buffered: true });

  // Wasm memory lives outside the JS heap: keep a handle on every Memory to read its size.
  const W = WebAssembly;
  const NativeMemory = W.Memory;
  W.Memory = function (...args) { const m = new NativeMemory(...args); B.memories.push(m); return m; };
  W.Memory.prototype = NativeMemory.prototype;
  const keepExported = (result) => {
    const instance = result.instance || result;
    for (const v of Object.values(instance.exports || {})) {
      if (v instanceof NativeMemory && !B.memories.includes(v)) B.memories.push(v);
    }
    return result;
  };
  for (const name of ["instantiate", "instantiateStreaming"]) {
    const native = W[name];
    W[name] = (...args) => native.apply(W, args).then(keepExported);
  }

  // Called by the runner.
  B.wasmBytes = () => B.memories.reduce((sum, m) => sum + m.buffer.byteLength, 0);
  B.domNodes = () => {
    let count = 0;
    const walker = document.createTreeWalker(document, NodeFilter.SHOW_ALL);
    while (walker.nextNode()) count++;
    return count;
  };
  B.lastSeen = (tag) => {
    let last = null;
    for (const [key, t] of B.seen) if (key.startsWith(tag + "-") && (last === null || t > last)) last = t;
    return last;
  };
  // Markers with this tag now in the DOM more than once (duplicates on screen).
  B.duplicates = (tag) => {
    const counts = new Map();
    const re = new RegExp("#m(" + tag + "-\\d+)#", "g");
    for (const m of document.body.textContent.matchAll(re)) counts.set(m[1], (counts.get(m[1]) || 0) + 1);
    let dup = 0;
    for (const c of counts.values()) if (c > 1) dup += c - 1;
    return dup;
  };
})();

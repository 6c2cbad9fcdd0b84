// Runs before Python: keeps the sign-in form usable while Python starts (a second or
// two), starts PyScript, and says so in the sign-in card if the start fails.
//
// A submit before Python is ready is held, shown as "Starting…", and acted on by
// main.py once ready. Python sets window.chatBoot.ready and takes over the form.
"use strict";
(function () {
  const SLOW_MS = 30000; // last resort: a cold start takes 1-2 s here; room for slow links
  const MESSAGES = {
    load: "The chat could not load all of its files. Check your connection and reload the " +
      "page; if this keeps happening, tell whoever runs this site.",
    blocked: "The browser blocked a file the chat needs, so it cannot start. Reload the page; " +
      "if this keeps happening, tell whoever runs this site.",
    error: "The chat hit an error while starting. Reload the page; if this keeps happening, " +
      "tell whoever runs this site.",
    slow: "Starting is taking unusually long. Keep waiting, or reload the page.",
  };
  const here = document.currentScript.src;
  const vendor = new URL("vendor/", here);
  const byId = (id) => document.getElementById(id);
  const form = byId("sign-in-form");
  const button = byId("sign-in-button");
  const status = byId("sign-in-status");
  const problem = byId("start-problem"); // role=alert: filled in, it is announced

  let ready = false;
  let failed = false;
  let slowTimer = null;
  // Which runtime files to load (tools/vendor.py writes it; the only one of them that
  // is looked at again on each visit): asked for at once, static/pyodide-snapshot.mjs
  // waits for it too.
  const runtime = fetch(new URL("runtime.json", vendor)).then(function (response) {
    if (!response.ok) throw new Error(`${response.url} answered HTTP ${response.status}.`);
    return response.json();
  });
  runtime.catch((error) => show("load", error.message));
  const boot = (window.chatBoot = {
    pending: false,
    runtime,
    get ready() {
      return ready;
    },
    set ready(value) {
      ready = Boolean(value);
      if (ready) {
        stopWatching();
        keepForNextTime();
      }
    },
  });

  form.addEventListener("submit", function (event) {
    if (ready) return;
    event.preventDefault();
    boot.pending = true;
    if (failed) {
      problem.querySelector("button").focus();
      return;
    }
    button.setAttribute("aria-busy", "true");
    status.textContent = "Starting… you will be signed in as soon as the app is ready.";
  });

  // --- Failures before Python is ready: the first one is shown -------------------------

  function show(kind, detail) {
    if (ready || failed) return;
    failed = kind !== "slow";
    if (failed) clearTimeout(slowTimer);
    const box = document.createElement("div");
    box.className = "alert start-problem";
    const text = document.createElement("p");
    text.textContent = MESSAGES[kind];
    box.append(text);
    if (detail) {
      const more = document.createElement("p");
      more.className = "detail";
      more.textContent = "Details: " + String(detail).trim().slice(0, 300);
      box.append(more);
    }
    const reload = document.createElement("button");
    reload.type = "button";
    reload.textContent = "Reload";
    reload.addEventListener("click", () => location.reload());
    box.append(reload);
    problem.replaceChildren(box);
    status.textContent = "";
    button.removeAttribute("aria-busy");
    const active = document.activeElement;
    if (!active || active === document.body) reload.focus(); // not while someone types
  }

  // A failed request or an error: what it says, in one line (a traceback's exception,
  // which Pyodide may follow with a line of advice).
  function failure(text) {
    const lines = String(text).split("\n").filter((line) => line.trim());
    const raised = lines.filter((line) => /^[\w.]+(Error|Exception)\b/.test(line));
    const line = /Traceback/.test(text) ? raised.pop() || lines[lines.length - 1] : lines[0];
    show(/(failed|unable) to (fetch|load)/i.test(text) ? "load" : "error", line);
  }

  // Resource errors do not bubble: listen in the capture phase. Uncaught errors too.
  function onError(event) {
    const target = event.target;
    if (target instanceof HTMLScriptElement) show("load", `${target.src} did not load.`);
    else if (event instanceof ErrorEvent) failure(event.message);
  }
  function onBlocked(event) {
    if (event.disposition === "enforce") {
      show("blocked", event.blockedURI || event.violatedDirective);
    }
  }
  function onRejection(event) {
    failure((event.reason && event.reason.message) || event.reason);
  }
  // A runtime file answered with an error (Pyodide hangs on some of them, e.g. its wasm).
  // config.json may be missing (Python then uses the default Directus), the snapshot too.
  const RUNTIME = /\.(m?js|wasm|zip|json|toml|py)$/;
  const responses = new PerformanceObserver(function (list) {
    for (const entry of list.getEntries()) {
      const path = new URL(entry.name).pathname;
      if (entry.responseStatus >= 400 && RUNTIME.test(path) && !path.endsWith("/config.json")) {
        show("load", `${path} answered HTTP ${entry.responseStatus}.`);
      }
    }
  });
  // PyScript shows its errors (a bad config, Python's tracebacks) as .py-error banners.
  const banners = new MutationObserver(function (records) {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.classList && node.classList.contains("py-error")) {
          failure(node.textContent);
        }
      }
    }
  });
  window.addEventListener("error", onError, true);
  document.addEventListener("securitypolicyviolation", onBlocked, true);
  window.addEventListener("unhandledrejection", onRejection);
  responses.observe({ type: "resource", buffered: true });
  banners.observe(document.body, { childList: true });
  slowTimer = setTimeout(() => show("slow"), SLOW_MS);

  // Python is ready: it may have recovered from what was shown, so that goes too.
  function stopWatching() {
    window.removeEventListener("error", onError, true);
    document.removeEventListener("securitypolicyviolation", onBlocked, true);
    window.removeEventListener("unhandledrejection", onRejection);
    responses.disconnect();
    banners.disconnect();
    clearTimeout(slowTimer);
    failed = false;
    problem.replaceChildren();
  }

  // --- The next visits: the service worker (sw.js) ---------------------------------------
  // It keeps the page and the runtime in this browser, so the next visit starts from
  // there, with or without a network. Registered once Python is ready (its first install
  // copies the runtime into its cache: not while the page starts). Once ready, and
  // coming back into view, the page has it check the server for a new version, for the
  // next visit.
  const worker = navigator.serviceWorker; // missing on plain http:// other than localhost
  function keepForNextTime() {
    if (!worker) return;
    worker.controller?.postMessage("check");
    setTimeout(function () {
      worker.register(new URL("../sw.js", here)).catch(function (error) {
        console.warn("The chat will not open offline:", error.message);
      });
    }, 1000);
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") worker?.controller?.postMessage("check");
  });

  // --- Starting PyScript -----------------------------------------------------------------
  // Once the form has had its first frame (started earlier, PyScript's set-up and
  // Pyodide's keep the page busy just when people begin to type) and the page is parsed:
  // PyScript reads its configuration from <script type="py" config=…> once, when its
  // module runs, and starts an element parsed after that without it, asking a CDN for
  // Pyodide.
  let started = false;
  let painted = false;
  let parsed = false; // a classic script in the body: DOMContentLoaded comes later
  // The interpreter module first: it starts fetching Pyodide while PyScript sets up.
  function start() {
    if (started || !painted || !parsed) return;
    started = true;
    runtime.then(function (files) {
      import(new URL("pyodide-snapshot.mjs", here)).catch(() => {}); // PyScript says why
      return import(new URL(files.pyscript + "core.js", vendor));
    }).catch((error) => show("load", error.message));
  }
  function afterFrame() {
    painted = true;
    start();
  }
  requestAnimationFrame(() => setTimeout(afterFrame));
  setTimeout(afterFrame, 250); // a tab opened in the background gets no animation frames
  document.addEventListener("DOMContentLoaded", () => {
    parsed = true;
    start();
  }, { once: true });
})();

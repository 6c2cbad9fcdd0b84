// The chat's service worker: the page and its runtime from this browser's caches, so
// a visit starts without waiting on the network, or with no network at all.
//
// Two kinds of files (static/vendor/runtime.json lists both; tools/vendor.py writes it):
// - the runtime (static/vendor/, named by content): kept in one cache for good, served
//   from it, fetched into it when missing;
// - the page's own files (index.html, chat/, static/*.js, runtime.json, ...): kept as
//   generations, each a complete set as the server had it at one time. A page is served
//   from the newest generation when it opens, and keeps to that one while it runs. After
//   each opening (and when the page asks, on coming back into view) the server's files
//   are fetched again (revalidated: 304s when unchanged); if any changed, a new
//   generation is made, runtime files it needs fetched first, and the next opening uses
//   it. A deploy is so picked up at the second load after it, never half.
//
// Other origins (Directus) and other methods are not touched.
"use strict";

const SCOPE = new URL("./", self.location).href;
const RUNTIME = "chat-runtime";
const GENERATION = "chat-app-"; // + a number, higher is newer
const COMPLETE = SCOPE + "__sw-complete__"; // in a generation once all its files are in
const RUNTIME_LIST = SCOPE + "static/vendor/runtime.json";
const RECHECK_MS = 10_000; // at most one check of the server's files per this time
const CHECK_AFTER_MS = 20_000; // after an opening, if the page has not asked for one

const started = new Map(); // client id -> the generation its page opened with
let checking = null; // the check of the server's files under way
let lastCheck = 0;

self.addEventListener("install", (event) => {
  // Chromium can serve the runtime (files named <kind>-<hash>) from the cache without
  // starting this worker; elsewhere fromRuntime() does.
  if (event.addRoutes) {
    event.waitUntil(event.addRoutes({
      condition: { urlPattern: new URLPattern({ pathname: new URL(SCOPE).pathname
                                                   + "static/vendor/*-*" }) },
      source: { cacheName: RUNTIME },
    }).catch((error) => console.warn("Runtime served by the worker:", error.message)));
  }
  event.waitUntil(check().then(() => self.skipWaiting()));
});

// The page says it is ready, or back into view: the server's files are fetched again.
self.addEventListener("message", (event) => {
  if (event.data === "check" && Date.now() - lastCheck > RECHECK_MS) {
    event.waitUntil(check().catch(() => {}));
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || !request.url.startsWith(SCOPE)) return;
  const path = new URL(request.url).pathname.slice(new URL(SCOPE).pathname.length);
  if (path.startsWith("static/vendor/") && request.url !== RUNTIME_LIST) {
    event.respondWith(fromRuntime(request));
  } else if (request.mode === "navigate") {
    event.respondWith(open(event, path));
    // Not while the page starts; a page that never gets ready (and so never asks)
    // is not left on its version for good. Offline: the generation in use stays.
    event.waitUntil(later(CHECK_AFTER_MS).then(() => {
      if (Date.now() - lastCheck > CHECK_AFTER_MS) return check();
    }).catch(() => {}));
  } else {
    event.respondWith(fromGeneration(event));
  }
});

async function fromRuntime(request) {
  const cache = await caches.open(RUNTIME);
  const kept = await cache.match(request.url);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) await cache.put(request.url, response.clone());
  return response;
}

// A page opens: the newest generation's index.html (for the scope itself, or itself).
async function open(event, path) {
  const name = await newest();
  if (name && (path === "" || path === "index.html")) {
    const kept = await (await caches.open(name)).match(SCOPE + "index.html");
    if (kept) {
      started.set(event.resultingClientId, name);
      return kept;
    }
  }
  return fetch(event.request);
}

async function fromGeneration(event) {
  // A page whose opening this worker did not see (it started before a restart of the
  // worker, or before the worker was installed) takes the newest.
  const name = started.get(event.clientId) || await newest();
  const kept = name && await (await caches.open(name)).match(event.request.url);
  return kept || fetch(event.request);
}

// The newest complete generation's cache name, or null.
async function newest() {
  const names = (await caches.keys()).filter((name) => name.startsWith(GENERATION))
    .sort((a, b) => number(b) - number(a));
  for (const name of names) {
    if (await (await caches.open(name)).match(COMPLETE)) return name;
  }
  return null;
}

function number(name) {
  return Number(name.slice(GENERATION.length));
}

function later(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function check() {
  lastCheck = Date.now();
  checking ??= fetchGeneration().finally(() => (checking = null));
  return checking;
}

// The server's files, again: a new generation if any differs from the newest one.
async function fetchGeneration() {
  const current = await newest();
  const list = await fetch(RUNTIME_LIST, { cache: "no-cache" });
  if (!list.ok) throw new Error(`runtime.json: HTTP ${list.status}`);
  const runtime = await list.clone().json();
  const files = new Map([[RUNTIME_LIST, list]]);
  await Promise.all(runtime.app.map(async function (path) {
    const url = new URL(path, SCOPE).href;
    if (url === RUNTIME_LIST) return;
    const response = await fetch(url, { cache: "no-cache" }); // rejects when offline
    if (response.ok) files.set(url, response); // a missing file stays missing (config.json)
  }));
  if (current && await same(await caches.open(current), files)) return;
  await keepRuntime(runtime.files.map((path) => SCOPE + "static/vendor/" + path));
  const name = GENERATION + (current ? number(current) + 1 : 1);
  const cache = await caches.open(name);
  await Promise.all([...files].map(([url, response]) => cache.put(url, response)));
  await cache.put(COMPLETE, new Response(""));
  await forgetOld(name, current, runtime);
}

async function same(cache, files) {
  const kept = await cache.keys();
  if (kept.length !== files.size + 1) return false; // + COMPLETE
  for (const [url, response] of files) {
    const old = await cache.match(url);
    if (!old) return false;
    const [a, b] = await Promise.all([old.arrayBuffer(), response.clone().arrayBuffer()]);
    if (a.byteLength !== b.byteLength) return false;
    const x = new Uint8Array(a);
    const y = new Uint8Array(b);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  }
  return true;
}

// Every runtime file of `urls` into the runtime cache (from the HTTP cache when the page
// has just loaded it).
async function keepRuntime(urls) {
  const cache = await caches.open(RUNTIME);
  const kept = new Set((await cache.keys()).map((request) => request.url));
  await Promise.all(urls.filter((url) => !kept.has(url)).map(async function (url) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    await cache.put(url, response);
  }));
}

// Keep the new generation and the one before it (pages opened with it may still run),
// and the runtime files those two name.
async function forgetOld(name, previous, runtime) {
  for (const other of await caches.keys()) {
    if (other.startsWith(GENERATION) && other !== name && other !== previous) {
      await caches.delete(other);
    }
  }
  const wanted = new Set(runtime.files.map((path) => SCOPE + "static/vendor/" + path));
  if (previous) {
    const old = await (await caches.open(previous)).match(RUNTIME_LIST);
    if (old) for (const path of (await old.json()).files) wanted.add(SCOPE + "static/vendor/" + path);
  }
  const cache = await caches.open(RUNTIME);
  for (const request of await cache.keys()) {
    if (!wanted.has(request.url)) await cache.delete(request);
  }
}

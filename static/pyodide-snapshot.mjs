// PyScript's interpreter module (see pyscript.toml). Pyodide starts as soon as this
// module is imported: static/boot.js imports it early, PyScript later gets the same one.
//
// Which runtime files to load is in vendor/runtime.json (tools/vendor.py writes it):
// Pyodide from a folder named by its content, the trimmed standard library, and the
// memory snapshot tools/snapshot.mjs saved at install time (make run, make test), which
// Python starts from in about a second instead of several. Without a snapshot, or if
// it fails to load, Pyodide starts the usual way.
const vendor = new URL("./vendor/", import.meta.url);
const runtime = await (globalThis.chatBoot?.runtime ?? fetch(new URL("runtime.json", vendor))
  .then((response) => response.json()));
const indexURL = new URL(runtime.pyodide, vendor).href;
const snapshotFetch = fetch(new URL(runtime.snapshot, vendor)); // meanwhile: the largest file
snapshotFetch.catch(() => {}); // handled in start(): not an unhandled rejection meanwhile
const pyodide = await import(indexURL + "pyodide.mjs");

export const version = pyodide.version;

async function start() {
  const options = { indexURL, stdLibURL: new URL(runtime.stdlib, vendor).href,
                    lockFileContents: runtime.lock };
  try {
    const snapshot = await snapshotFetch;
    if (!snapshot.ok) throw new Error(`${runtime.snapshot}: HTTP ${snapshot.status}`);
    const started = await pyodide.loadPyodide({ ...options,
                                                _loadSnapshot: snapshot.arrayBuffer().then(dense) });
    // Every page restores the same memory: reseed, or all clients share one
    // "random" sequence (and their reconnect jitter with it).
    started.runPython("import random; random.seed()");
    return started;
  } catch (error) {
    console.warn("Starting Pyodide without a snapshot:", error.message);
    return pyodide.loadPyodide(options);
  }
}

// tools/snapshot.mjs leaves out the snapshot's all-zero pages: put them back.
function dense(file) {
  const [magic, size, count] = new Uint32Array(file, 0, 3);
  if (magic !== 0x43485331) throw new Error("not a snapshot made by tools/snapshot.mjs");
  const runs = new Uint32Array(file, 12, 2 * count);
  const memory = new Uint8Array(size);
  let from = 12 + 8 * count;
  for (let i = 0; i < runs.length; i += 2) {
    memory.set(new Uint8Array(file, from, runs[i + 1]), runs[i]);
    from += runs[i + 1];
  }
  return memory;
}

const started = start();

// What PyScript calls; its options are only the output handlers and the index URL.
export async function loadPyodide({ stdout, stderr }) {
  const pyodide = await started;
  pyodide.setStdout({ batched: stdout });
  pyodide.setStderr({ batched: stderr });
  return pyodide;
}

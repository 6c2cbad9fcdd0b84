// PyScript's interpreter module (see pyscript.toml). Pyodide starts as soon as PyScript
// imports it, before PyScript asks for it (it opens its storage first).
//
// Pyodide starts from the memory snapshot tools/snapshot.mjs saved at install time
// (make run, make test): Python is then ready in about a second instead of several.
// Without a snapshot, or if it fails to load, Pyodide starts the usual way.
import { loadPyodide as load, version } from "./vendor/pyodide/pyodide.mjs";

export { version };

const indexURL = new URL("./vendor/pyodide/", import.meta.url).href;

async function start() {
  try {
    const snapshot = await fetch(indexURL + "snapshot.bin");
    if (!snapshot.ok) throw new Error(`snapshot.bin: HTTP ${snapshot.status}`);
    const pyodide = await load({ indexURL, _loadSnapshot: snapshot.arrayBuffer() });
    // Every page restores the same memory: reseed, or all clients share one
    // "random" sequence (and their reconnect jitter with it).
    pyodide.runPython("import random; random.seed()");
    return pyodide;
  } catch (error) {
    console.warn("Starting Pyodide without a snapshot:", error.message);
    return load({ indexURL });
  }
}

const started = start();

// What PyScript calls; its options are only the output handlers and the index URL.
export async function loadPyodide({ stdout, stderr }) {
  const pyodide = await started;
  pyodide.setStdout({ batched: stdout });
  pyodide.setStderr({ batched: stderr });
  return pyodide;
}

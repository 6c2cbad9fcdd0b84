// Start Pyodide once at install time and save its memory: the page then starts from
// this snapshot instead of initialising Python again (seconds of CPU in wasm).
//
//     node tools/snapshot.mjs static/vendor/pyodide/
//
// Writes snapshot.bin next to pyodide.mjs. A snapshot made in Node loads in the
// browser: it holds the wasm memory only, no reference to anything outside it.
// What the app imports beyond Pyodide's own start-up is imported here too.
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const dir = resolve(process.argv[2]) + "/";
const { loadPyodide } = await import(pathToFileURL(dir + "pyodide.mjs").href);
const pyodide = await loadPyodide({ indexURL: dir, _makeSnapshot: true });
pyodide.runPython("import datetime, html, uuid");
writeFileSync(dir + "snapshot.bin", pyodide.makeMemorySnapshot());

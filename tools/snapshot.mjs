// Start Pyodide once at install time and save its memory: the page then starts from
// this snapshot instead of initialising Python again (seconds of CPU in wasm).
//
//     node tools/snapshot.mjs static/vendor/pyodide/
//
// Writes snapshot.bin next to pyodide.mjs. A snapshot made in Node loads in the
// browser: it holds the wasm memory only, no reference to anything outside it.
// What the app imports beyond Pyodide's own start-up is imported here too, and so is
// the chat core (it imports nothing of the browser); chat.forget_if_changed() drops
// that copy in the page if a file changed since.
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const CORE = ["__init__", "backoff", "protocol", "timeline", "client"];
const chat = new URL("../chat/", import.meta.url);

const dir = resolve(process.argv[2]) + "/";
const { loadPyodide } = await import(pathToFileURL(dir + "pyodide.mjs").href);
const pyodide = await loadPyodide({ indexURL: dir, _makeSnapshot: true });
pyodide.runPython("import datetime, html, uuid");
// The page's working folder, where PyScript writes chat/ later on.
pyodide.FS.mkdirTree("chat");
for (const name of CORE) {
  pyodide.FS.writeFile(`chat/${name}.py`, readFileSync(new URL(`${name}.py`, chat)));
}
pyodide.runPython(`
import sys, zlib
import chat.client
for name in sys.modules:
    if name == "chat" or name.startswith("chat."):
        with open(sys.modules[name].__file__, "rb") as source:
            chat.SNAPSHOT[name] = zlib.crc32(source.read())
`);
writeFileSync(dir + "snapshot.bin", pyodide.makeMemorySnapshot());

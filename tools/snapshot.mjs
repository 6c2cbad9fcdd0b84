// Start Pyodide once at install time and save its memory: the page then starts from
// this snapshot instead of initialising Python again (seconds of CPU in wasm).
//
//     node tools/snapshot.mjs static/vendor/pyodide/ chat/__init__.py chat/core/client.py ...
//
// Writes snapshot.bin next to pyodide.mjs. A snapshot made in Node loads in the
// browser: it holds the wasm memory only, no reference to anything outside it.
// What the app imports beyond Pyodide's own start-up is imported here too, and so are
// the files named after the folder (tools/vendor.py names chat/__init__.py and chat/core/
// as pyscript.toml lists them; the core imports nothing of the browser).
// chat.forget_if_changed() drops that copy in the page if a file changed since.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [folder, ...files] = process.argv.slice(2);
const root = new URL("../", import.meta.url);
// chat/core/client.py -> chat.core.client, chat/__init__.py -> chat
const modules = files.map((file) =>
  file.replace(/\.py$/, "").replace(/\/__init__$/, "").replaceAll("/", "."));

const dir = resolve(folder) + "/";
const { loadPyodide } = await import(pathToFileURL(dir + "pyodide.mjs").href);
const pyodide = await loadPyodide({ indexURL: dir, _makeSnapshot: true });
pyodide.runPython("import datetime, html, uuid");
// Into the page's working folder, where PyScript writes them later on.
for (const file of files) {
  pyodide.FS.mkdirTree(dirname(file));
  pyodide.FS.writeFile(file, readFileSync(new URL(file, root)));
}
pyodide.runPython(`
import importlib, sys, zlib
for name in ${JSON.stringify(modules)}:
    importlib.import_module(name)
import chat
for name in sys.modules:
    if name == "chat" or name.startswith("chat."):
        with open(sys.modules[name].__file__, "rb") as source:
            chat.SNAPSHOT[name] = zlib.crc32(source.read())
`);
writeFileSync(dir + "snapshot.bin", pyodide.makeMemorySnapshot());

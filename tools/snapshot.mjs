// The page's standard library and start-up snapshot, made under Node by tools/vendor.py.
//
//     node tools/snapshot.mjs stdlib PYODIDE_DIR OUT.zip PYSCRIPT_BUNDLE APP_FILE...
//     node tools/snapshot.mjs snapshot PYODIDE_DIR STDLIB.zip OUT.bin CORE_FILE...
//
// (CORE_FILE...: chat/__init__.py chat/core/client.py ..., relative to the repo.)
//
// stdlib: Pyodide's standard library cut down to what can be imported
// (tools/stdlib.py): the modules Python holds once Pyodide has started, and all that
// the app's Python files and PyScript's own Python package (inside PYSCRIPT_BUNDLE)
// import, followed through the library.
//
// snapshot: starts Pyodide on that library and saves its memory: the page then starts
// from it instead of initialising Python again (seconds of CPU in wasm). A snapshot made
// in Node loads in the browser: it holds the wasm memory only, no reference to anything
// outside it; the page must give Pyodide the same STDLIB.zip (Python keeps the zip's
// table of contents). What the app imports beyond Pyodide's own start-up is imported
// too, and so are the files named (tools/vendor.py names chat/__init__.py and chat/core/
// as pyscript.toml lists them; the core imports nothing of the browser);
// chat.forget_if_changed() drops that copy in the page if a file changed
// since. Memory that Python freed is zeroed first (the snapshot then compresses ~20%
// better), and the file leaves out its zeros (see sparse()).
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const MAGIC = 0x43485331; // the sparse snapshot's first word, see sparse()
const PAGE = 4096;

const [mode, pyodideDir, ...rest] = process.argv.slice(2);
const dir = resolve(pyodideDir) + "/";
const { loadPyodide } = await import(pathToFileURL(dir + "pyodide.mjs").href);
const bytes = (path) => new Uint8Array(readFileSync(path));
const root = new URL("../", import.meta.url);

if (mode === "stdlib") {
  const [out, bundle, ...appFiles] = rest;
  const pyodide = await loadPyodide({ indexURL: dir });
  pyodide.runPython(readFileSync(new URL("stdlib.py", import.meta.url), "utf8"));
  pyodide.globals.set("full_zip", bytes(dir + "python_stdlib.zip"));
  pyodide.globals.set("page_sources", [...pyscriptSources(bundle), ...appFiles.map(
    (path) => readFileSync(path, "utf8"))]);
  const trimmed = pyodide.runPython(`
import sys
sources, packages = sources_of(full_zip.to_py())
trim(full_zip.to_py(), closure(list(sys.modules), sources, packages, page_sources.to_py()))
`);
  writeFileSync(out, trimmed.toJs());
} else if (mode === "snapshot") {
  const [stdlib, out, ...coreFiles] = rest;
  // As in the page: this library, and the lock file's info without its packages.
  const { info } = JSON.parse(readFileSync(dir + "pyodide-lock.json", "utf8"));
  const pyodide = await loadPyodide({ indexURL: dir, stdLibURL: resolve(stdlib),
                                      lockFileContents: { info, packages: {} },
                                      _makeSnapshot: true });
  pyodide.runPython("import datetime, html, uuid");
  // Into the page's working folder, where PyScript writes them later on.
  for (const file of coreFiles) {
    pyodide.FS.mkdirTree(dirname(file));
    pyodide.FS.writeFile(file, new Uint8Array(readFileSync(new URL(file, root))));
  }
  // chat/core/client.py -> chat.core.client, chat/__init__.py -> chat
  const modules = coreFiles.map((file) =>
    file.replace(/\.py$/, "").replace(/\/__init__$/, "").replaceAll("/", "."));
  pyodide.runPython(`
import gc, importlib, sys, zlib
for name in ${JSON.stringify(modules)}:
    importlib.import_module(name)
import chat
for name in sys.modules:
    if name == "chat" or name.startswith("chat."):
        with open(sys.modules[name].__file__, "rb") as source:
            chat.SNAPSHOT[name] = zlib.crc32(source.read())
gc.collect()
`);
  zeroFreeMemory(pyodide._module);
  writeFileSync(out, sparse(pyodide.makeMemorySnapshot()));
} else {
  console.error("usage: node tools/snapshot.mjs stdlib|snapshot ...");
  process.exit(2);
}

// PyScript's Python package travels inside its JS bundle as {"name.py": "source", ...}.
function pyscriptSources(bundle) {
  const text = readFileSync(bundle, "utf8");
  const sources = [...text.matchAll(/"[a-z_]+\.py":("(?:[^"\\]|\\.)*")/g)].map(
    (match) => JSON.parse(match[1]));
  if (!sources.length) throw new Error(`No Python sources found in ${bundle}`);
  return sources;
}

// Allocate every free block of the heap that fits without growing the wasm memory, zero
// it, free it all again: the snapshot then holds zeros where it held freed garbage.
function zeroFreeMemory(module) {
  const size = module.HEAP8.length;
  const sbrk = module._emscripten_get_sbrk_ptr();
  const info = module._malloc(64);
  // mallinfo's keepcost (the top chunk) plus the memory above the break: never reached.
  const room = () => {
    module._mallinfo(info);
    return module.HEAP32[(info >> 2) + 9] + size - module.HEAPU32[sbrk >> 2];
  };
  const blocks = [];
  for (let block = 1 << 22; block >= 8; block >>= 1) {
    while (room() > block + (1 << 20)) {
      const pointer = module._malloc(block);
      if (!pointer) break;
      blocks.push([pointer, block]);
    }
  }
  for (const [pointer, block] of blocks) module.HEAPU8.fill(0, pointer, pointer + block);
  for (const [pointer] of blocks) module._free(pointer);
  module._free(info);
  if (module.HEAP8.length !== size) throw new Error("zeroing free memory grew the heap");
}

// The snapshot without its all-zero 4 KiB pages (over half of it: the unused stack and
// heap), which static/pyodide-snapshot.mjs puts back: less to read from the cache on
// each start. Little-endian u32s: MAGIC, the full size, the number of runs, then each
// run's offset and length, then the runs' bytes one after the other.
function sparse(snapshot) {
  const runs = [];
  for (let offset = 0; offset < snapshot.length; offset += PAGE) {
    if (!snapshot.subarray(offset, offset + PAGE).some((byte) => byte !== 0)) continue;
    const last = runs[runs.length - 1];
    if (last && last[0] + last[1] === offset) last[1] += PAGE;
    else runs.push([offset, PAGE]);
  }
  for (const run of runs) run[1] = Math.min(run[1], snapshot.length - run[0]);
  const header = new Uint32Array([MAGIC, snapshot.length, runs.length, ...runs.flat()]);
  return Buffer.concat([Buffer.from(header.buffer),
                        ...runs.map(([offset, length]) => snapshot.subarray(offset, offset + length))]);
}

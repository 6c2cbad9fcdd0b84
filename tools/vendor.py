"""Put the page's runtime (PyScript, Pyodide) into static/vendor/, named by content.

    python -m tools.vendor

Runs `npm ci` first when node_modules is missing or older than package-lock.json; that
also installs the devDependencies (axe-core, for the browser tests), which stay in
node_modules: only the runtime below is copied. After this the repo folder is a complete
static site. static/vendor/ is git-ignored; it holds:

- pyscript-<hash>/ and pyodide-<hash>/: PyScript's files and Pyodide's three runtime
  files, in folders named by a hash of what they hold;
- stdlib-<hash>.zip: Pyodide's standard library with only what the page can import
  (tools/stdlib.py), stored uncompressed;
- snapshot-<hash>.bin: the memory of a started Pyodide, which the page starts from
  (tools/snapshot.mjs; made with that zip, and with the chat core imported);
- FILE.br and FILE.gz next to each of those files (tools/compress.mjs), which the
  static server sends to browsers that take them;
- runtime.json: the names above, the files for the service worker (sw.js) to keep, and
  a digest of what each generated file was made from.

A name never changes meaning, so browsers may keep these files for good; only
runtime.json is looked at again on each visit (server/static_server.py serves the
folder that way). Files of earlier installs are removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
LOCK_FILE = ROOT / "package-lock.json"
VENDOR = ROOT / "static" / "vendor"
RUNTIME = VENDOR / "runtime.json"
PYSCRIPT_DIST = NODE_MODULES / "@pyscript" / "core" / "dist"
PYODIDE_DIR = NODE_MODULES / "pyodide"
# The page asks for these three; the standard library and the lock file are given to
# Pyodide by the page (a trimmed zip, the lock's info with no packages).
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm")
SCRIPTS = ROOT / "tools"
PAGE_CONFIG = ROOT / "pyscript.toml"  # its [files] table lists the page's Python files
# The page's own files, kept by the service worker for offline starts, besides the
# Python files of pyscript.toml's [files] table and this folder's runtime.json.
PAGE_FILES = ("index.html", "config.json", "pyscript.toml", "main.py", "static/app.css",
              "static/boot.js", "static/dom.js", "static/pyodide-snapshot.mjs",
              "static/icon.svg", "static/manifest.webmanifest", "static/icon-180.png",
              "static/icon-192.png", "static/icon-512.png", "static/icon-maskable.png")
# Served precompressed; the rest (a few small files) are compressed on the fly.
COMPRESSED = (".mjs", ".js", ".css", ".wasm", ".zip", ".bin", ".json")
# npm ci writes this file; it is newer than the lock file after a successful install.
INSTALLED_MARKER = NODE_MODULES / ".package-lock.json"


class VendorError(Exception):
    pass


def ensure_node_modules() -> None:
    fresh = (
        INSTALLED_MARKER.exists()
        and INSTALLED_MARKER.stat().st_mtime >= LOCK_FILE.stat().st_mtime
    )
    if fresh:
        return
    npm = shutil.which("npm")
    if npm is None:
        raise VendorError("npm was not found. Install it (on Debian: apt-get install -y npm).")
    print("Installing @pyscript/core, pyodide and axe-core with npm ci (~20 s)...", flush=True)
    result = subprocess.run(
        [npm, "ci", "--include=dev", "--no-audit", "--no-fund"], cwd=ROOT,
        capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise VendorError(
            f"npm ci failed:\n{result.stdout}{result.stderr}\n"
            "Check that the npm registry is reachable, then run this again."
        )


def digest(*parts: bytes | str | Path) -> str:
    """A short hash of `parts` (a path stands for its content)."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part.read_bytes() if isinstance(part, Path) else part
        data = data.encode() if isinstance(data, str) else data
        hasher.update(len(data).to_bytes(8, "big") + data)
    return hasher.hexdigest()[:16]


def place_folder(kind: str, files: dict[str, Path]) -> str:
    """`files` ({name inside: source}) in static/vendor/<kind>-<hash>/; returns its name."""
    name = f"{kind}-{digest(*(part for item in sorted(files.items()) for part in item))}"
    target = VENDOR / name
    if not target.is_dir():
        part = VENDOR / f".{name}.part"
        shutil.rmtree(part, ignore_errors=True)
        for inside, source in files.items():
            (part / inside).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, part / inside)
        part.rename(target)
        print(f"Copied {kind} into static/vendor/{name}/.", flush=True)
    return name


def place_file(kind: str, made: Path, suffix: str) -> str:
    """`made` as static/vendor/<kind>-<hash><suffix>; returns that name. A file of that
    name holds the same bytes already: it is kept as it is, with its compressed copies
    (replacing it would make them look older than it, see compress())."""
    name = f"{kind}-{digest(made)}{suffix}"
    if not (VENDOR / name).is_file():
        os.replace(made, VENDOR / name)
    return name


def node() -> str:
    found = shutil.which("node")
    if found is None:
        raise VendorError("node was not found. Install it (on Debian: apt-get install -y nodejs).")
    return found


def run_node(*args: str | Path, what: str) -> None:
    result = subprocess.run([node(), *map(str, args)], capture_output=True, text=True)
    if result.returncode != 0:
        raise VendorError(f"{what} failed:\n{result.stdout}{result.stderr[-3000:]}")


def app_python() -> list[Path]:
    """main.py and the Python files pyscript.toml puts into the page."""
    config = tomllib.loads(PAGE_CONFIG.read_text(encoding="utf-8"))
    return [ROOT / "main.py", *(ROOT / source for source in config.get("files", {}))]


def snapshot_files() -> list[str]:
    """The page's files that go into the snapshot, relative to the repo: chat/__init__.py
    and chat/core/ (the core imports nothing of the browser), as pyscript.toml lists them."""
    with PAGE_CONFIG.open("rb") as config:
        files = tomllib.load(config)["files"]
    return [name.removeprefix("./") for name in files
            if name == "./chat/__init__.py" or name.startswith("./chat/core/")]


def pyscript_bundle() -> Path:
    """The file of PyScript's dist that carries its Python package."""
    for path in sorted(PYSCRIPT_DIST.glob("*.js")):
        if b'"display.py":"' in path.read_bytes():
            return path
    raise VendorError(f"PyScript's Python package was not found in {PYSCRIPT_DIST}.")


def make(previous: dict, key: str, inputs: str, kind: str, suffix: str, script_args,
         what: str) -> str:
    """The generated file `key` of runtime.json: the previous one if made from the same
    `inputs`, else made again by tools/snapshot.mjs."""
    old = previous.get(key)
    if old and previous.get("inputs", {}).get(key) == inputs and (VENDOR / old).is_file():
        return old
    print(f"Making {what}...", flush=True)
    with tempfile.TemporaryDirectory(dir=VENDOR, prefix=".make-") as work:
        made = Path(work) / f"{kind}{suffix}"
        run_node(SCRIPTS / "snapshot.mjs", *script_args(made), what=f"Making {what}")
        return place_file(kind, made, suffix)


def vendor() -> None:
    ensure_node_modules()
    VENDOR.mkdir(parents=True, exist_ok=True)
    previous = json.loads(RUNTIME.read_text()) if RUNTIME.exists() else {}
    missing = [str(PYODIDE_DIR / name) for name in PYODIDE_FILES
               if not (PYODIDE_DIR / name).exists()]
    if missing or not PYSCRIPT_DIST.is_dir():
        raise VendorError(f"Missing in node_modules: {', '.join(missing) or PYSCRIPT_DIST}. "
                          "Delete node_modules and run this again.")
    pyscript = place_folder("pyscript", {
        str(path.relative_to(PYSCRIPT_DIST)): path for path in sorted(PYSCRIPT_DIST.rglob("*"))
        if path.is_file() and path.suffix != ".map"})
    pyodide = place_folder("pyodide", {name: PYODIDE_DIR / name for name in PYODIDE_FILES})
    full_stdlib, bundle, python = PYODIDE_DIR / "python_stdlib.zip", pyscript_bundle(), app_python()
    inputs = {"stdlib": digest(full_stdlib, bundle, SCRIPTS / "stdlib.py",
                               SCRIPTS / "snapshot.mjs", *python)}
    stdlib = make(previous, "stdlib", inputs["stdlib"], "stdlib", ".zip",
                  lambda out: ("stdlib", PYODIDE_DIR, out, bundle, *python),
                  "the trimmed standard library (~5 s)")
    core = snapshot_files()
    inputs["snapshot"] = digest(pyodide, stdlib, SCRIPTS / "snapshot.mjs",
                                *(ROOT / name for name in core))
    snapshot = make(
        previous, "snapshot", inputs["snapshot"], "snapshot", ".bin",
        lambda out: ("snapshot", PYODIDE_DIR, VENDOR / stdlib, out, *core),
        "a snapshot of a started Pyodide (~10 s)")
    files = sorted([*(f"{folder}/{path.relative_to(VENDOR / folder)}"
                      for folder in (pyscript, pyodide)
                      for path in (VENDOR / folder).rglob("*")
                      if path.is_file() and path.suffix not in (".br", ".gz")),
                    stdlib, snapshot])
    compress(files)
    lock = json.loads((PYODIDE_DIR / "pyodide-lock.json").read_text())
    runtime = {
        "pyscript": pyscript + "/", "pyodide": pyodide + "/", "stdlib": stdlib,
        "snapshot": snapshot, "lock": {"info": lock["info"], "packages": {}},
        "files": files, "app": page_files(python), "inputs": inputs,
    }
    if runtime != previous:
        part = RUNTIME.with_name(".runtime.json.part")
        part.write_text(json.dumps(runtime, indent=1) + "\n")
        os.replace(part, RUNTIME)
    remove_stale(runtime)


def compress(files: list[str]) -> None:
    """Make FILE.br and FILE.gz of each of `files` that lacks one, or has one older than
    it (which server/static_server.py would not send)."""
    todo = [VENDOR / name for name in files if name.endswith(COMPRESSED)
            and not all(_current(VENDOR / name, VENDOR / f"{name}{suffix}")
                        for suffix in (".br", ".gz"))]
    if todo:
        print(f"Compressing {len(todo)} runtime files with brotli and gzip (~1 min)...",
              flush=True)
        run_node(SCRIPTS / "compress.mjs", *todo, what="Compressing the runtime")


def _current(file: Path, copy: Path) -> bool:
    return copy.is_file() and copy.stat().st_mtime >= file.stat().st_mtime


def page_files(python: list[Path]) -> list[str]:
    names = [*PAGE_FILES, *(str(path.relative_to(ROOT)) for path in python),
             "static/vendor/runtime.json"]
    return sorted({name for name in names if (ROOT / name).is_file()
                   or name == "static/vendor/runtime.json"})


def remove_stale(runtime: dict) -> None:
    """Everything in static/vendor/ that this runtime.json does not name."""
    keep = {"runtime.json", runtime["pyscript"].rstrip("/"), runtime["pyodide"].rstrip("/")}
    for name in (runtime["stdlib"], runtime["snapshot"]):
        keep |= {name, f"{name}.br", f"{name}.gz"}
    for path in VENDOR.iterdir():
        if path.name not in keep:
            shutil.rmtree(path) if path.is_dir() else path.unlink()


if __name__ == "__main__":
    try:
        vendor()
    except VendorError as error:
        sys.exit(str(error))

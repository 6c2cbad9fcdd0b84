"""Copy the page's runtime (PyScript and Pyodide) from node_modules into static/vendor/.

    python -m tools.vendor

Runs `npm ci` first when node_modules is missing or older than package-lock.json; that
also installs the devDependencies (axe-core, for the browser tests), which stay in
node_modules: only the runtime below is copied.
Then saves a memory snapshot of a started Pyodide (tools/snapshot.mjs, under Node), which
the page starts from. After this the repo folder is a complete static site.
static/vendor/ is git-ignored.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
LOCK_FILE = ROOT / "package-lock.json"
VENDOR = ROOT / "static" / "vendor"
PYSCRIPT_DIST = NODE_MODULES / "@pyscript" / "core" / "dist"
PYODIDE_DIR = NODE_MODULES / "pyodide"
# All five are needed: without the lock file Python silently never starts.
PYODIDE_FILES = (
    "pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip",
    "pyodide-lock.json",
)
SNAPSHOT = VENDOR / "pyodide" / "snapshot.bin"
SNAPSHOT_SCRIPT = ROOT / "tools" / "snapshot.mjs"
PAGE_CONFIG = ROOT / "pyscript.toml"  # its [files] table lists the page's Python files
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


def _copy(source: Path, target: Path) -> bool:
    """Copy when the target is missing or differs in size or age; True if copied."""
    if target.exists():
        s, t = source.stat(), target.stat()
        if s.st_size == t.st_size and s.st_mtime <= t.st_mtime:
            return False
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
    return True


def vendor() -> None:
    ensure_node_modules()
    copies = [
        (path, VENDOR / "pyscript" / path.relative_to(PYSCRIPT_DIST))
        for path in sorted(PYSCRIPT_DIST.rglob("*"))
        if path.is_file() and path.suffix != ".map"
    ]
    copies += [(PYODIDE_DIR / name, VENDOR / "pyodide" / name) for name in PYODIDE_FILES]
    missing = [str(source) for source, _ in copies if not source.exists()]
    if missing:
        raise VendorError(f"Missing in node_modules: {', '.join(missing)}. Delete node_modules "
                          "and run this again.")
    copied = sum(_copy(source, target) for source, target in copies)
    if copied:
        print(f"Copied {copied} runtime files into static/vendor/.", flush=True)
    snapshot([target for _, target in copies if target.parent == SNAPSHOT.parent])


def snapshot_files() -> list[str]:
    """The page's files that go into the snapshot, relative to the repo: chat/__init__.py
    and chat/core/ (the core imports nothing of the browser), as pyscript.toml lists them."""
    with PAGE_CONFIG.open("rb") as config:
        files = tomllib.load(config)["files"]
    return [name.removeprefix("./") for name in files
            if name == "./chat/__init__.py" or name.startswith("./chat/core/")]


def snapshot(pyodide_files: list[Path]) -> None:
    """Save the snapshot unless it is newer than the runtime, the chat core in it and
    the script making it."""
    core = snapshot_files()
    inputs = [*pyodide_files, SNAPSHOT_SCRIPT, PAGE_CONFIG, *(ROOT / name for name in core)]
    if SNAPSHOT.exists() and all(SNAPSHOT.stat().st_mtime >= p.stat().st_mtime for p in inputs):
        return
    node = shutil.which("node")
    if node is None:
        raise VendorError("node was not found. Install it (on Debian: apt-get install -y nodejs).")
    print("Saving a snapshot of a started Pyodide (~10 s)...", flush=True)
    result = subprocess.run([node, str(SNAPSHOT_SCRIPT), str(SNAPSHOT.parent), *core],
                            capture_output=True, text=True)
    if result.returncode != 0:
        SNAPSHOT.unlink(missing_ok=True)
        raise VendorError(f"Making the Pyodide snapshot failed:\n{result.stdout}{result.stderr}")


if __name__ == "__main__":
    try:
        vendor()
    except VendorError as error:
        sys.exit(str(error))

"""Where this install's runtime files are (static/vendor/runtime.json, by tools/vendor.py).

    vendored("pyscript", "core.js")   # "/static/vendor/pyscript-<hash>/core.js"
    vendored("snapshot")              # "/static/vendor/snapshot-<hash>.bin"
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

RUNTIME = Path(__file__).resolve().parents[2] / "static" / "vendor" / "runtime.json"


@cache
def runtime() -> dict:
    # Tests are collected before `make test` has vendored anything on a fresh clone: a
    # missing runtime.json names no files (the tests using them then fail, saying so).
    return json.loads(RUNTIME.read_text()) if RUNTIME.exists() else {}


def vendored(key: str, name: str = "") -> str:
    """The path the page requests for runtime.json's `key`, and `name` inside it."""
    return f"/static/vendor/{runtime().get(key, f'<{key}: no runtime.json>/')}{name}"

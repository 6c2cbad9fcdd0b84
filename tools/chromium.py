"""Find a Chromium for the browser tests, or install Debian's when root.

    python -m tools.chromium --install    # prints the path; exits non-zero if none

Order: Playwright's own build (present where `playwright install` could download it),
then a chromium on PATH, then (with --install, as root) `apt-get install -y chromium`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

NAMES = ("chromium", "chromium-browser", "google-chrome")

# Without the networking flags Chromium keeps trying to reach Google on a closed network.
LAUNCH_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


# Asked in a child process: Playwright's sync API refuses to start inside a running one.
_PLAYWRIGHT_OWN = """
from playwright.sync_api import sync_playwright
with sync_playwright() as playwright:
    print(playwright.chromium.executable_path)
"""


def find() -> str | None:
    own = subprocess.run([sys.executable, "-c", _PLAYWRIGHT_OWN], capture_output=True, text=True)
    if own.returncode == 0 and Path(own.stdout.strip()).exists():
        return own.stdout.strip()
    for name in NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def ensure() -> str:
    path = find()
    if path:
        return path
    if os.geteuid() != 0:
        sys.exit("No Chromium found. Install one (Debian: sudo apt-get install -y chromium), "
                 "then run this again.")
    print("No Chromium found: installing Debian's chromium with apt-get (~1 min)...", flush=True)
    subprocess.run(["apt-get", "update", "-q"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], check=True,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    path = find()
    if path is None:
        sys.exit("apt-get installed chromium but it is not on PATH; check /usr/bin/chromium.")
    return path


if __name__ == "__main__":
    print(ensure() if "--install" in sys.argv else (find() or "none"))

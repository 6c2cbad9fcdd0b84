"""An earlier version of server/provision, taken from git, to set up a database the way a
user of that version has it (for the upgrade tests)."""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def unpack(commit: str, workdir: Path) -> Path:
    """server/provision at `commit`, unpacked into `workdir` (returned, to run it from)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "server/__init__.py",
                              "server/provision"], capture_output=True, check=False)
    if archive.returncode != 0:
        pytest.fail(f"git archive {commit} failed: {archive.stderr.decode()}", pytrace=False)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(workdir, filter="data")
    return workdir


def provision(code: Path, directus, *flags: str) -> str:
    """Run that version against `directus` (which has `url` and `admin_token`); its output."""
    done = subprocess.run(
        [sys.executable, "-m", "server.provision", "--url", directus.url, "--token",
         directus.admin_token, *flags], cwd=code, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout

"""`make run`: the chat page and a local Directus with demo users, until Ctrl-C.

Installs what is missing (Node 22, Directus, the page runtime), creates the SQLite
database in data/ on the first run (later runs keep it), applies the chat setup, then
serves Directus on DIRECTUS_PORT (8055) and the repo folder on PAGE_PORT (8000).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import sys
import time
from pathlib import Path

from server import provision
from server.local import (
    ADMIN_EMAIL,
    DirectusServer,
    SetupError,
    bootstrap,
    ensure_directus,
    port_is_free,
)
from server.static_server import StaticServer
from tools import vendor

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
DB_FILE = DATA / "directus.db"
# Secrets of this local install: the admin token and password, and the JWT signing
# secret (kept across runs so signed-in pages stay signed in after a restart).
SECRETS_FILE = DATA / "local.json"


def _port(name: str, default: int) -> int:
    value = os.environ.get(name, str(default))
    if not value.isdigit():
        raise SetupError(f"{name} must be a port number, not {value!r}.")
    return int(value)


def _local_secrets() -> dict:
    if DB_FILE.exists() and SECRETS_FILE.exists():
        return read_secrets(SECRETS_FILE)
    print("First run: creating the local Directus database in data/ (about 30 s).", flush=True)
    make_private(DATA)
    admin_password = secrets.token_urlsafe(12)
    DB_FILE.unlink(missing_ok=True)
    token = bootstrap(DB_FILE, admin_password)
    values = {"admin_token": token, "admin_password": admin_password,
              "secret": secrets.token_hex(32)}
    write_secrets(SECRETS_FILE, values)
    return values


def make_private(folder: Path) -> None:
    """Create ``folder`` if missing; either way only its owner may enter it (0700)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)


def write_secrets(path: Path, values: dict) -> None:
    """Write ``values`` as JSON to ``path``, readable by its owner only (0600) from the moment
    the file exists: a new file is created with that mode, filled, then renamed over the old."""
    make_private(path.parent)
    new = path.with_name(path.name + ".new")
    new.unlink(missing_ok=True)
    with os.fdopen(os.open(new, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
        out.write(json.dumps(values, indent=2) + "\n")
    os.replace(new, path)


def read_secrets(path: Path) -> dict:
    """The values in ``path``; a file or folder that others may read is made owner-only first."""
    make_private(path.parent)
    path.chmod(path.stat().st_mode & 0o700)
    return json.loads(path.read_text())


def run() -> None:
    directus_port = _port("DIRECTUS_PORT", 8055)
    page_port = _port("PAGE_PORT", 8000)
    for name, port in (("DIRECTUS_PORT", directus_port), ("PAGE_PORT", page_port)):
        if not port_is_free(port):
            raise SetupError(f"Port {port} is already in use: stop what uses it, "
                             f"or pick another with {name}=<port> make run.")

    ensure_directus()
    vendor.vendor()
    local = _local_secrets()

    page_origin = f"http://127.0.0.1:{page_port}"
    directus = DirectusServer(DB_FILE, directus_port, page_origin, extra_env={
        "SECRET": local["secret"],
        # The page may be opened as localhost or 127.0.0.1; allow both origins.
        "CORS_ORIGIN": f"array:{page_origin},http://localhost:{page_port}",
    })
    print(f"Starting Directus on {directus.url} (log: {directus.log_path.relative_to(ROOT)})...",
          flush=True)
    directus.start()
    try:
        provision.provision(directus.url, local["admin_token"], demo_users=True)
        page = StaticServer(page_port, config={"directus_url": directus.url})
        page.start()
        try:
            _show(page.url, directus.url, local)
            _wait_until_stopped(directus)
        finally:
            page.stop()
    finally:
        print("Stopping...", flush=True)
        directus.stop()


def _show(page_url: str, directus_url: str, local: dict) -> None:
    print()
    print(f"  Chat:      {page_url}/")
    print("  Demo logins (email / password):")
    for email, password, _ in provision.DEMO_USERS.values():
        print(f"    {email:<20} {password}")
    print(f"  Directus admin app: {directus_url}/admin")
    print(f"    {ADMIN_EMAIL:<20} {local['admin_password']}")
    print("  Secrets (admin token and password, JWT secret), readable by you only:")
    print(f"    {SECRETS_FILE}")
    print()
    print("Press Ctrl-C to stop.", flush=True)


def _wait_until_stopped(directus: DirectusServer) -> None:
    """Return on Ctrl-C or SIGTERM; raise if Directus dies on its own."""
    try:
        while directus.process.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        return
    code = directus.process.returncode
    directus.process = None
    raise SetupError(f"Directus stopped unexpectedly (exit {code}); see {directus.log_path}.")


def main() -> None:
    # SIGTERM stops everything as cleanly as Ctrl-C, at any step.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        run()
    except (SetupError, vendor.VendorError, provision.ProvisionError) as error:
        sys.exit(f"make run: {error}")
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()

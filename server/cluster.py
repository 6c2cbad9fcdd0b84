"""Several Directus instances on one PostgreSQL with Redis, all on loopback.

The setup for users who outgrow one server, started from Debian's postgresql and
redis-server packages (no service, no Docker), for the tests and the load tool::

    from server.cluster import Cluster
    with Cluster(Path("/tmp/c"), instances=2) as cluster:
        cluster.urls          # ["http://127.0.0.1:PORT1", "http://127.0.0.1:PORT2"]
        cluster.admin_token   # static admin token; demo users alice, bob, carol exist

    python -m server.cluster --install   # apt-get install postgresql redis-server if missing

Every instance gets the same database, the same REDIS (the event bus: without it an
instance never hears of messages created through another) and the same SECRET (a
token signed by one instance is accepted by the others).
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from server.local import DirectusServer, SetupError, bootstrap, free_port

PACKAGES = ("postgresql", "redis-server")


def postgres_bin() -> Path | None:
    """The folder of Debian's PostgreSQL programs (initdb is not on PATH there)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def missing_packages() -> list[str]:
    missing = []
    if postgres_bin() is None:
        missing.append("postgresql")
    if shutil.which("redis-server") is None:
        missing.append("redis-server")
    return missing


def ensure_packages() -> None:
    """Install PostgreSQL and Redis from Debian when missing (root only)."""
    missing = missing_packages()
    if not missing:
        return
    if os.geteuid() != 0:
        raise SetupError(f"Missing {', '.join(missing)}: sudo apt-get install -y "
                         f"{' '.join(missing)}, then run this again.")
    print(f"Installing {', '.join(missing)} with apt-get...", flush=True)
    subprocess.run(["apt-get", "update", "-q"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-q", *missing], check=True,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


class Postgres:
    """A throwaway PostgreSQL on 127.0.0.1, run as the postgres user when we are root
    (PostgreSQL refuses to run as root)."""

    def __init__(self) -> None:
        bin_dir = postgres_bin()
        if bin_dir is None:
            raise SetupError("PostgreSQL is not installed: apt-get install -y postgresql")
        self.bin_dir = bin_dir
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="chat-postgres-"))
        self.as_owner: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
            self.as_owner = ["runuser", "-u", "postgres", "--"]

    def run(self, tool: str, *args: str) -> None:
        result = subprocess.run([*self.as_owner, str(self.bin_dir / tool), *args],
                                capture_output=True, text=True, cwd=self.dir)
        if result.returncode != 0:
            raise SetupError(f"{tool} failed: {result.stderr.strip()[-2000:]}")

    def start(self) -> None:
        self.run("initdb", "-D", str(self.dir / "data"), "-U", "chat", "--auth=trust")
        self.run("pg_ctl", "-D", str(self.dir / "data"), "-l", str(self.dir / "log"), "-w",
                 "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                 "-c max_connections=200", "start")

    def stop(self) -> None:
        if (self.dir / "data" / "postmaster.pid").exists():
            self.run("pg_ctl", "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)

    def directus_env(self, database: str) -> dict[str, str]:
        """Create ``database`` and return the DB_* settings that point Directus at it."""
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "chat", database)
        return {"DB_CLIENT": "pg", "DB_HOST": "127.0.0.1", "DB_PORT": str(self.port),
                "DB_DATABASE": database, "DB_USER": "chat", "DB_PASSWORD": "unused"}


class Redis:
    """redis-server on 127.0.0.1, in memory only."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 10) -> None:
        program = shutil.which("redis-server")
        if program is None:
            raise SetupError("redis-server is not installed: apt-get install -y redis-server")
        self.process = subprocess.Popen(
            [program, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise SetupError(f"redis-server did not answer on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


class Cluster:
    """``instances`` Directus servers sharing one PostgreSQL database and one Redis.

    ``extra_env`` adds settings to every instance. ``workdir`` holds each instance's
    log (instance-N/directus.log).
    """

    def __init__(self, workdir: Path, instances: int = 2, page_origin: str = "http://127.0.0.1",
                 extra_env: dict[str, str] | None = None) -> None:
        self.workdir = Path(workdir)
        self.instances = instances
        self.page_origin = page_origin
        self.extra_env = extra_env or {}
        self.postgres = Postgres()
        self.redis = Redis()
        self.servers: list[DirectusServer] = []
        self.admin_token = ""

    @property
    def urls(self) -> list[str]:
        return [server.url for server in self.servers]

    def start(self) -> None:
        try:
            self.postgres.start()
            self.redis.start()
            env = {**self.postgres.directus_env("chat"), "REDIS": self.redis.url,
                   "SYNCHRONIZATION_STORE": "redis", "KEY": secrets.token_hex(16),
                   "SECRET": secrets.token_hex(32), **self.extra_env}
            self.admin_token = bootstrap(self.workdir / "bootstrap" / "directus.db",
                                         extra_env=env)
            self.servers = [DirectusServer(self.workdir / f"instance-{n}" / "directus.db",
                                           free_port(), self.page_origin, env)
                            for n in range(1, self.instances + 1)]
            with ThreadPoolExecutor(self.instances) as pool:
                list(pool.map(DirectusServer.start, self.servers))
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        for server in self.servers:
            server.stop()
        self.servers.clear()
        self.redis.stop()
        self.postgres.stop()

    def __enter__(self) -> Cluster:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


if __name__ == "__main__":
    try:
        if "--install" in sys.argv:
            ensure_packages()
        else:
            sys.exit(__doc__)
    except (SetupError, subprocess.CalledProcessError) as error:
        sys.exit(str(error))

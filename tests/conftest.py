"""Fixtures shared by all test layers. Everything is lazy: unit tests start nothing.

- `directus_template`: a SQLite database bootstrapped and set up once per session
  (`.db_file`, `.admin_token`).
- `directus`: the session's Directus, from a copy of the template (see `Directus` below).
- `directus_factory(**extra_env)`: one more Directus from a fresh copy, with its own page
  server, e.g. `directus_factory(ACCESS_TOKEN_TTL="15s")`; stopped at teardown.
- `page_server`: the repo folder served over HTTP; its /config.json points at `directus`.
- `postgres`: a PostgreSQL server from Debian's binaries on a free port;
  `postgres.directus_env(database)` creates a database and returns the DB_* settings.
- `base_url`: `page_server.url`, so Playwright tests can `page.goto("/")`.
- Chromium for pytest-playwright: Playwright's own build if present, else the system's.
"""

from __future__ import annotations

import json
import shutil
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from server.cluster import Postgres
from server.local import DirectusServer, SetupError, bootstrap, ensure_directus, free_port
from server.provision import DEMO_USERS
from tools import chromium
from tools.static_server import StaticServer

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Template:
    db_file: Path
    admin_token: str


class Directus(DirectusServer):
    """A running Directus for tests, with the chat setup and the demo users.

    Attributes: `url` (http://127.0.0.1:PORT), `ws_url` (ws://.../websocket),
    `admin_token`, `users` ({"alice": (email, password), "bob": ..., "carol": ...}),
    `page_url` (a static server for the repo folder whose config.json points here;
    it is the origin CORS allows), `log_path`. Methods: `restart()` (same data, same
    signing secret, so tokens survive), `stop()`, `start()`, `login(name)`.
    """

    def __init__(self, template: Template, directory: Path, page: StaticServer,
                 port: int | None = None, extra_env: dict[str, str] | None = None):
        db_file = directory / "directus.db"
        shutil.copyfile(template.db_file, db_file)
        super().__init__(db_file, port or free_port(), page.url, extra_env)
        self.ws_url = "ws" + self.url.removeprefix("http") + "/websocket"
        self.admin_token = template.admin_token
        self.users = {name: (email, password) for name, (email, password, _) in DEMO_USERS.items()}
        self.page_url = page.url

    def login(self, name: str) -> dict:
        """Log a demo user in over REST; returns {access_token, refresh_token, expires}."""
        email, password = self.users[name]
        request = urllib.request.Request(
            f"{self.url}/auth/login", method="POST",
            data=json.dumps({"email": email, "password": password}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)["data"]


def pytest_collection_modifyitems(items):
    """Run tests/unit first and the browser tests (tests/e2e, tests/bench) last, other
    folders in between: fastest feedback first, and Playwright's sync API keeps an event
    loop running in the main thread once started, after which `asyncio.run()` in a later
    test fails."""

    def layer(item):
        folder = Path(str(item.path)).relative_to(ROOT).parts[1]
        return {"unit": 0, "e2e": 2, "bench": 2}.get(folder, 1)

    items.sort(key=layer)


def _start(server: DirectusServer) -> None:
    try:
        server.start()
    except SetupError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def directus_template(tmp_path_factory) -> Template:
    db_file = tmp_path_factory.mktemp("directus-template") / "template.db"
    try:
        ensure_directus()
        token = bootstrap(db_file)
    except SetupError as error:
        pytest.fail(str(error), pytrace=False)
    return Template(db_file, token)


@pytest.fixture(scope="session")
def _directus_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def page_server(_directus_port):
    server = StaticServer(config={"directus_url": f"http://127.0.0.1:{_directus_port}"})
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def directus(directus_template, page_server, _directus_port, tmp_path_factory):
    server = Directus(directus_template, tmp_path_factory.mktemp("directus"), page_server,
                      port=_directus_port)
    _start(server)
    yield server
    server.stop()


@pytest.fixture
def directus_factory(directus_template, tmp_path_factory):
    started = []

    def make(**extra_env: str) -> Directus:
        port = free_port()
        page = StaticServer(config={"directus_url": f"http://127.0.0.1:{port}"})
        page.start()
        server = Directus(directus_template, tmp_path_factory.mktemp("directus"), page,
                          port=port, extra_env=extra_env)
        started.append((server, page))
        _start(server)
        return server

    yield make
    for server, page in started:
        server.stop()
        page.stop()


@pytest.fixture(scope="session")
def postgres():
    try:
        server = Postgres()
        server.start()
    except SetupError as error:
        pytest.fail(f"{error} (make test installs it)", pytrace=False)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def base_url(page_server) -> str:
    return page_server.url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    executable = chromium.find()
    if executable is None:
        pytest.fail("No Chromium found: run `make test`, which installs one.", pytrace=False)
    return {**browser_type_launch_args, "executable_path": executable,
            "args": chromium.LAUNCH_FLAGS}

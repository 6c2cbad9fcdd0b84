"""Fixtures shared by all test layers. Everything is lazy: unit tests start nothing.

- `bare_template`: a SQLite database bootstrapped once per session, as a new Directus
  project starts (no collections, only the admin); the templates below are copies of it.
- `directus_template`: the bare one with the chat setup and demo users (server.provision).
- `tutorial_templates(variant)`: the bare one built the way the tutorial says
  (tests/tutorial_db.py: "tutorial" is the integer id, four fields, Public create+read
  and roleless users; "uuid" the uuid variant without date_updated), with some history.
- `directus`: the session's Directus, from a copy of the template (see `Directus` below).
- `directus_factory(**extra_env)`: one more Directus from a fresh copy, with its own page
  server, e.g. `directus_factory(ACCESS_TOKEN_TTL="15s")`; stopped at teardown;
  `directus_module_factory` for servers a test module shares.
- `tutorial_factory(variant="tutorial", **extra_env)`: the same from a tutorial template;
  `tutorial_module_factory` for servers a test module shares.
- `bare_factory()`: the same from the bare template.
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
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from server.cluster import Postgres
from server.local import DirectusServer, SetupError, bootstrap, ensure_directus, free_port
from server.provision import DEMO_USERS, ProvisionError, provision
from server.static_server import StaticServer
from tests import tutorial_db
from tools import chromium

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
    it is the origin CORS allows), `page_server` (that server), `log_path`. Methods:
    `restart()` (same data, same signing secret, so tokens survive), `stop()`, `start()`,
    `login(name)`.
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
        self.page_server = page

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


def _derive(template: Template, directory: Path, prepare) -> Template:
    """A new template: a copy of `template` after `prepare(url, admin_token)` ran on it."""
    db_file = directory / "template.db"
    shutil.copyfile(template.db_file, db_file)
    server = DirectusServer(db_file, free_port(), "http://127.0.0.1")
    _start(server)
    try:
        prepare(server.url, template.admin_token)
    except (ProvisionError, OSError) as error:
        pytest.fail(f"Preparing {directory.name} failed: {error}. {server.log_tail()}",
                    pytrace=False)
    finally:
        server.stop()
    return Template(db_file, template.admin_token)


@pytest.fixture(scope="session")
def bare_template(tmp_path_factory) -> Template:
    db_file = tmp_path_factory.mktemp("bare-template") / "template.db"
    try:
        ensure_directus()
        token = bootstrap(db_file, chat_setup=False)
    except SetupError as error:
        pytest.fail(str(error), pytrace=False)
    return Template(db_file, token)


@pytest.fixture(scope="session")
def directus_template(bare_template, tmp_path_factory) -> Template:
    return _derive(bare_template, tmp_path_factory.mktemp("directus-template"),
                   lambda url, token: provision(url, token, demo_users=True, quiet=True))


@pytest.fixture(scope="session")
def tutorial_templates(bare_template, tmp_path_factory):
    made: dict[str, Template] = {}

    def get(variant: str) -> Template:
        def prepare(url, token):
            tutorial_db.build(url, token, tutorial_db.VARIANTS[variant])
            tutorial_db.seed(url, token)

        if variant not in made:
            made[variant] = _derive(bare_template, tmp_path_factory.mktemp(f"tutorial-{variant}"),
                                    prepare)
        return made[variant]

    return get


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


@contextmanager
def _pool(tmp_path_factory):
    """start(template, **extra_env): a Directus on a fresh copy, with its own page server;
    all stopped on leaving."""
    started = []

    def start(template: Template, **extra_env: str) -> Directus:
        port = free_port()
        page = StaticServer(config={"directus_url": f"http://127.0.0.1:{port}"})
        page.start()
        server = Directus(template, tmp_path_factory.mktemp("directus"), page,
                          port=port, extra_env=extra_env)
        started.append((server, page))
        _start(server)
        return server

    try:
        yield start
    finally:
        for server, page in started:
            server.stop()
            page.stop()


@pytest.fixture
def _servers(tmp_path_factory):
    with _pool(tmp_path_factory) as start:
        yield start


@pytest.fixture(scope="module")
def _module_servers(tmp_path_factory):
    with _pool(tmp_path_factory) as start:
        yield start


@pytest.fixture
def directus_factory(directus_template, _servers):
    return lambda **extra_env: _servers(directus_template, **extra_env)


@pytest.fixture(scope="module")
def directus_module_factory(directus_template, _module_servers):
    """Like `directus_factory`, for servers a whole test module shares."""
    return lambda **extra_env: _module_servers(directus_template, **extra_env)


@pytest.fixture
def tutorial_factory(tutorial_templates, _servers):
    return lambda variant="tutorial", **extra_env: _servers(tutorial_templates(variant),
                                                            **extra_env)


@pytest.fixture(scope="module")
def tutorial_module_factory(tutorial_templates, _module_servers):
    """Like `tutorial_factory`, for servers a whole test module shares."""
    return lambda variant="tutorial", **extra_env: _module_servers(tutorial_templates(variant),
                                                                   **extra_env)


@pytest.fixture
def bare_factory(bare_template, _servers):
    return lambda **extra_env: _servers(bare_template, **extra_env)


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

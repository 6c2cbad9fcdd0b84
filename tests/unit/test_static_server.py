"""The page's static server serves the page's files and nothing else."""

import urllib.error
import urllib.request

import pytest

from tools.static_server import StaticServer, connect_sources


@pytest.fixture
def served(tmp_path):
    for name in ("index.html", "main.py", "chat/client.py", "static/vendor/pyodide/a.mjs",
                 "static/vendor/pyodide/a.wasm", "data/local.json", ".git/config",
                 ".venv/bin/python", "server/provision.py", "config.json"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(name)
    server = StaticServer(root=tmp_path, config={"directus_url": "http://127.0.0.1:9"})
    server.start()
    yield server
    server.stop()


def get(server, path):
    try:
        with urllib.request.urlopen(server.url + path, timeout=5) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, None, b""


def test_page_files_are_served_with_the_types_pyodide_needs(served):
    assert get(served, "/")[0] == 200
    assert get(served, "/chat/client.py")[2] == b"chat/client.py"
    assert get(served, "/static/vendor/pyodide/a.mjs")[1] == "text/javascript"
    assert get(served, "/static/vendor/pyodide/a.wasm")[1] == "application/wasm"
    assert get(served, "/config.json")[2] == b'{"directus_url": "http://127.0.0.1:9"}'


@pytest.mark.parametrize("path", ["/data/local.json", "/.git/config", "/.venv/bin/python",
                                  "/server/provision.py", "/static/../data/local.json",
                                  "/chat/", "/static/vendor/"])
def test_secrets_tools_and_listings_are_not_served(served, path):
    assert get(served, path)[0] == 404


def test_the_page_policy_names_the_configured_directus(served, tmp_path):
    (tmp_path / "index.html").write_text(
        "<meta content=\"connect-src 'self' http://127.0.0.1:8055 ws://127.0.0.1:8055;\">")
    page = get(served, "/")[2].decode()
    assert "connect-src 'self' http://127.0.0.1:9 ws://127.0.0.1:9;" in page
    assert connect_sources("https://chat.example.com/") == (
        "https://chat.example.com wss://chat.example.com")

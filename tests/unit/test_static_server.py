"""The page's static server serves the page's files and nothing else, however the path
is spelt: it decides on the decoded path, resolved against the root with symlinks
followed."""

import http.client

import pytest

from server.static_server import StaticServer, connect_sources

FILES = ("index.html", "main.py", "pyscript.toml", "config.json", "chat/client.py",
         "static/app.css", "static/icon.svg", "static/vendor/pyodide/a.mjs",
         "static/vendor/pyodide/a.wasm", "static/vendor/pyodide/snapshot.bin",
         "static/vendor/pyodide/python_stdlib.zip", "static/vendor/pyscript/core.js",
         "bench/reference/index.html", "bench/run.py", "static/.hidden", "chat/.env",
         "data/local.json", ".git/config", ".venv/bin/python", "server/provision.py",
         "server/node_modules/directus/package.json", "pyproject.toml", "tools/run.py")


@pytest.fixture(scope="module")
def outside(tmp_path_factory):
    """A folder next to the served root, holding a secret."""
    folder = tmp_path_factory.mktemp("outside")
    (folder / "secret.txt").write_text("outside secret")
    return folder


@pytest.fixture(scope="module")
def root(tmp_path_factory, outside):
    root = tmp_path_factory.mktemp("root")
    for name in FILES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(name)
    (root / "static" / "out").symlink_to(outside)
    (root / "static" / "out.txt").symlink_to(outside / "secret.txt")
    (root / "static" / "data").symlink_to(root / "data")
    (root / "static" / "local.json").symlink_to(root / "data" / "local.json")
    (root / "static" / "loop").symlink_to(root / "static" / "loop")
    (root / "static" / "alias.css").symlink_to(root / "static" / "app.css")
    return root


@pytest.fixture(scope="module")
def served(root):
    server = StaticServer(root=root, config={"directus_url": "http://127.0.0.1:9"})
    server.start()
    yield server
    server.stop()


def request(server, path, method="GET"):
    """Sends ``path`` exactly as given (no client-side normalising or quoting)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def get(server, path):
    status, headers, body = request(server, path)
    return status, headers.get("Content-Type"), body


@pytest.mark.parametrize(("path", "content_type"), [
    ("/", "text/html; charset=utf-8"),
    ("/index.html", "text/html; charset=utf-8"),
    ("/main.py", "text/x-python"),
    ("/pyscript.toml", "application/toml"),
    ("/config.json", "application/json"),
    ("/chat/client.py", "text/x-python"),
    ("/static/app.css", "text/css"),
    ("/static/icon.svg", "image/svg+xml"),
    ("/static/alias.css", "text/css"),  # a symlink that stays inside static/
    ("/static/vendor/pyodide/a.mjs", "text/javascript"),
    ("/static/vendor/pyodide/a.wasm", "application/wasm"),
    ("/static/vendor/pyodide/snapshot.bin", "application/octet-stream"),
    ("/static/vendor/pyodide/python_stdlib.zip", "application/zip"),
    ("/static/vendor/pyscript/core.js", "text/javascript"),
    ("/bench/reference/index.html", "text/html; charset=utf-8"),
    ("/chat/client.py?v=2", "text/x-python"),
    ("/chat/client.py#top", "text/x-python"),
    ("/chat/%63lient.py", "text/x-python"),  # an encoded letter is just that letter
])
def test_page_files_are_served_with_the_types_the_browser_needs(served, path, content_type):
    status, got_type, body = get(served, path)
    assert (status, got_type) == (200, content_type)
    assert body


def test_file_contents_are_served_and_config_is_the_override(served):
    assert get(served, "/chat/client.py")[2] == b"chat/client.py"
    assert get(served, "/static/alias.css")[2] == b"static/app.css"
    assert get(served, "/config.json")[2] == b'{"directus_url": "http://127.0.0.1:9"}'


@pytest.mark.parametrize("path", [
    # Plain requests for what is not the page.
    "/data/local.json", "/data/", "/.git/config", "/.venv/bin/python", "/pyproject.toml",
    "/server/provision.py", "/server/node_modules/directus/package.json", "/tools/run.py",
    "/bench/run.py", "/static/.hidden", "/chat/.env",
    # Dot segments, plain and percent-encoded in any case, once and twice.
    "/static/../data/local.json", "/chat/./client.py", "/chat/%2e%2e/data/local.json",
    "/chat/%2E%2E/data/local.json", "/static/%2e%2E/data/local.json",
    "/chat/%2e%2e/%2egit/config", "/chat/%2e%2e/pyproject.toml", "/static/%2e/app.css",
    "/chat/%252e%252e/data/local.json", "/chat/%25252e%25252e/data/local.json",
    "/%2e%2e/%2e%2e/etc/passwd", "/%2egit/config", "/static/%2ehidden",
    # Encoded slashes and backslashes, raw and encoded.
    "/chat/..%2fdata/local.json", "/chat%2f..%2fdata%2flocal.json", "/%2fetc/passwd",
    "/chat/%2F..%2Fdata/local.json", "/chat%2fclient.py", "/chat/..\\data\\local.json",
    "/chat\\..\\data/local.json",
    "/chat/..%5cdata%5clocal.json", "/chat/%5C..%5Cdata/local.json", "/static\\app.css",
    # Empty segments.
    "//data/local.json", "//etc/passwd", "/chat//../data/local.json", "/chat//client.py",
    # NUL and undecodable bytes.
    "/chat/client.py%00", "/chat/client.py%00.html", "/chat/%ff.py", "/chat/%",
    # Symlinks inside static/ that lead outside the root, into data/ or round in a loop.
    "/static/out/secret.txt", "/static/out.txt", "/static/data/local.json",
    "/static/local.json", "/static/loop",
    # Query strings and fragments do not carry a path through.
    "/data/local.json?/index.html", "/data/local.json#/index.html",
    "/chat/%2e%2e/data/local.json?v=1", "/chat/%2e%2e/data/local.json#x",
    "/data/local.json%3f/index.html", "/data/local.json%23/index.html",
    # Directory listings, with and without the slash.
    "/chat/", "/chat", "/static/vendor/", "/static", "/bench/", "/bench/reference/",
    # Not a path at all.
    "*", "chat/client.py", "http://127.0.0.1/data/local.json",
])
def test_secrets_tools_and_listings_are_not_served(served, path):
    status, _, body = get(served, path)
    assert status == 404
    assert b"secret" not in body and b"local.json" not in body


@pytest.mark.parametrize("path", ["/", "/chat/client.py", "/static/vendor/pyodide/a.wasm",
                                  "/config.json", "/chat/%2e%2e/data/local.json",
                                  "/static/out.txt", "/chat/"])
def test_head_answers_like_get_without_a_body(served, path):
    get_status, get_headers, get_body = request(served, path)
    head_status, head_headers, head_body = request(served, path, "HEAD")
    assert head_status == get_status
    assert head_body == b""
    for header in ("Content-Type", "Content-Length", "Cache-Control"):
        assert head_headers.get(header) == get_headers.get(header), header
    if get_status == 200:
        assert int(get_headers["Content-Length"]) == len(get_body)


def test_the_real_folder_serves_the_page_and_the_benchmark_only():
    """Against this repo: what the page and the benchmark load is served, and the
    traversals reported against main (the admin token, .git, pyproject.toml) are not."""
    server = StaticServer()
    server.start()
    try:
        for path in ("/", "/main.py", "/pyscript.toml", "/config.json", "/chat/ui/view.py",
                     "/static/boot.js", "/static/pyodide-snapshot.mjs",
                     "/bench/reference/index.html", "/bench/python-hello/index.html"):
            assert get(server, path)[0] == 200, path
        for path in ("/chat/%2e%2e/data/local.json", "/static/%2E%2E/data/local.json",
                     "/chat/%2e%2e/%2egit/config", "/chat/%2e%2e/pyproject.toml",
                     "/.git", "/.venv/pyvenv.cfg", "/server/node_modules/",
                     "/bench/run.py", "/server/static_server.py", "/README.md"):
            assert get(server, path)[0] == 404, path
    finally:
        server.stop()


def test_the_page_policy_names_the_configured_directus(tmp_path):
    (tmp_path / "index.html").write_text(
        "<meta content=\"connect-src 'self' http://127.0.0.1:8055 ws://127.0.0.1:8055;\">")
    server = StaticServer(root=tmp_path, config={"directus_url": "http://127.0.0.1:9"})
    server.start()
    try:
        page = get(server, "/")[2].decode()
    finally:
        server.stop()
    assert "connect-src 'self' http://127.0.0.1:9 ws://127.0.0.1:9;" in page
    assert connect_sources("https://chat.example.com/") == (
        "https://chat.example.com wss://chat.example.com")

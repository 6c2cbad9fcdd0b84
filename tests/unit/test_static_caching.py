"""The static server's caching and compression: runtime files (named by content) are
kept for good, everything else is revalidated (304 when unchanged), and a browser gets
the precompressed copy its Accept-Encoding takes, with Vary: Accept-Encoding."""

import gzip
import http.client
import os

import pytest

from server.static_server import IMMUTABLE, StaticServer, accepted

APP_JS = "let x = 1;\n" * 300  # big enough to be worth gzipping


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    root = tmp_path_factory.mktemp("root")
    vendor = root / "static" / "vendor"
    (vendor / "pyodide-abc").mkdir(parents=True)
    (vendor / "pyodide-abc" / "pyodide.asm.wasm").write_bytes(b"\0asm" + b"w" * 5000)
    (vendor / "pyodide-abc" / "pyodide.asm.wasm.br").write_bytes(b"brotli copy")
    (vendor / "pyodide-abc" / "pyodide.asm.wasm.gz").write_bytes(b"gzip copy")
    (vendor / "runtime.json").write_text('{"pyodide": "pyodide-abc/"}')
    (root / "static" / "boot.js").write_text(APP_JS)
    (root / "static" / "icon.svg").write_text("<svg/>")  # too small to compress
    (root / "index.html").write_text("<!doctype html><title>chat</title>")
    return root


@pytest.fixture(scope="module")
def served(root):
    server = StaticServer(root=root)
    server.start()
    yield server
    server.stop()


def request(server, path, **headers):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name.replace("_", "-"), value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


WASM = "/static/vendor/pyodide-abc/pyodide.asm.wasm"


@pytest.mark.parametrize("path, cache_control", [
    (WASM, IMMUTABLE),
    ("/static/vendor/runtime.json", "no-cache"),  # the one name in vendor/ that stays
    ("/static/boot.js", "no-cache"),
    ("/index.html", "no-cache"),
])
def test_runtime_files_are_kept_for_good_and_the_rest_revalidated(served, path,
                                                                  cache_control):
    status, headers, _ = request(served, path)
    assert status == 200
    assert headers["Cache-Control"] == cache_control
    assert headers["ETag"] and headers["Last-Modified"]


@pytest.mark.parametrize("path", [WASM, "/static/boot.js", "/index.html"])
def test_an_unchanged_file_is_answered_304_by_etag_and_by_date(served, path):
    _, headers, _ = request(served, path, Accept_Encoding="gzip")
    status, again, body = request(served, path, Accept_Encoding="gzip",
                                  If_None_Match=headers["ETag"])
    assert (status, body) == (304, b"")
    assert again["ETag"] == headers["ETag"]
    status, _, body = request(served, path, If_Modified_Since=headers["Last-Modified"])
    assert (status, body) == (304, b"")
    assert request(served, path, If_None_Match='"other"')[0] == 200


def test_a_changed_file_is_sent_again(served, root):
    file = root / "main.py"
    file.write_text("print(1)\n")
    _, headers, _ = request(served, "/main.py")
    file.write_text("print(2)\n")
    stat = file.stat()
    os.utime(file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    status, _, body = request(served, "/main.py", If_None_Match=headers["ETag"])
    assert (status, body) == (200, b"print(2)\n")


@pytest.mark.parametrize("accept, encoding, body", [
    ("gzip, deflate, br, zstd", "br", b"brotli copy"),
    ("gzip", "gzip", b"gzip copy"),
    ("br;q=0, gzip;q=0.5", "gzip", b"gzip copy"),
    ("identity", None, b"\0asm" + b"w" * 5000),
    (None, None, b"\0asm" + b"w" * 5000),
])
def test_the_precompressed_copy_the_browser_takes_is_sent(served, accept, encoding, body):
    headers = {"Accept_Encoding": accept} if accept else {}
    status, got, data = request(served, WASM, **headers)
    assert (status, got.get("Content-Encoding"), data) == (200, encoding, body)
    assert got["Vary"] == "Accept-Encoding"
    assert got["Content-Type"] == "application/wasm"
    assert int(got["Content-Length"]) == len(body)


def test_each_encoding_has_its_own_etag(served):
    tags = {request(served, WASM, **({"Accept_Encoding": e} if e else {}))[1]["ETag"]
            for e in ("br", "gzip", None)}
    assert len(tags) == 3


def test_the_page_s_own_text_files_are_gzipped_on_the_fly(served):
    status, headers, body = request(served, "/static/boot.js", Accept_Encoding="gzip, br")
    assert (status, headers["Content-Encoding"], headers["Vary"]) == (200, "gzip",
                                                                     "Accept-Encoding")
    assert gzip.decompress(body).decode() == APP_JS
    status, headers, body = request(served, "/static/boot.js")
    assert headers.get("Content-Encoding") is None and body.decode() == APP_JS


def test_a_tiny_file_is_sent_as_it_is(served):
    _, headers, body = request(served, "/static/icon.svg", Accept_Encoding="gzip")
    assert headers.get("Content-Encoding") is None and body == b"<svg/>"
    assert "Vary" not in headers


def test_a_precompressed_copy_older_than_its_file_is_not_used(tmp_path):
    (tmp_path / "static" / "vendor").mkdir(parents=True)
    file = tmp_path / "static" / "vendor" / "a.js"
    (tmp_path / "static" / "vendor" / "a.js.gz").write_bytes(b"stale copy")
    file.write_text(APP_JS)
    os.utime(file.with_name("a.js.gz"), (0, 0))
    server = StaticServer(root=tmp_path)
    server.start()
    try:
        _, headers, body = request(server, "/static/vendor/a.js", Accept_Encoding="gzip")
    finally:
        server.stop()
    assert gzip.decompress(body).decode() == APP_JS


def test_accept_encoding_is_read_with_its_weights():
    assert accepted("gzip, deflate, br, zstd") == {"gzip", "deflate", "br", "zstd"}
    assert accepted("br;q=0, gzip;q=0.8") == {"gzip"}
    assert accepted("GZIP ; q=1.0") == {"gzip"}
    assert accepted("") == accepted(None) == set()

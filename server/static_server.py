"""A static file server for the repo folder, used by `make run`, the tests and docker-compose.

    python -m server.static_server --port 8000 --directus-url http://127.0.0.1:8055

    server = StaticServer(port=8000, config={"directus_url": "http://127.0.0.1:8055"})
    server.start()          # serves in a background thread; server.url is the page origin
    ...
    server.stop()

Any static server works for the page (it is a plain folder); this one adds the right
MIME types for Pyodide's files, can answer /config.json with an override so the page
talks to a Directus on a non-default port (and writes that Directus into index.html's
Content-Security-Policy), and serves only the page's own files (see `public_file`):
never data/ (the local admin token), .git, .venv or the tools, however the path is
spelt. It serves the files itself: no directory listings, no path translation but its own.

Caching and compression, as the README's nginx example does it:

- static/vendor/ (but its runtime.json) holds files named by their content
  (tools/vendor.py): `Cache-Control: public, max-age=31536000, immutable`; everything
  else is `no-cache`, revalidated on each use with its ETag or Last-Modified (304).
- A file with a precompressed copy beside it (FILE.br, FILE.gz, made by tools/vendor.py)
  is sent as that copy when the browser's Accept-Encoding takes it (brotli first);
  other text files of some size are gzipped on the fly. `Vary: Accept-Encoding` either way.
"""

from __future__ import annotations

import argparse
import email.utils
import gzip
import hashlib
import json
import mimetypes
import os
import shutil
import threading
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MIME_TYPES = {
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".wasm": "application/wasm",
    ".json": "application/json",
    ".toml": "application/toml",
    ".py": "text/x-python",
    ".zip": "application/zip",
    ".css": "text/css",
    ".html": "text/html; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".webmanifest": "application/manifest+json",
}
IMMUTABLE = "public, max-age=31536000, immutable"
VENDOR = "static/vendor"
REVALIDATED = (f"{VENDOR}/runtime.json",)  # in VENDOR, but its name does not change
# Worth gzipping on the fly (types of the page's own files; the runtime comes compressed).
COMPRESSIBLE = ("text/", "application/json", "application/toml", "application/manifest+json",
                "image/svg+xml")
MIN_COMPRESSED = 1024  # bytes: below this a gzip header costs more than it saves


# The Directus origins that index.html's Content-Security-Policy allows, as committed.
DEFAULT_CONNECT = "http://127.0.0.1:8055 ws://127.0.0.1:8055"


def connect_sources(directus_url: str) -> str:
    """The REST and socket origins of ``directus_url``, for the policy's connect-src."""
    scheme, _, rest = directus_url.rstrip("/").partition("://")
    origin = rest.split("/")[0]
    return f"{scheme}://{origin} {'wss' if scheme == 'https' else 'ws'}://{origin}"


# What the page and the benchmark's pages load; everything else is 404.
PUBLIC_FILES = ("index.html", "pyscript.toml", "main.py", "config.json", "sw.js")
PUBLIC_FOLDERS = ("chat", "static", "bench/reference", "bench/python-hello")


def public_file(root: Path, request_path: str) -> Path | None:
    """The file under ``root`` that ``request_path`` (as sent) names, if the page may
    load it; else None.

    Each segment of the path is percent-decoded once; a segment that is empty, starts
    with "." or holds a slash, backslash or NUL once decoded is refused. The file is then
    resolved (symlinks followed) and must be a regular file among PUBLIC_FILES or inside
    PUBLIC_FOLDERS of the resolved root, with no hidden name on the way.
    """
    path = request_path.split("?", 1)[0].split("#", 1)[0]
    if not path.startswith("/"):
        return None
    try:
        segments = [urllib.parse.unquote(segment, errors="strict")
                    for segment in ("/index.html" if path == "/" else path)[1:].split("/")]
    except UnicodeDecodeError:
        return None
    if any(segment == "" or segment.startswith(".") or "/" in segment or "\\" in segment
           or "\0" in segment for segment in segments):
        return None
    root = root.resolve()
    try:
        resolved = root.joinpath(*segments).resolve(strict=True)
    except (OSError, RuntimeError):  # missing, or a symlink loop
        return None
    allowed = ((resolved.parent == root and resolved.name in PUBLIC_FILES)
               or any(resolved.is_relative_to(root / folder) for folder in PUBLIC_FOLDERS))
    if not allowed or not resolved.is_file():
        return None
    # A symlink may lead to a hidden name that the request did not spell.
    if any(part.startswith(".") for part in resolved.relative_to(root).parts):
        return None
    return resolved


@dataclass(frozen=True)
class Body:
    """One representation of a file: what is sent, and how it is labelled."""
    data: bytes | None  # None: the file itself (`path`) is sent
    path: Path
    size: int
    encoding: str | None  # Content-Encoding
    etag: str


def accepted(header: str | None) -> set[str]:
    """The content codings an Accept-Encoding header takes (q > 0)."""
    taken = set()
    for item in (header or "").split(","):
        name, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0 and name:
            taken.add(name.strip().lower())
    return taken


class Handler(BaseHTTPRequestHandler):
    root: Path = ROOT  # resolved
    config: bytes | None = None
    connect: str | None = None  # the override's Directus origins for the page's policy
    gzipped: dict = {}  # file -> (its version, gzipped), the latest only; per server

    def do_GET(self):
        self._answer(body=True)

    def do_HEAD(self):
        self._answer(body=False)

    def _answer(self, body: bool) -> None:
        file = public_file(self.root, self.path)
        if file is None:
            return self.send_error(404)
        relative = file.relative_to(self.root).as_posix()
        stat = file.stat()
        chosen = self._representation(file, stat)
        not_modified = self._not_modified(chosen.etag, stat.st_mtime)
        self.send_response(304 if not_modified else 200)
        immutable = relative.startswith(VENDOR + "/") and relative not in REVALIDATED
        self.send_header("Cache-Control", IMMUTABLE if immutable else "no-cache")
        self.send_header("ETag", chosen.etag)
        self.send_header("Last-Modified", email.utils.formatdate(stat.st_mtime, usegmt=True))
        if chosen.encoding != "identity":
            self.send_header("Vary", "Accept-Encoding")
        if not_modified:
            return self.end_headers()
        self.send_header("Content-Type", content_type(file))
        if chosen.encoding not in (None, "identity"):
            self.send_header("Content-Encoding", chosen.encoding)
        self.send_header("Content-Length", str(chosen.size))
        self.end_headers()
        if not body:
            return None
        try:
            if chosen.data is not None:
                self.wfile.write(chosen.data)
            else:
                with open(chosen.path, "rb") as source:
                    shutil.copyfileobj(source, self.wfile)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser went away (a closed page), nothing to answer
        return None

    def _representation(self, file: Path, stat: os.stat_result) -> Body:
        """What to send for `file`: the override, a precompressed copy, gzipped on the
        fly, or the file as it is. `encoding` "identity": never compressed (no Vary)."""
        content = None
        if self.config is not None and file == self.root / "config.json":
            content = self.config
        elif self.connect is not None and file == self.root / "index.html":
            page = file.read_text(encoding="utf-8")
            content = page.replace(DEFAULT_CONNECT, self.connect).encode()
        version = (hashlib.sha1(content).hexdigest()[:16] if content is not None
                   else f"{stat.st_mtime_ns:x}-{stat.st_size:x}")
        taken = accepted(self.headers.get("Accept-Encoding"))
        if content is None:
            copies = [(encoding, file.with_name(file.name + suffix))
                      for encoding, suffix in (("br", ".br"), ("gzip", ".gz"))]
            copies = [(encoding, copy) for encoding, copy in copies
                      if copy.is_file() and copy.stat().st_mtime >= stat.st_mtime]
            for encoding, copy in copies:
                if encoding in taken:
                    return Body(None, copy, copy.stat().st_size, encoding,
                                f'"{version}-{copy.suffix[1:]}"')
            if copies:
                return Body(None, file, stat.st_size, None, f'"{version}"')
        size = len(content) if content is not None else stat.st_size
        if not content_type(file).startswith(COMPRESSIBLE) or not (
                MIN_COMPRESSED <= size <= 1 << 20):
            return Body(content, file, size, "identity", f'"{version}"')
        if "gzip" not in taken:
            return Body(content, file, size, None, f'"{version}"')
        known = self.gzipped.get(file)
        if known is None or known[0] != version:
            data = content if content is not None else file.read_bytes()
            known = self.gzipped[file] = (version, gzip.compress(data, 6, mtime=0))
        return Body(known[1], file, len(known[1]), "gzip", f'"{version}-gz"')

    def _not_modified(self, etag: str, mtime: float) -> bool:
        """Whether the browser's copy (If-None-Match, else If-Modified-Since) is current."""
        match = self.headers.get("If-None-Match")
        if match is not None:
            tags = {tag.strip().removeprefix("W/") for tag in match.split(",")}
            return "*" in tags or etag in tags
        since = self.headers.get("If-Modified-Since")
        if since is None:
            return False
        try:
            return int(mtime) <= email.utils.parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError):
            return False

    def log_message(self, format, *args):
        pass  # Quiet: requests are visible in the browser's network panel.


def content_type(file: Path) -> str:
    known = MIME_TYPES.get(file.suffix.lower()) or mimetypes.guess_type(file.name)[0]
    return known or "application/octet-stream"


class StaticServer:
    """Serves `root` on `host`:`port` (0 picks a free port)."""

    def __init__(self, port: int = 0, root: Path = ROOT, config: dict | None = None,
                 host: str = "127.0.0.1"):
        handler = type("ConfiguredHandler", (Handler,), {
            "root": root.resolve(), "gzipped": {},
            "config": None if config is None else json.dumps(config).encode(),
            "connect": connect_sources(config["directus_url"]) if config else None,
        })
        # Raises OSError (errno EADDRINUSE) when the port is taken.
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://{'127.0.0.1' if host == '0.0.0.0' else host}:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the chat page (the repo folder).")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--host", default="127.0.0.1", help="0.0.0.0 inside a container")
    parser.add_argument("--directus-url", help="serve /config.json pointing here instead")
    args = parser.parse_args()
    config = {"directus_url": args.directus_url} if args.directus_url else None
    try:
        server = StaticServer(args.port, config=config, host=args.host)
    except OSError as error:
        raise SystemExit(f"Cannot listen on {args.host}:{args.port}: {error.strerror}.") from None
    print(f"Serving {ROOT} on {server.url}/ (Ctrl-C stops)", flush=True)
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()

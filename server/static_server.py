"""A static file server for the repo folder, used by `make run`, the tests and docker-compose.

    python -m server.static_server --port 8000 --directus-url http://127.0.0.1:8055

    server = StaticServer(port=8000, config={"directus_url": "http://127.0.0.1:8055"})
    server.start()          # serves in a background thread; server.url is the page origin
    ...
    server.stop()

Any static server works for the page (it is a plain folder); this one adds the right
MIME types for Pyodide's files, disables caching, can answer /config.json with an
override so the page talks to a Directus on a non-default port (and writes that
Directus into index.html's Content-Security-Policy), and serves only the
page's own files (see `public_file`): never data/ (the local admin token), .git, .venv
or the tools, however the path is spelt. It serves the files itself: no directory
listings, no path translation but its own.
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import os
import shutil
import threading
import urllib.parse
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
}


# The Directus origins that index.html's Content-Security-Policy allows, as committed.
DEFAULT_CONNECT = "http://127.0.0.1:8055 ws://127.0.0.1:8055"


def connect_sources(directus_url: str) -> str:
    """The REST and socket origins of ``directus_url``, for the policy's connect-src."""
    scheme, _, rest = directus_url.rstrip("/").partition("://")
    origin = rest.split("/")[0]
    return f"{scheme}://{origin} {'wss' if scheme == 'https' else 'ws'}://{origin}"


# What the page and the benchmark's pages load; everything else is 404.
PUBLIC_FILES = ("index.html", "pyscript.toml", "main.py", "config.json")
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


class Handler(BaseHTTPRequestHandler):
    root: Path = ROOT  # resolved
    config: bytes | None = None
    connect: str | None = None  # the override's Directus origins for the page's policy

    def do_GET(self):
        self._answer(body=True)

    def do_HEAD(self):
        self._answer(body=False)

    def _answer(self, body: bool) -> None:
        file = public_file(self.root, self.path)
        if file is None:
            return self.send_error(404)
        content = None
        if self.config is not None and file == self.root / "config.json":
            content = self.config
        elif self.connect is not None and file == self.root / "index.html":
            page = file.read_text(encoding="utf-8")
            content = page.replace(DEFAULT_CONNECT, self.connect).encode()
        with open(file, "rb") as source:
            size = len(content) if content is not None else os.fstat(source.fileno()).st_size
            self.send_response(200)
            self.send_header("Content-Type", content_type(file))
            self.send_header("Content-Length", str(size))
            self.end_headers()
            try:
                if body and content is not None:
                    self.wfile.write(content)
                elif body:
                    shutil.copyfileobj(source, self.wfile)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the browser went away (a closed page), nothing to answer

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

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
            "root": root.resolve(),
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

"""A static file server for the repo folder, used by `make run`, the tests and docker-compose.

    python -m tools.static_server --port 8000 --directus-url http://127.0.0.1:8055

    server = StaticServer(port=8000, config={"directus_url": "http://127.0.0.1:8055"})
    server.start()          # serves in a background thread; server.url is the page origin
    ...
    server.stop()

Any static server works for the page (it is a plain folder); this one adds the right
MIME types for Pyodide's files, disables caching, can answer /config.json with an
override so the page talks to a Directus on a non-default port (and writes that
Directus into index.html's Content-Security-Policy), and serves only the
page's own files: never data/ (the local admin token), .git, .venv or the tools.
"""

from __future__ import annotations

import argparse
import functools
import json
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
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
    ".html": "text/html",
}


# The Directus origins that index.html's Content-Security-Policy allows, as committed.
DEFAULT_CONNECT = "http://127.0.0.1:8055 ws://127.0.0.1:8055"


def connect_sources(directus_url: str) -> str:
    """The REST and socket origins of ``directus_url``, for the policy's connect-src."""
    scheme, _, rest = directus_url.rstrip("/").partition("://")
    origin = rest.split("/")[0]
    return f"{scheme}://{origin} {'wss' if scheme == 'https' else 'ws'}://{origin}"


# What the page needs (and the benchmark's pages); everything else is 404.
PUBLIC_FILES = {"/", "/index.html", "/pyscript.toml", "/main.py", "/config.json"}
PUBLIC_FOLDERS = ("/chat/", "/static/", "/bench/")


def is_public(path: str) -> bool:
    path = path.split("?")[0].split("#")[0]
    if ".." in path or "/." in path:
        return False
    return path in PUBLIC_FILES or (path.startswith(PUBLIC_FOLDERS) and not path.endswith("/"))


class Handler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, **MIME_TYPES}
    config: bytes | None = None
    connect: str | None = None  # the override's Directus origins for the page's policy

    def do_HEAD(self):
        if not is_public(self.path):
            return self.send_error(404)
        super().do_HEAD()

    def do_GET(self):
        if not is_public(self.path):
            return self.send_error(404)
        path = self.path.split("?")[0]
        if self.config is not None and path == "/config.json":
            return self._send(self.config, "application/json")
        if self.connect is not None and path in ("/", "/index.html"):
            page = (Path(self.directory) / "index.html").read_text(encoding="utf-8")
            return self._send(page.replace(DEFAULT_CONNECT, self.connect).encode(),
                              "text/html; charset=utf-8")
        super().do_GET()

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format, *args):
        pass  # Quiet: requests are visible in the browser's network panel.


class StaticServer:
    """Serves `root` on `host`:`port` (0 picks a free port)."""

    def __init__(self, port: int = 0, root: Path = ROOT, config: dict | None = None,
                 host: str = "127.0.0.1"):
        handler = type("ConfiguredHandler", (Handler,), {
            "config": None if config is None else json.dumps(config).encode(),
            "connect": connect_sources(config["directus_url"]) if config else None,
        })
        # Raises OSError (errno EADDRINUSE) when the port is taken.
        self.httpd = ThreadingHTTPServer(
            (host, port), functools.partial(handler, directory=str(root))
        )
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

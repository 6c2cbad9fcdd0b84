"""The page served the way the start-up hang was seen, with files held back or broken.

    server = StartupServer(Plan(delays={"/static/dom.js": 0.4}))   # this file 400 ms late
    server.start()
    server.plan = Plan(missing={"/static/boot.js"})  # from now on: 404
    server.plan = Plan(replaced={"/main.py": b"raise RuntimeError('boom')"})
    server.plan = Plan(dropped={"/static/dom.js"})  # the connection closes, no answer
    server.asked  # [(path, conditional), ...]: every GET so far
    server.stop()

Like the static server of the bug report: HTTP/1.1 with keep-alive. Everything else (the
files it serves, MIME types, caching headers, compression) is server/static_server.py's.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path

from server.static_server import Handler, content_type


@dataclass(frozen=True)
class Plan:
    delays: dict[str, float] = field(default_factory=dict)  # path -> seconds held back
    missing: frozenset[str] | set[str] = frozenset()  # paths answered 404
    dropped: frozenset[str] | set[str] = frozenset()  # connection closed, no answer
    replaced: dict[str, bytes] = field(default_factory=dict)  # path -> body served instead


class _Handler(Handler):
    protocol_version = "HTTP/1.1"  # keep-alive: the browser reuses a few connections
    plan = Plan()
    asked: list[tuple[str, bool]]  # (path, conditional: sent If-None-Match) per GET

    def do_GET(self):
        plan, path = type(self).plan, self.path.split("?")[0]
        type(self).asked.append((path, "If-None-Match" in self.headers))
        time.sleep(plan.delays.get(path, 0))
        if path in plan.missing:
            return self.send_error(404)
        if path in plan.dropped:
            self.close_connection = True
            return None
        if path in plan.replaced:
            body = plan.replaced[path]
            self.send_response(200)
            self.send_header("Content-Type", content_type(Path(path)))
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return self.wfile.write(body)
        super().do_GET()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a browser context closed while its files were still coming


class StartupServer:
    """The repo folder on a free port of 127.0.0.1, served as `plan` says."""

    def __init__(self, plan: Plan = Plan()) -> None:
        self._handler = type("PlannedHandler", (_Handler,), {"plan": plan, "asked": []})
        self.httpd = _Server(("127.0.0.1", 0), self._handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,),
                                        daemon=True)  # polls often: stops at once

    @property
    def asked(self) -> list[tuple[str, bool]]:
        """Every GET so far: (path, whether it was conditional)."""
        return self._handler.asked

    @property
    def plan(self) -> Plan:
        return self._handler.plan

    @plan.setter
    def plan(self, plan: Plan) -> None:
        self._handler.plan = plan

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

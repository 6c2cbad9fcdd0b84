"""The page's sockets: the browser's own ``WebSocket`` (page-only), with handlers we
attach and destroy ourselves, each feeding the core through the adapter loop. Serves
chat/browser.py.
"""

from __future__ import annotations

from collections.abc import Callable

import js
from pyscript.ffi import create_proxy

from chat.core import ChatClient, CloseSocket, OpenSocket, SendFrame


class Sockets:
    def __init__(self, client: ChatClient, feed: Callable, call_soon: Callable) -> None:
        self.client = client
        self._feed = feed  # the adapter loop's
        self._call_soon = call_soon  # the event loop's
        self._sockets: dict[int, tuple[object, dict[str, object]]] = {}

    def open(self, action: OpenSocket) -> None:
        conn, feed = action.conn, self._feed
        socket = js.WebSocket.new(action.url)
        handlers = {
            "open": create_proxy(lambda event: feed(self.client.socket_opened, conn)),
            "message": create_proxy(
                lambda event: feed(self.client.socket_message, conn, event.data)),
            "close": create_proxy(lambda event: self._closed(conn, event.code, event.reason)),
        }
        for kind, proxy in handlers.items():
            socket.addEventListener(kind, proxy)
        self._sockets[conn] = (socket, handlers)

    def send(self, action: SendFrame) -> None:
        entry = self._sockets.get(action.conn)
        # Not open (closing already): drop it; the close event tells the core.
        if entry is not None and entry[0].readyState == js.WebSocket.OPEN:
            entry[0].send(action.text)

    def close(self, action: CloseSocket) -> None:
        """Close a socket the core gave up on. Its events are never delivered."""
        socket = self._detach(action.conn)
        if socket is not None:
            socket.close(action.code, action.reason)

    def _closed(self, conn: int, code: int, reason: str) -> None:
        self._detach(conn)
        self._feed(self.client.socket_closed, conn, code, reason)

    def _detach(self, conn: int):
        entry = self._sockets.pop(conn, None)
        if entry is None:
            return None
        socket, handlers = entry
        for kind, proxy in handlers.items():
            socket.removeEventListener(kind, proxy)
        # Destroyed on the next turn: one of them may be the handler running now.
        self._call_soon(_destroy, list(handlers.values()))
        return socket


def _destroy(proxies: list) -> None:
    for proxy in proxies:
        proxy.destroy()

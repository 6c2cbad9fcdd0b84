"""A TCP proxy on loopback that can fail on command, for the chaos tests.

Clients talk to the proxy's ``url`` instead of Directus; the test decides what the
network does meanwhile::

    proxy = FaultyProxy(upstream_port=8055)
    await proxy.start()              # clients use proxy.url as their Directus URL
    proxy.black_hole()               # connections stay open, nothing gets through
    proxy.resume()                   # everything held back is delivered, in order
    proxy.reset()                    # every open connection is aborted (TCP RST)
    proxy.refuse()                   # reset, and new connections too, until resume()
    await proxy.close()

``tap(direction, data)``, if given, sees every chunk forwarded ("up" is client to
server), so a test can check what really went over the wire.

A black hole is the nasty case: neither end sees a close, so only a heartbeat
rule can tell that the link is dead. New connections made during a black hole
are accepted and black-holed too, like a half-dead route would.
"""

from __future__ import annotations

import asyncio
import socket
import struct
from collections.abc import Callable


class FaultyProxy:
    def __init__(self, upstream_port: int, upstream_host: str = "127.0.0.1",
                 tap: Callable[[str, bytes], None] | None = None) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.tap = tap
        self.port = 0
        self.connections = 0  # accepted so far: how many (re)connects went through us
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._refusing = False
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    def black_hole(self) -> None:
        """Stop forwarding in both directions without closing anything."""
        self._flowing.clear()

    def refuse(self) -> None:
        """Act like a host with nothing listening: reset everything until resume()."""
        self._refusing = True
        self.reset()

    def resume(self) -> None:
        self._refusing = False
        self._flowing.set()

    def reset(self) -> None:
        """Abort every open connection with a TCP reset, as a dropped NAT entry would."""
        for writer in list(self._open):
            sock = writer.get_extra_info("socket")
            if sock is not None:
                # Linger 0: close() sends RST instead of a polite FIN.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()
        self._open.clear()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        self.resume()
        self.reset()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    async def _accept(self, client_reader: asyncio.StreamReader,
                      client_writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        if self._refusing:
            client_writer.transport.abort()
            return
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            client_writer.transport.abort()  # upstream down: the client sees a refusal
            return
        self._open.update((client_writer, server_writer))
        pumps = [asyncio.ensure_future(self._pump(client_reader, server_writer, "up")),
                 asyncio.ensure_future(self._pump(server_reader, client_writer, "down"))]
        self._tasks.update(pumps)
        try:
            # When one side ends, end the other: a half-open pair would leak.
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in pumps:
                task.cancel()
                self._tasks.discard(task)
            for writer in (client_writer, server_writer):
                self._open.discard(writer)
                writer.transport.abort()

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    direction: str) -> None:
        try:
            while True:
                data = await reader.read(65536)
                # Held here during a black hole, even an end of stream: a close must not
                # leak through. TCP back-pressure holds back the rest.
                await self._flowing.wait()
                if not data:
                    return
                if self.tap is not None:
                    self.tap(direction, data)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass

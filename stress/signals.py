"""A CPython peer for the chat-signals frames (presence and typing; docs/CHANNELS.md): one
socket of one chat user, as a client of the app would use it. For the tests and the
signals crowd; the page's client is built on chat/ later.

    peer = SignalPeer(directus_url, access_token)
    hello = await peer.connect()             # the hello reply, or None: no signals here
    await peer.typing(channel)               # "I am typing in channel"
    await peer.wait_for(lambda: peer.presence.get(bob) == "online")
    peer.typed                               # [Typed(at, channel, user, stop), ...]
    await peer.close()

It answers the server's pings, as every client must: a socket that says nothing for 20 s
is taken for lost and closed by the extension.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from websockets.asyncio.client import ClientConnection, connect

HELLO_TIMEOUT = 5.0  # no answer this long: the piece is absent


@dataclass(frozen=True)
class Typed:
    at: float  # time.monotonic() when it arrived
    channel: str
    user: str
    stop: bool


@dataclass
class SignalPeer:
    directus_url: str
    token: str
    presence: dict[str, str] = field(default_factory=dict)  # user -> online | away
    typed: list[Typed] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    received: int = 0  # chat-* frames received
    sent: int = 0  # chat-* frames sent
    _ws: ClientConnection | None = None
    _reader: asyncio.Task | None = None
    _hello: asyncio.Future | None = None
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def socket_url(self) -> str:
        return "ws" + self.directus_url.removeprefix("http") + "/websocket"

    async def connect(self, hello: bool = True, away: bool = False) -> dict | None:
        """Open and authenticate the socket; with `hello`, say hello and return the reply
        (None when nothing answers within HELLO_TIMEOUT: no extension on this server)."""
        self._ws = await connect(self.socket_url, ping_interval=None, open_timeout=10)
        await self._ws.send(json.dumps({"type": "auth", "access_token": self.token}))
        reply = json.loads(await asyncio.wait_for(self._ws.recv(), 10))
        if reply.get("status") != "ok":
            raise RuntimeError(f"auth failed: {reply}")
        self._reader = asyncio.ensure_future(self._read())
        return await self.hello(away) if hello else None

    async def hello(self, away: bool = False) -> dict | None:
        self._hello = asyncio.get_running_loop().create_future()
        await self._send({"type": "chat-hello", "uid": "hello", "away": away})
        try:
            return await asyncio.wait_for(self._hello, HELLO_TIMEOUT)
        except TimeoutError:
            return None

    async def typing(self, channel: str, stop: bool = False, **extra) -> None:
        await self._send({"type": "chat-typing", "channel": channel,
                          **({"stop": True} if stop else {}), **extra})

    async def set_away(self, away: bool, **extra) -> None:
        await self._send({"type": "chat-presence", "away": away, **extra})

    async def send_raw(self, frame: dict) -> None:
        await self._ws.send(json.dumps(frame))

    async def wait_for(self, condition: Callable[[], bool], timeout: float = 10,
                       what: str = "the condition") -> float:
        """Wait until `condition()` holds; returns the seconds it took."""
        started = time.monotonic()
        while not condition():
            remaining = started + timeout - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{what} did not happen within {timeout} s")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                pass
        return time.monotonic() - started

    def typing_in(self, channel: str, ttl: float = 5.0) -> set[str]:
        """Who is typing in `channel` now, as a client would show it: a signal lasts
        `ttl` seconds, a stop ends it at once."""
        now, state = time.monotonic(), {}
        for signal in self.typed:
            if signal.channel == channel:
                state[signal.user] = None if signal.stop else signal.at
        return {user for user, at in state.items() if at is not None and now - at < ttl}

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)

    async def _send(self, frame: dict) -> None:
        self.sent += 1
        await self._ws.send(json.dumps(frame))

    async def _read(self) -> None:
        async for text in self._ws:
            frame = json.loads(text)
            kind = frame.get("type")
            if kind == "ping":
                await self._ws.send(json.dumps({"type": "pong"}))
                continue
            if not str(kind).startswith("chat-"):
                continue
            self.received += 1
            if frame.get("status") == "error":
                self.errors.append(frame)
                if kind == "chat-hello" and self._hello and not self._hello.done():
                    self._hello.set_result(frame)
            elif kind == "chat-hello":
                self.presence = {p["user"]: p["status"] for p in frame["presence"]}
                if self._hello and not self._hello.done():
                    self._hello.set_result(frame)
            elif kind == "chat-presence":
                if frame["status"] == "offline":
                    self.presence.pop(frame["user"], None)
                else:
                    self.presence[frame["user"]] = frame["status"]
            elif kind == "chat-typing":
                self.typed.append(Typed(time.monotonic(), frame["channel"], frame["user"],
                                        frame.get("stop", False)))
            self._changed.set()

"""The chat core on CPython: a headless client over ``websockets`` and ``urllib``.

The same ``ChatClient`` that runs in the page, driven through the same adapter loop
(chat.loop) by asyncio effects, for the integration tests and the load and chaos tools
(stress/). It
lives beside the browser adapter but is not loaded by the page (pyscript.toml
does not list it)::

    async with HeadlessClient("http://127.0.0.1:8055") as alice:
        await alice.sign_in("alice@example.com", "password")
        alice.send("hello")
        await alice.wait_for(lambda: not alice.outbox)
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from chat import core
from chat.core import ChatClient, Config, Phase
from chat.core.protocol import Message
from chat.loop import AsyncioTimers, Loop

log = logging.getLogger("chat.headless")

HTTP_TIMEOUT = 10.0


class HeadlessClient:
    def __init__(self, directus_url: str, **config: Any) -> None:
        self.client = ChatClient(Config(directus_url=directus_url, **config),
                                 new_id=lambda: str(uuid.uuid4()), random=random.random)
        self.events: list[core.Event] = []
        self.phases: list[Phase] = []
        self.sockets_opened = 0
        self.requests: Counter[str] = Counter()  # "socket" and REST paths: what we asked for
        self._loop = Loop(self.client, self, clock=time.monotonic)
        self._timers = AsyncioTimers(self._loop, asyncio.get_running_loop)
        self._sockets: dict[int, ClientConnection] = {}
        self._outgoing: dict[int, asyncio.Queue[str | None]] = {}
        self._tasks: set[asyncio.Task] = set()
        self._changed = asyncio.Event()

    async def __aenter__(self) -> HeadlessClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- What tests look at -----------------------------------------------------------

    @property
    def phase(self) -> Phase:
        return self.client.phase

    @property
    def messages(self) -> list[Message]:
        return self.client.timeline.messages()

    @property
    def outbox(self) -> tuple[core.Outgoing, ...]:
        return self.client.outbox

    def contents(self) -> list[str]:
        return [m.content for m in self.messages]

    @property
    def last_reason(self) -> str | None:
        """The reason of the newest phase change (why it is down or signed out)."""
        changes = [e for e in self.events if isinstance(e, core.PhaseChanged)]
        return changes[-1].reason if changes else None

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 30.0,
                       what: str = "condition") -> None:
        """Wait until ``predicate()`` holds, re-checking after every input."""
        deadline = time.monotonic() + timeout
        while not predicate():
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"timed out after {timeout} s waiting for {what} "
                                   f"(phase {self.phase.value})")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), min(left, 0.5))
            except TimeoutError:
                pass

    # --- Inputs -----------------------------------------------------------------------

    async def sign_in(self, email: str, password: str, timeout: float = 30.0) -> None:
        """Sign in and wait until live."""
        self._input(self.client.sign_in, email, password)
        await self.wait_for(lambda: self.phase in (Phase.LIVE, Phase.SIGNED_OUT), timeout,
                            "sign-in")
        if self.phase != Phase.LIVE:
            raise RuntimeError(f"sign-in failed: {self.last_reason}")

    def resume(self, refresh_token: str) -> None:
        """Resume a saved session from its refresh token (does not wait)."""
        self._input(self.client.resume, refresh_token)

    def send(self, text: str, reply_to: str | None = None) -> str:
        return self._input(self.client.send, text, reply_to=reply_to)

    def edit(self, message_id: str, text: str) -> None:
        self._input(self.client.edit, message_id, text)

    def delete(self, message_id: str) -> None:
        self._input(self.client.delete, message_id)

    def react(self, message_id: str, emoji: str) -> None:
        self._input(self.client.react, message_id, emoji)

    def sign_out(self) -> None:
        self._input(self.client.sign_out)

    def network_changed(self, online: bool) -> None:
        self._input(self.client.network_changed, online)

    def retry_now(self) -> None:
        self._input(self.client.retry_now)

    async def cut_network(self) -> None:
        """Close every socket from this side, as a lost network does (the core hears
        of it as a closed socket)."""
        for socket in list(self._sockets.values()):
            await socket.close()

    async def close(self) -> None:
        if self.phase != Phase.SIGNED_OUT:
            self.sign_out()
        self._timers.cancel_all()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    # --- Effects: what the core asks for (see chat.loop) -------------------------------

    def _input(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return self._loop.feed(method, *args, **kwargs)

    def show(self, events: list[core.Event]) -> None:
        for event in events:
            self.on_event(event)
        self._changed.set()

    def on_event(self, event: core.Event) -> None:
        """Keep every event for the tests. Tools that run for long override it."""
        self.events.append(event)
        if isinstance(event, core.PhaseChanged):
            self.phases.append(event.phase)

    def open_socket(self, action: core.OpenSocket) -> None:
        self.sockets_opened += 1
        self.requests["socket"] += 1
        self._outgoing[action.conn] = asyncio.Queue()
        self._spawn(self._run_socket(action.conn, action.url))

    def send_frame(self, action: core.SendFrame) -> None:
        if action.conn in self._outgoing:
            self._outgoing[action.conn].put_nowait(action.text)

    def close_socket(self, action: core.CloseSocket) -> None:
        socket = self._sockets.pop(action.conn, None)
        queue = self._outgoing.pop(action.conn, None)
        if queue is not None:
            queue.put_nowait(None)
        if socket is not None:
            self._spawn(socket.close(action.code, action.reason))

    def request(self, action: core.HttpRequest) -> None:
        self.requests[action.path] += 1
        self._spawn(self._http(action))

    def set_timer(self, action: core.SetTimer) -> None:
        self._timers.set(action)

    def cancel_timer(self, action: core.CancelTimer) -> None:
        self._timers.cancel(action.timer)

    def save_session(self, action: core.SaveSession) -> None:
        pass  # nothing is kept across runs

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run_socket(self, conn: int, url: str) -> None:
        code = 1006
        try:
            async with connect(url, ping_interval=None, max_size=None,
                               open_timeout=HTTP_TIMEOUT) as socket:
                if conn not in self._outgoing:  # closed by the core while opening
                    return
                self._sockets[conn] = socket
                writer = asyncio.ensure_future(self._write(socket, self._outgoing[conn]))
                self._input(self.client.socket_opened, conn)
                try:
                    async for text in socket:
                        self._input(self.client.socket_message, conn, text)
                finally:
                    writer.cancel()
                code = socket.close_code or 1006
        except (OSError, ConnectionClosed, TimeoutError) as error:
            log.info("socket %d: %s", conn, type(error).__name__)
        except asyncio.CancelledError:
            raise
        self._sockets.pop(conn, None)
        self._outgoing.pop(conn, None)
        self._input(self.client.socket_closed, conn, code)

    @staticmethod
    async def _write(socket: ClientConnection, queue: asyncio.Queue[str | None]) -> None:
        """Send frames in the order the core asked for them."""
        while (text := await queue.get()) is not None:
            try:
                await socket.send(text)
            except ConnectionClosed:
                return

    async def _http(self, request: core.HttpRequest) -> None:
        url = self.client.config.directus_url.rstrip("/") + request.path
        try:
            status, body = await asyncio.to_thread(
                http_json, url, request.body, method=request.method.value,
                timeout=request.timeout, token=request.token)
        except Exception as error:  # any failure (OSError, HTTPException...) must reach the core
            log.info("%s %s failed (%s)", request.method.value, request.path,
                     type(error).__name__)
            self._input(self.client.http_failed, request.id, core.Failure.NETWORK)
        else:
            self._input(self.client.http_response, request.id, status, body)


def http_json(url: str, body: dict[str, Any] | None = None, *, method: str = "POST",
              timeout: float = HTTP_TIMEOUT, token: str | None = None) -> tuple[int, Any]:
    """Send ``body`` as JSON (None: no body), with ``token`` as bearer if given; the status
    and the parsed JSON answer (None if not JSON). Raises what urllib and http.client
    raise when no answer comes."""
    data = None if body is None else json.dumps(body).encode()
    headers = {} if data is None else {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, None

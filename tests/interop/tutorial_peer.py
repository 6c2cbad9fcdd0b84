"""A CPython client that sends exactly what the tutorial's SvelteKit client sends.

The tutorial (../shared/seed/) uses @directus/sdk's `authentication()`, `rest()` and
`realtime()`; its `login(email, password, {mode: "json"})` call works with the SDK up to
19.1.0 (20.0.0 takes `login({email, password}, options)` and the tutorial's call throws),
which is also what `npm install @directus/sdk` picks on Node 20 (18.0.3: later versions
need Node 22). What goes on the wire, read from those SDK builds:

1. `POST /auth/login` {"email", "password", "mode": "json"}.
2. `connect()` in handshake mode: {"type": "auth", "access_token"}, no uid; it waits for
   {"type": "auth", "status": "ok"}.
3. The tutorial's own `sendMessage({type: "auth", access_token})`: `sendMessage` adds a
   uid from a counter ("1", "2", ... restarting with each connection) to any message
   without one, so this is uid "1".
4. `items` read, uid "get-recent-messages", query {"limit": 100, "sort": "-date_created",
   "fields": ["id", "content", "user_created.first_name"]}.
5. `subscribe("messages", {event: "create", query: {fields: [...]}})`: uid "2", query as
   given (SDK 26 turns `fields` into "id,content,user_created.first_name"; `sdk=26`).
6. Each send: {"type": "items", "collection": "messages", "action": "create",
   "data": {"content"}} and the next counter uid.
7. Every server {"type": "ping"} gets {"type": "pong"} (the SDK's heartbeat).

What it shows, as the tutorial does: history reversed to oldest first, then each
subscription event's rows appended, each as {"id", "content", "user"} with "User" where no
first name is readable.

    async with await TutorialPeer.signed_in(url, "bob@example.com", "bob-demo-pw") as bob:
        await bob.send("hi")
        await bob.wait_for(lambda: "hi" in bob.contents())
"""

from __future__ import annotations

import asyncio
import itertools
import json
import urllib.request
from collections.abc import Callable

from websockets.asyncio.client import connect

FIELDS = ["id", "content", "user_created.first_name"]


class TutorialPeer:
    def __init__(self, directus_url: str, sdk: int = 19):
        self.url = directus_url.rstrip("/")
        self.sdk = sdk
        self.messages: list[dict] = []
        self.errors: list[dict] = []
        self.sent: list[dict] = []       # every frame sent, as sent
        self.received: list[dict] = []   # every frame received
        self.subscription: str | None = None   # the uid the subscribe got
        self.history_received = False
        self._uids = itertools.count(1)
        self._ws = None
        self._reader: asyncio.Task | None = None
        self._changed = asyncio.Event()

    @classmethod
    async def signed_in(cls, directus_url: str, email: str, password: str,
                        sdk: int = 19) -> TutorialPeer:
        """A peer signed in, once its history has arrived."""
        peer = cls(directus_url, sdk)
        await peer.sign_in(email, password)
        await peer.wait_for(lambda: peer.history_received, 10, "history")
        return peer

    async def __aenter__(self) -> TutorialPeer:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def contents(self) -> list[str]:
        return [m["content"] for m in self.messages]

    async def sign_in(self, email: str, password: str) -> None:
        """The tutorial's login(): REST login, connect, authenticate, read, subscribe."""
        tokens = await asyncio.to_thread(self._login, email, password)
        self._ws = await connect(self.url.replace("http", "ws", 1) + "/websocket",
                                 ping_interval=None, open_timeout=10)
        await self._ws.send(json.dumps({"access_token": tokens["access_token"],
                                        "type": "auth"}))
        reply = json.loads(await asyncio.wait_for(self._ws.recv(), 10))
        if reply != {"type": "auth", "status": "ok"}:
            raise RuntimeError(f"Authentication failed while opening websocket: {reply}")
        self._reader = asyncio.create_task(self._read())
        await self._send({"type": "auth", "access_token": tokens["access_token"]})
        await self._send({"type": "items", "collection": "messages", "action": "read",
                          "query": {"limit": 100, "sort": "-date_created", "fields": FIELDS},
                          "uid": "get-recent-messages"})
        fields = ",".join(FIELDS) if self.sdk >= 26 else FIELDS
        await self._send({"event": "create", "query": {"fields": fields},
                          "collection": "messages", "type": "subscribe"}, subscribe=True)

    async def send(self, content: str) -> None:
        await self._send({"type": "items", "collection": "messages", "action": "create",
                          "data": {"content": content}})

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 30,
                       what: str = "the condition") -> None:
        async def wait():
            while not predicate():
                self._changed.clear()
                await self._changed.wait()
        try:
            await asyncio.wait_for(wait(), timeout)
        except TimeoutError:
            raise AssertionError(f"tutorial peer: no {what} within {timeout} s; "
                                 f"errors {self.errors}, messages {self.contents()}") from None

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)

    def _login(self, email: str, password: str) -> dict:
        request = urllib.request.Request(
            self.url + "/auth/login", method="POST",
            data=json.dumps({"email": email, "password": password, "mode": "json"}).encode(),
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)["data"]

    async def _send(self, frame: dict, subscribe: bool = False) -> None:
        if "uid" not in frame:
            frame["uid"] = str(next(self._uids))
        if subscribe:
            self.subscription = frame["uid"]
        self.sent.append(frame)
        await self._ws.send(json.dumps(frame))

    async def _read(self) -> None:
        async for text in self._ws:
            frame = json.loads(text)
            self.received.append(frame)
            if frame.get("type") == "ping":
                await self._ws.send(json.dumps({"type": "pong"}))
            elif frame.get("status") == "error":
                self.errors.append(frame)
            elif frame.get("uid") == "get-recent-messages" and isinstance(frame.get("data"),
                                                                           list):
                self.messages[:0] = [_shown(m) for m in reversed(frame["data"])]
                self.history_received = True
            elif (frame.get("type") == "subscription" and frame.get("uid") == self.subscription
                  and isinstance(frame.get("data"), list)):
                self.messages += [_shown(m) for m in frame["data"]]
            self._changed.set()


def _shown(message: dict) -> dict:
    author = message.get("user_created")
    name = author.get("first_name") if isinstance(author, dict) else None
    return {"id": message["id"], "content": message["content"], "user": name or "User"}

"""A driver for the chat core: feeds inputs, keeps what came out, fakes nothing else."""

from __future__ import annotations

import base64
import json
from itertools import count

from chat import core as c
from chat.core import ChatClient, Config
from chat.loop import Loop

URL = "http://directus.test"


def token(user_id: str, n: int = 1) -> str:
    """A JWT-shaped access token carrying ``user_id`` (unsigned: the core never checks)."""
    def part(obj: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")
    return f"{part({'alg': 'HS256'})}.{part({'id': user_id, 'n': n})}.sig"


def item(message_id: str, content: str = "hi", at: str = "2026-11-27T10:00:00.000Z",
         user: str = "u-alice", name: str = "Alice", updated: str | None = None) -> dict:
    return {"id": message_id, "content": content, "date_created": at, "date_updated": updated,
            "user_created": {"id": user, "first_name": name}}


# The schema answers of a collection made by server.provision (uuid id), trimmed to what
# the core reads: the fields it asks for are then protocol.MESSAGE_FIELDS.
FIELDS = {"data": [{"field": "id", "type": "uuid", "schema": {}},
                   {"field": "content", "type": "text", "schema": {"max_length": None}},
                   *({"field": f, "type": "timestamp", "schema": {}}
                     for f in ("date_created", "date_updated")),
                   {"field": "user_created", "type": "uuid", "schema": {}}]}
PERMISSIONS = {"data": {"messages": {"read": {"access": "full", "fields": ["*"]},
                                     "create": {"access": "full",
                                                "fields": ["content", "id"]}},
                        "directus_fields": {"read": {"access": "partial", "fields": ["*"]}}}}

# ... with mentions, and users (first names, avatars) readable, as server.provision makes
# them today; and the people the core then reads.
WITH_PEOPLE = {"fields": {"data": [*FIELDS["data"], {"field": "mentions", "type": "csv",
                                                     "schema": {}}]},
               "permissions": {"data": {
                   "messages": {"read": {"access": "full", "fields": ["*"]},
                                "create": {"access": "full",
                                           "fields": ["content", "id", "mentions"]}},
                   "directus_users": {"read": {"access": "full",
                                               "fields": ["id", "first_name", "avatar"]}},
                   "directus_fields": {"read": {"access": "partial", "fields": ["*"]}}}}}
PEOPLE = [{"id": "u-alice", "first_name": "Alice", "avatar": None},
          {"id": "u-bob", "first_name": "Bob", "avatar": "file-bob"}]


def at(second: int) -> str:
    return f"2026-11-27T10:{second // 60:02d}:{second % 60:02d}.000Z"


class Driver:
    """Drives a ChatClient through the adapter loop, as the adapters do, with a
    hand-moved clock. It fakes only the outside world: it keeps every action the core
    asked for, the timers it set and the sockets it opened and did not close."""

    def __init__(self, random=lambda: 0.5, fields=FIELDS, permissions=PERMISSIONS,
                 auto_learn=True, **config) -> None:
        """``fields`` and ``permissions`` answer the schema's questions: a body (200),
        or a status alone (e.g. 403); at once after each input (``auto_learn``), or when
        the test calls ``learn``."""
        self.auto_learn = auto_learn
        ids = count(1)
        self.schema_answers = {"/fields/messages": fields, "/permissions/me": permissions}
        self.client = ChatClient(Config(directus_url=URL, **config),
                                 new_id=lambda: f"00000000-0000-4000-8000-{next(ids):012d}",
                                 random=random)
        self.loop = Loop(self.client, self, clock=lambda: self.now)
        self.now = 1000.0
        self.actions: list = []
        self.events: list = []
        self.history: list = []  # every action ever taken from the client, in order
        self.tokens = 0
        self.timers: dict[c.Timer, float] = {}  # timer -> when it falls due
        self.open: set[int] = set()  # sockets asked for and not closed since

    # Inputs, each fed through the adapter loop.
    def __getattr__(self, name):
        method = getattr(self.client, name)

        def feed(*args, **kwargs):
            result = self.loop.feed(method, *args, **kwargs)
            if self.auto_learn:
                self.learn()
            return result
        return feed

    def socket_closed(self, conn, code: int = 1006, reason: str = "") -> None:
        self.open.discard(conn)
        self.loop.feed(self.client.socket_closed, conn, code, reason)

    # The effects: the outside world, as the core asks for it.
    def _did(self, action) -> None:
        self.actions.append(action)
        self.history.append(action)

    def open_socket(self, action) -> None:
        self._did(action)
        self.open.add(action.conn)

    def close_socket(self, action) -> None:
        self._did(action)
        self.open.discard(action.conn)

    def set_timer(self, action) -> None:
        self._did(action)
        self.timers[action.timer] = self.now + action.delay

    def cancel_timer(self, action) -> None:
        self._did(action)
        self.timers.pop(action.timer, None)

    send_frame = request = save_session = _did

    def show(self, events) -> None:
        self.events += events

    @property
    def phase(self) -> c.Phase:
        return self.client.phase

    @property
    def conn(self) -> int | None:
        """The socket the core has open (it opens one at a time)."""
        assert len(self.open) <= 1, self.open
        return next(iter(self.open), None)

    def take(self, kind=None) -> list:
        """Remove and return the actions so far (only those of type ``kind`` if given)."""
        taken = [a for a in self.actions if kind is None or isinstance(a, kind)]
        self.actions = [a for a in self.actions if a not in taken]
        return taken

    def frames(self, *, pongs: bool = False) -> list[dict]:
        """JSON of the frames sent since the last take (without pongs unless asked)."""
        frames = [json.loads(a.text) for a in self.take(c.SendFrame)]
        return [f for f in frames if pongs or f["type"] != "pong"]

    def ask(self, name: str, *args):
        """One of the user's inputs of scrollback and search: ``client.history.<name>``."""
        return self.loop.feed(getattr(self.client.history, name), *args)

    def answer_read(self, items: list) -> dict:
        """Answer the items read sent last with ``items``; returns its query."""
        read = [f for f in self.frames() if f["type"] == "items"][-1]
        assert read["action"] == "read", read
        self.frame({"type": "items", "uid": read["uid"], "data": items})
        return read["query"]

    def answer_http(self, status: int, body, request=None) -> None:
        request = request or self.take(c.HttpRequest)[-1]
        self.http_response(request.id, status, body)

    def tokens_body(self, user: str = "u-alice", expires_ms: int = 900_000) -> dict:
        self.tokens += 1
        return {"data": {"access_token": token(user, self.tokens),
                         "refresh_token": f"refresh-{self.tokens}", "expires": expires_ms}}

    def frame(self, obj: dict) -> None:
        self.socket_message(self.conn, json.dumps(obj))

    def sign_in_and_connect(self, history: list | None = None, user: str = "u-alice",
                            catch_up: list | None = ()) -> None:
        """Sign in, open, authenticate, subscribe and receive the first page."""
        self.sign_in("alice@example.com", "pw")
        self.answer_http(200, self.tokens_body(user))
        self.connect(history, catch_up)

    def connect(self, history: list | None = None, catch_up: list | None = ()) -> None:
        """Open, authenticate, subscribe, send the ``init`` page (``history``), then
        answer the read that follows it with ``catch_up`` (unless it is None: then the
        read is left for the test)."""
        self.go_live(self.take(c.OpenSocket)[-1].conn, history, catch_up)

    def learn(self) -> None:
        """Answer the schema's questions (GET /permissions/me, /fields/messages) asked."""
        while asked := [r for r in self.actions if isinstance(r, c.HttpRequest)
                        and r.path in self.schema_answers]:
            self.actions = [a for a in self.actions if a not in asked]
            for request in asked:
                answer = self.schema_answers[request.path]
                if isinstance(answer, int):
                    self.loop.feed(self.client.http_response, request.id, answer, {
                        "errors": [{"extensions": {"code": "FORBIDDEN"}}]})
                else:
                    self.loop.feed(self.client.http_response, request.id, 200, answer)

    def go_live(self, conn: int, history: list | None = None,
                catch_up: list | None = ()) -> None:
        """``connect`` for socket ``conn``."""
        self.socket_opened(conn)
        auth = self.frames()[-1]
        assert auth["type"] == "auth" and "access_token" in auth
        self.frame({"type": "auth", "status": "ok", "uid": auth["uid"]})
        subscribe = self.frames()[-1]
        assert subscribe["type"] == "subscribe"
        self.sub_uid = subscribe["uid"]
        self.frame({"type": "subscription", "event": "init", "uid": self.sub_uid,
                    "data": history or []})
        if catch_up is not None:
            read = self.frames()[-1]
            assert read["type"] == "items" and read["action"] == "read", read
            self.frame({"type": "items", "uid": read["uid"], "data": list(catch_up)})
            self.answer_people()

    def answer_people(self, people: list | None = None) -> None:
        """Answer the read of the people that follows going live, if it was asked for."""
        for request in self.take(c.HttpRequest):
            if request.path.startswith("/users?"):
                self.http_response(request.id, 200, {"data": PEOPLE if people is None
                                                     else people})
            else:
                self.actions.append(request)  # left for the test

    def next_socket(self) -> int:
        """Wait for the next attempt to open a socket; return its number."""
        for _ in range(600):
            opened = self.take(c.OpenSocket)
            if opened:
                return opened[-1].conn
            self.advance(0.25)
        raise AssertionError("no attempt to open a socket within 150 s")

    def reconnect(self, history: list | None = None, catch_up: list | None = ()) -> None:
        """Wait for the next attempt to open a socket, then connect it."""
        self.go_live(self.next_socket(), history, catch_up)

    def fail_attempt(self) -> None:
        """Wait for the next attempt to open a socket, and refuse it."""
        self.socket_closed(self.next_socket(), 1006)

    def serve(self, seconds: float, *, up: bool, step: float = 0.1) -> dict[str, int]:
        """Be the server for ``seconds``, answering at once: down, every socket and REST
        request fails; up, they work (a socket goes live with an empty page). Returns
        how many sockets and requests of each path the client asked for."""
        asked: dict[str, int] = {}
        end = self.now + seconds
        while self.now < end:
            for action in self.take(c.OpenSocket):
                asked["socket"] = asked.get("socket", 0) + 1
                if up:
                    self.go_live(action.conn)
                else:
                    self.socket_closed(action.conn, 1006)
            for request in self.take(c.HttpRequest):
                asked[request.path] = asked.get(request.path, 0) + 1
                if not up:
                    self.http_failed(request.id, c.Failure.NETWORK)
                elif request.path == "/server/ping":
                    self.http_response(request.id, 200, None)
                elif request.path in ("/auth/login", "/auth/refresh"):
                    self.answer_http(200, self.tokens_body(), request)
                else:
                    self.http_response(request.id, 204, None)
            self.advance(step)
        return asked

    def drop(self) -> None:
        self.socket_closed(self.conn, 1006)

    def advance(self, seconds: float, *, pings: bool = True) -> None:
        """Move the clock, firing every timer that falls due, in order. With ``pings``
        the server's heartbeat pings a live socket every 30 s, as Directus does."""
        end = self.now + seconds
        next_ping = self.now + 30
        while True:
            due = [(when, name) for name, when in self.timers.items() if when <= end]
            if pings and next_ping <= end:
                due.append((next_ping, "server-ping"))
            if not due:
                break
            when, name = min(due, key=lambda due: (due[0], getattr(due[1], "value", due[1])))
            self.now = max(self.now, when)
            if name == "server-ping":
                next_ping += 30
                if self.conn is not None and self.phase in (c.Phase.SYNCING, c.Phase.LIVE):
                    self.frame({"type": "ping"})
            else:
                del self.timers[name]
                self.timer_fired(name)
        self.now = end

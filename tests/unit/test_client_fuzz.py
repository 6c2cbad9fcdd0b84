"""The whole client under random and hostile input: whatever the server, the network,
the clock and the user do, no exception escapes and the state stays consistent."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chat import core as c
from chat.core import Phase

from .driver import Driver, at

CODES = ["TOKEN_EXPIRED", "AUTH_FAILED", "AUTH_TIMEOUT", "FORBIDDEN", "RECORD_NOT_UNIQUE",
         "REQUESTS_EXCEEDED", "INVALID_PAYLOAD", "FAILED_VALIDATION", "SOMETHING_NEW"]
ODD_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=30) | st.sampled_from(
    ["", "\u202e\u0000<script>", "\ud800", "😀" * 2000, "x" * 100_000])


def message_data(ids: list[str]):
    """One message item as the server might send it (of our own ids or others'), or
    something broken in its place; or a list of those."""
    item = st.one_of(
        st.builds(lambda i, content, second, user: {
            "id": i, "content": content, "date_created": at(second), "date_updated": None,
            "user_created": {"id": user, "first_name": "A"} if user else None},
            st.sampled_from(ids), ODD_TEXT, st.integers(0, 3600),
            st.sampled_from(["u-alice", "u-bob", None])),
        st.none(), st.integers(), st.text(max_size=5), st.lists(st.integers(), max_size=2),
        st.fixed_dictionaries({"id": st.sampled_from(ids), "content": st.none()}),
    )
    return item | st.lists(item, max_size=5)


class Fuzz:
    """A signed-in, live client plus what the test knows from outside of it."""

    def __init__(self) -> None:
        self.d = Driver(max_attempts=1000)
        self.d.sign_in_and_connect()
        self.uids: list[str] = [self.d.sub_uid]  # uids the client has sent, newest last
        self.typed: set[str] = set()
        self.seen: set[str] = set()  # every id the timeline ever held
        self.paused_conn: int | None = None  # TOKEN_EXPIRED fed on this socket, no auth ok yet

    def step(self, op: str, draw) -> None:
        d = self.d
        if op == "frame" and d.conn is not None:
            frame = draw(self.frames())
            error = frame.get("error")
            if frame["type"] == "auth" and frame.get("status") == "ok":
                self.paused_conn = None
            elif (frame["type"] == "auth" and isinstance(error, dict)
                  and error["code"] == "TOKEN_EXPIRED" and d.phase in (Phase.SYNCING, Phase.LIVE)):
                self.paused_conn = d.conn
            d.frame(frame)
        elif op == "garbage" and d.conn is not None:
            d.socket_message(d.conn, draw(st.text(max_size=50) | st.binary(max_size=20)
                                          | st.sampled_from(["{", "[]", "null", '{"type":1}'])))
        elif op == "send" and d.phase not in (Phase.SIGNED_OUT, Phase.SIGNING_IN):
            self.typed.add(d.send(draw(st.text(min_size=1, max_size=20).filter(str.strip))))
        elif op == "drop" and d.conn is not None:
            d.socket_closed(d.conn, draw(st.sampled_from([1000, 1006, 4000])))
        elif op == "open":
            opened = d.take(c.OpenSocket)
            if opened:
                d.socket_opened(opened[-1].conn)
        elif op == "http":
            requests = d.take(c.HttpRequest)
            if requests:
                answer = draw(st.sampled_from(["ok", "401", "500", "network"]))
                if answer == "ok":
                    d.answer_http(200, d.tokens_body(), requests[-1])
                elif answer == "network":
                    d.http_failed(requests[-1].id)
                else:
                    d.answer_http(int(answer), {"errors": [{"message": "no"}]}, requests[-1])
        elif op == "time":
            d.advance(draw(st.floats(0.1, 45)))
        self.observe()

    def frames(self):
        # The server knows our ids only once we have typed them (they are random UUIDs).
        ids = sorted(self.typed) + ["other-1", "other-2"]
        data = message_data(ids)
        uid = st.sampled_from(self.uids[-4:]) | st.none() | st.text(max_size=4)
        error = st.fixed_dictionaries({"code": st.sampled_from(CODES), "message": ODD_TEXT})
        return st.one_of(
            st.just({"type": "ping"}),
            st.builds(lambda u: {"type": "auth", "status": "ok", "uid": u}, uid),
            st.builds(lambda e: {"type": "auth", "status": "error", "error": e}, error),
            st.builds(lambda t, e, u: {"type": t, "status": "error", "error": e, "uid": u},
                      st.sampled_from(["items", "subscribe", "server", "subscription"]),
                      error | st.none() | st.text(max_size=3), uid),
            st.builds(lambda v, u: {"type": "items", "data": v, "uid": u}, data, uid),
            st.builds(lambda ev, v, u: {"type": "subscription", "event": ev, "data": v,
                                        "uid": u},
                      st.sampled_from(["init", "create", "update", "delete", "unsubscribe",
                                       "weird"]),
                      data | st.lists(st.sampled_from(ids), max_size=3), uid),
        )

    def observe(self) -> None:
        """Check the invariants, after every input."""
        d = self.d
        for event in d.events:
            if isinstance(event, c.TimelineChanged):
                self.seen.update(m.id for m in event.upserted)
        d.events.clear()
        for action in d.take(c.SendFrame):
            frame = json.loads(action.text)
            if "uid" in frame:
                self.uids.append(frame["uid"])
            # Nothing but auth (and pongs) between TOKEN_EXPIRED and the next auth ok.
            assert not (action.conn == self.paused_conn and frame["type"] in
                        ("items", "subscribe")), frame
        if d.conn != self.paused_conn:
            self.paused_conn = None

        messages = d.client.timeline.messages()
        assert len({m.id for m in messages}) == len(messages)
        assert [m.sort_key for m in messages] == sorted(m.sort_key for m in messages)
        outbox = d.client.outbox
        assert len({e.id for e in outbox}) == len(outbox)
        # A message leaves the outbox only when the server shows it stored.
        assert self.typed <= {e.id for e in outbox} | self.seen
        assert all(e.id not in d.client.timeline for e in outbox)
        assert all(isinstance(e.state, c.OutboxState) for e in outbox)
        assert sum(e.state == c.OutboxState.SENDING for e in outbox) <= 1  # one create in flight
        if d.phase in (Phase.AUTHENTICATING, Phase.SYNCING, Phase.LIVE):
            assert d.conn is not None
        if d.phase in (Phase.SIGNED_OUT, Phase.WAITING, Phase.OFFLINE, Phase.GAVE_UP):
            assert d.conn is None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_frames_network_and_user_never_break_the_client(data):
    fuzz = Fuzz()
    ops = data.draw(st.lists(st.sampled_from(
        ["frame", "frame", "frame", "garbage", "send", "send", "drop", "open", "http", "time"]),
        max_size=40))
    for op in ops:
        fuzz.step(op, data.draw)

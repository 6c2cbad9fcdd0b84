"""The core's inputs about other tabs and earlier pages (chat/core/shared.py)."""

import pytest

from chat import core as c
from chat.core import OutboxState, Outgoing, Phase

from .driver import Driver


@pytest.fixture
def driver() -> Driver:
    return Driver()


def creates(d: Driver) -> list[str]:
    return [f["data"]["id"] for f in d.frames() if f["type"] == "items"
            and f["action"] == "create"]


def kept(*ids: str, state=OutboxState.PENDING) -> list[Outgoing]:
    return [Outgoing(id=i, content=f"text {i}", state=state) for i in ids]


def test_a_refresh_after_another_tab_rotated_the_token_uses_the_newest(driver):
    driver.sign_in_and_connect()
    driver.session_elsewhere("refresh-from-tab-2")
    driver.take()
    driver.advance(720)
    [refresh] = driver.take(c.HttpRequest)
    assert refresh.body["refresh_token"] == "refresh-from-tab-2"
    assert driver.phase == Phase.LIVE


def test_sign_out_revokes_the_newest_token_another_tab_brought(driver):
    driver.sign_in_and_connect()
    driver.session_elsewhere("refresh-from-tab-2")
    driver.take()
    driver.sign_out()
    [logout] = [r for r in driver.take(c.HttpRequest) if r.path == "/auth/logout"]
    assert logout.body["refresh_token"] == "refresh-from-tab-2"


def test_a_session_ended_in_another_tab_ends_here_with_a_reason_and_keeps_the_outbox(driver):
    driver.sign_in_and_connect()
    driver.drop()
    driver.send("typed while away")
    driver.session_elsewhere(None)
    assert driver.phase == Phase.SIGNED_OUT
    assert driver.events[-1].reason == c.ENDED_ELSEWHERE
    assert [e.content for e in driver.client.outbox] == ["typed while away"]
    assert not driver.open
    driver.session_elsewhere("late")  # signed out: nothing to follow
    assert driver.phase == Phase.SIGNED_OUT


def test_a_kept_outbox_is_sent_once_in_order_after_what_waits_here(driver):
    driver.sign_in_and_connect()
    driver.drop()
    driver.send("typed here")
    failed = kept("m-failed", state=OutboxState.FAILED)
    assert driver.restore_outbox("u-alice", kept("m-1", "m-2") + failed) == 3
    assert driver.restore_outbox("u-alice", kept("m-1")) == 0  # already here
    states = [(e.id, e.state) for e in driver.client.outbox]
    assert states[1:] == [("m-1", OutboxState.PENDING), ("m-2", OutboxState.PENDING),
                          ("m-failed", OutboxState.FAILED)]
    driver.reconnect()
    sent = []
    for _ in range(3):
        [create] = [f for f in driver.frames() if f["type"] == "items"]
        sent.append(create["data"]["id"])
        driver.frame({"type": "items", "uid": create["uid"],
                      "data": {**create["data"], "date_created": "2026-11-27T10:00:00.000Z",
                               "user_created": {"id": "u-alice", "first_name": "Alice"}}})
    assert sent[1:] == ["m-1", "m-2"]
    assert [e.id for e in driver.client.outbox] == ["m-failed"]
    assert creates(driver) == []


def test_a_kept_outbox_of_another_account_is_never_taken(driver):
    driver.sign_in_and_connect(user="u-bob")
    assert driver.restore_outbox("u-alice", kept("m-1")) == 0
    assert driver.client.outbox == () and creates(driver) == []
    driver.sign_out()
    assert driver.restore_outbox("u-bob", kept("m-2")) == 0  # signed out: nobody's

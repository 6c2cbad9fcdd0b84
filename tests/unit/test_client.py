"""The chat core's behaviours, one test each, driven without network or clock."""

import json
import logging

import pytest

from chat import core as c
from chat.core import Phase

from .driver import Driver, at, item, token


@pytest.fixture
def driver() -> Driver:
    return Driver()


def phases(d: Driver) -> list[Phase]:
    return [e.phase for e in d.events if isinstance(e, c.PhaseChanged)]


def timeline_ids(d: Driver) -> list[str]:
    return [m.id for m in d.client.timeline.messages()]


def outbox(d: Driver) -> list[tuple[str, str]]:
    return [(e.content, e.state.value) for e in d.client.outbox]


# --- Tokens and sign-in -----------------------------------------------------------


def test_login_posts_json_mode_and_then_opens_the_socket(driver):
    driver.sign_in("alice@example.com", "pw")
    login = driver.take(c.HttpRequest)[0]
    assert login.path == "/auth/login"
    assert login.body == {"email": "alice@example.com", "password": "pw", "mode": "json"}
    driver.answer_http(200, driver.tokens_body(), login)
    assert driver.take(c.OpenSocket) == [c.OpenSocket(conn=1, url="ws://directus.test/websocket")]
    assert driver.client.user_id == "u-alice"


def test_first_frame_is_auth_with_the_access_token(driver):
    driver.sign_in("a@b.c", "pw")
    driver.answer_http(200, driver.tokens_body())
    driver.socket_opened(driver.take(c.OpenSocket)[0].conn)
    first = driver.frames()[0]
    assert first["type"] == "auth" and first["access_token"] == token("u-alice", 1)


def test_wrong_password_signs_out_with_a_sentence(driver):
    driver.sign_in("a@b.c", "bad")
    driver.answer_http(401, {"errors": [{"message": "Invalid user credentials."}]})
    assert driver.phase == Phase.SIGNED_OUT
    assert driver.events[-1].reason == c.WRONG_PASSWORD
    assert not driver.take(c.OpenSocket)


def test_unreachable_server_on_sign_in_says_so(driver):
    driver.sign_in("a@b.c", "pw")
    driver.http_failed(driver.take(c.HttpRequest)[0].id, c.Failure.NETWORK)
    assert driver.phase == Phase.SIGNED_OUT
    assert "Can't reach the chat server at http://directus.test" in driver.events[-1].reason


def test_cors_refusal_on_sign_in_names_the_setting(driver):
    driver.sign_in("a@b.c", "pw")
    driver.http_failed(driver.take(c.HttpRequest)[0].id, c.Failure.CORS)
    assert "CORS_ORIGIN" in driver.events[-1].reason


def test_access_token_is_refreshed_over_rest_before_it_expires(driver):
    driver.sign_in_and_connect()
    driver.take()
    driver.advance(0.8 * 900 - 1)
    assert not driver.take(c.HttpRequest)
    driver.advance(1)
    refresh = driver.take(c.HttpRequest)
    assert [(r.path, r.body["refresh_token"]) for r in refresh] == [("/auth/refresh", "refresh-1")]
    driver.answer_http(200, driver.tokens_body(), refresh[0])
    # The same socket is re-authenticated with the new access token; no new socket.
    frames = driver.frames()
    assert [f["type"] for f in frames] == ["auth"]
    assert frames[0]["access_token"] == token("u-alice", 2)
    assert driver.phase == Phase.LIVE and not driver.take(c.OpenSocket)


def test_the_newest_refresh_token_is_always_the_one_used(driver):
    driver.sign_in_and_connect()
    for expected in ("refresh-1", "refresh-2", "refresh-3"):
        driver.take()
        driver.advance(720)
        refresh = driver.take(c.HttpRequest)[0]
        assert refresh.body["refresh_token"] == expected
        driver.answer_http(200, driver.tokens_body(), refresh)
    saved = [a.refresh_token for a in driver.history if isinstance(a, c.SaveSession)]
    assert saved == ["refresh-1", "refresh-2", "refresh-3", "refresh-4"]


def test_only_one_refresh_is_in_flight_at_a_time(driver):
    driver.sign_in_and_connect()
    driver.take()
    driver.frame({"type": "auth", "status": "error",
                  "error": {"code": "TOKEN_EXPIRED", "message": "Token expired."}})
    driver.advance(720)  # the proactive refresh falls due too
    assert len(driver.take(c.HttpRequest)) == 1


def test_nothing_is_sent_between_token_expired_and_auth_ok(driver):
    driver.sign_in_and_connect()
    driver.take()
    driver.frame({"type": "auth", "status": "error",
                  "error": {"code": "TOKEN_EXPIRED", "message": "Token expired."}})
    driver.send("typed while expired")
    assert driver.frames() == []  # refresh requested, nothing on the socket
    assert outbox(driver) == [("typed while expired", "pending")]
    driver.answer_http(200, driver.tokens_body())
    auth = driver.frames()
    assert [f["type"] for f in auth] == ["auth"]
    driver.frame({"type": "auth", "status": "ok", "uid": auth[0]["uid"]})
    create = driver.frames()
    assert [(f["type"], f["action"]) for f in create] == [("items", "create")]
    assert driver.phase == Phase.LIVE and not driver.take(c.OpenSocket)


def test_events_refused_while_expired_are_read_again_after_reauth(driver):
    driver.sign_in_and_connect([item("m1", at=at(1))])
    driver.take()
    driver.frame({"type": "auth", "status": "error", "error": {"code": "TOKEN_EXPIRED"}})
    driver.frame({"type": "subscription", "status": "error",
                  "error": {"code": "FORBIDDEN", "message": "no"}})
    driver.answer_http(200, driver.tokens_body())
    driver.frame({"type": "auth", "status": "ok", "uid": driver.frames()[0]["uid"]})
    read = driver.frames()
    assert read[0]["action"] == "read" and read[0]["query"]["limit"] == 100
    driver.frame({"type": "items", "uid": read[0]["uid"],
                  "data": [item("m2", at=at(2)), item("m1", at=at(1))]})
    assert timeline_ids(driver) == ["m1", "m2"]


def test_auth_failed_in_handshake_refreshes_once_and_retries(driver):
    driver.sign_in("a@b.c", "pw")
    driver.answer_http(200, driver.tokens_body())
    driver.socket_opened(driver.take(c.OpenSocket)[0].conn)
    driver.frame({"type": "auth", "status": "error", "error": {"code": "AUTH_FAILED"}})
    actions = driver.take()
    assert any(isinstance(a, c.CloseSocket) for a in actions)
    refresh = [a for a in actions if isinstance(a, c.HttpRequest)]
    assert refresh[0].path == "/auth/refresh"
    driver.answer_http(200, driver.tokens_body(), refresh[0])
    driver.connect()
    assert driver.phase == Phase.LIVE


def test_auth_failed_when_refresh_fails_ends_the_session_with_a_reason(driver):
    driver.sign_in("a@b.c", "pw")
    driver.answer_http(200, driver.tokens_body())
    driver.socket_opened(driver.take(c.OpenSocket)[0].conn)
    driver.frame({"type": "auth", "status": "error", "error": {"code": "AUTH_FAILED"}})
    driver.answer_http(401, {"errors": [{"message": "Invalid user credentials."}]})
    assert driver.phase == Phase.SIGNED_OUT
    assert driver.events[-1].reason == c.SESSION_EXPIRED
    assert c.SaveSession(refresh_token=None) in driver.history


def test_auth_failed_twice_ends_the_session(driver):
    driver.sign_in("a@b.c", "pw")
    driver.answer_http(200, driver.tokens_body())
    for _ in range(2):
        driver.socket_opened(driver.take(c.OpenSocket)[-1].conn)
        driver.frame({"type": "auth", "status": "error", "error": {"code": "AUTH_FAILED"}})
        if driver.phase != Phase.SIGNED_OUT:
            driver.answer_http(200, driver.tokens_body())
    assert driver.phase == Phase.SIGNED_OUT and driver.events[-1].reason == c.SESSION_EXPIRED


def test_resume_uses_the_saved_refresh_token_without_a_password(driver):
    driver.resume("saved-refresh")
    refresh = driver.take(c.HttpRequest)[0]
    assert refresh.path == "/auth/refresh" and refresh.body["refresh_token"] == "saved-refresh"
    driver.answer_http(200, driver.tokens_body(), refresh)
    driver.connect()
    assert driver.phase == Phase.LIVE


def test_a_refresh_before_connecting_opens_exactly_one_socket(driver):
    driver.resume("saved-refresh")
    driver.answer_http(200, driver.tokens_body())
    assert len(driver.take(c.OpenSocket)) == 1
    retried = Driver()
    resume_after_a_failed_first_refresh(retried)  # its refresh answered in CONNECTING
    assert len([a for a in retried.history if isinstance(a, c.OpenSocket)]) == 1


def test_resume_of_a_revoked_session_signs_out_and_forgets_it(driver):
    driver.resume("revoked")
    driver.answer_http(401, {"errors": [{"message": "Invalid user credentials."}]})
    assert driver.phase == Phase.SIGNED_OUT
    assert driver.events[-1].reason == c.SESSION_EXPIRED
    assert c.SaveSession(refresh_token=None) in driver.history


# --- History and live ---------------------------------------------------------------


def test_subscribe_asks_for_the_newest_hundred_with_the_app_fields(driver):
    driver.sign_in("a@b.c", "pw")
    driver.answer_http(200, driver.tokens_body())
    driver.socket_opened(driver.take(c.OpenSocket)[0].conn)
    driver.frame({"type": "auth", "status": "ok"})
    subscribe = driver.frames()[-1]
    assert subscribe["collection"] == "messages" and "event" not in subscribe
    assert subscribe["query"]["limit"] == 100
    assert subscribe["query"]["sort"] == ["-date_created", "-id"]
    assert set(subscribe["query"]["fields"]) == {
        "id", "content", "date_created", "date_updated", "user_created.id",
        "user_created.first_name"}


def test_history_is_shown_oldest_first(driver):
    driver.sign_in_and_connect([item("m3", at=at(3)), item("m2", at=at(2)),
                                item("m1", at=at(1))])
    assert timeline_ids(driver) == ["m1", "m2", "m3"]
    assert driver.phase == Phase.LIVE


def test_live_create_update_delete_change_the_timeline(driver):
    driver.sign_in_and_connect([item("m1", at=at(1))])
    uid = driver.sub_uid
    driver.frame({"type": "subscription", "event": "create", "uid": uid,
                  "data": [item("m2", "new", at=at(2))]})
    driver.frame({"type": "subscription", "event": "update", "uid": uid,
                  "data": [item("m1", "edited", at=at(1))]})
    assert [m.content for m in driver.client.timeline.messages()] == ["edited", "new"]
    driver.frame({"type": "subscription", "event": "delete", "uid": uid, "data": ["m2"]})
    assert timeline_ids(driver) == ["m1"]
    changes = [e for e in driver.events if isinstance(e, c.TimelineChanged)]
    assert changes[-1].removed == ("m2",)


def test_exactly_one_subscription_after_any_number_of_reconnects(driver):
    driver.sign_in_and_connect()
    uids = [driver.sub_uid]
    for _ in range(5):
        driver.drop()
        driver.reconnect()
        uids.append(driver.sub_uid)
    assert len(set(uids)) == 6  # a fresh uid per connection, never reused
    # Events of an old subscription are ignored; the current one's arrive.
    driver.frame({"type": "subscription", "event": "create", "uid": uids[0],
                  "data": [item("old", at=at(1))]})
    driver.frame({"type": "subscription", "event": "create", "uid": uids[-1],
                  "data": [item("new", at=at(2))]})
    assert timeline_ids(driver) == ["new"]


def test_uids_are_unique_across_connections(driver):
    driver.sign_in_and_connect()
    seen = []
    for _ in range(3):
        driver.send("x")
        seen += [f["uid"] for f in driver.frames() if "uid" in f]
        driver.drop()
        driver.socket_opened(driver.next_socket())
        seen += [f["uid"] for f in driver.frames()]
        driver.frame({"type": "auth", "status": "ok"})
        sub = driver.frames()[-1]
        seen.append(sub["uid"])
        driver.frame({"type": "subscription", "event": "init", "uid": sub["uid"], "data": []})
    assert len(seen) == len(set(seen))


# --- Sending exactly once -----------------------------------------------------------


def test_send_is_pending_at_once_and_confirmed_by_its_reply(driver):
    driver.sign_in_and_connect()
    message_id = driver.send("  hello  ")
    assert outbox(driver) == [("hello", "sending")]
    create = driver.frames()[0]
    assert create["data"] == {"id": message_id, "content": "hello"}
    driver.frame({"type": "items", "uid": create["uid"],
                  "data": item(message_id, "hello", at=at(5))})
    assert outbox(driver) == [] and timeline_ids(driver) == [message_id]


def test_own_create_event_before_the_reply_confirms_once(driver):
    driver.sign_in_and_connect()
    message_id = driver.send("hello")
    create = driver.frames()[0]
    driver.frame({"type": "subscription", "event": "create", "uid": driver.sub_uid,
                  "data": [item(message_id, "hello", at=at(5))]})
    assert outbox(driver) == [] and timeline_ids(driver) == [message_id]
    driver.frame({"type": "items", "uid": create["uid"],
                  "data": item(message_id, "hello", at=at(5))})
    assert timeline_ids(driver) == [message_id]


def test_one_create_in_flight_at_a_time_in_order(driver):
    driver.sign_in_and_connect()
    ids = [driver.send(text) for text in ("one", "two", "three")]
    sent = []
    for n, message_id in enumerate(ids):
        frames = driver.frames()
        assert len(frames) == 1
        sent.append(frames[0]["data"]["content"])
        driver.frame({"type": "items", "uid": frames[0]["uid"],
                      "data": item(message_id, sent[-1], at=at(n))})
    assert sent == ["one", "two", "three"]


def test_error_without_uid_fails_the_create_in_flight(driver):
    driver.sign_in_and_connect()
    first = driver.send("one")
    driver.send("two")
    driver.frames()
    driver.frame({"type": "items", "status": "error",
                  "error": {"code": "FAILED_VALIDATION", "message": "Content is bad."}})
    assert driver.client.outbox[0].id == first
    assert driver.client.outbox[0].state == c.OutboxState.FAILED
    assert driver.client.outbox[0].error == "Not sent: Content is bad."
    assert driver.frames()[0]["data"]["content"] == "two"  # the queue moves on


@pytest.mark.parametrize("kind", ["subscribe", "server", "mystery"])
def test_an_error_without_uid_of_another_type_leaves_the_create_in_flight(driver, kind):
    """Only ``items`` errors come without their uid (Directus 11); any other error
    frame without a uid is not about our create."""
    driver.sign_in_and_connect()
    driver.send("one")
    driver.frames()
    driver.frame({"type": kind, "status": "error",
                  "error": {"code": "INTERNAL_SERVER_ERROR", "message": "Something broke."}})
    assert outbox(driver) == [("one", "sending")]
    assert driver.frames() == []  # nothing sent again, nothing next


def test_failed_message_can_be_retried_or_discarded(driver):
    driver.sign_in_and_connect()
    first = driver.send("one")
    driver.frames()
    driver.frame({"type": "items", "status": "error", "error": {"code": "FORBIDDEN"}})
    driver.retry(first)
    again = driver.frames()
    assert again[0]["data"] == {"id": first, "content": "one"}
    driver.frame({"type": "items", "status": "error", "error": {"code": "FORBIDDEN"}})
    driver.discard(first)
    assert driver.client.outbox == ()


def test_unanswered_create_fails_after_the_request_timeout_and_the_queue_moves_on(driver):
    # Directus 11 sends nothing back for a create refused with FAILED_VALIDATION.
    driver.sign_in_and_connect()
    first = driver.send("one")
    driver.send("two")
    assert [f["data"]["content"] for f in driver.frames()] == ["one"]
    driver.advance(driver.client.config.request_timeout + 15)  # + up to two watchdog ticks
    assert driver.phase == Phase.LIVE
    assert outbox(driver) == [("one", "failed"), ("two", "sending")]
    assert driver.client.outbox[0].error == c.NO_ANSWER
    assert driver.frames()[0]["data"]["content"] == "two"
    # A late answer still confirms the first one.
    driver.frame({"type": "items", "uid": "create-late", "data": item(first, "one", at=at(5))})
    assert outbox(driver) == [("two", "sending")] and timeline_ids(driver) == [first]


def test_pending_messages_survive_a_disconnect_and_go_out_once_in_order(driver):
    driver.sign_in_and_connect()
    a = driver.send("a")
    driver.frames()  # "a" was in flight when the socket died
    driver.drop()
    b = driver.send("b")
    assert outbox(driver) == [("a", "pending"), ("b", "pending")]
    driver.reconnect()
    first = driver.frames()
    assert [f["data"]["id"] for f in first] == [a]
    # The server had stored "a" before the cut: its create fails as a duplicate.
    driver.frame({"type": "items", "status": "error", "error": {"code": "RECORD_NOT_UNIQUE"}})
    verify = driver.frames()
    assert verify[0]["action"] == "read" and verify[0]["query"]["filter"] == {
        "id": {"_in": [a]}}
    driver.frame({"type": "items", "uid": verify[0]["uid"], "data": [item(a, "a", at=at(1))]})
    second = driver.frames()
    assert [f["data"]["id"] for f in second] == [b]
    driver.frame({"type": "items", "uid": second[0]["uid"], "data": item(b, "b", at=at(2))})
    assert timeline_ids(driver) == [a, b] and driver.client.outbox == ()


def test_record_not_unique_for_a_message_not_stored_sends_it_again(driver):
    driver.sign_in_and_connect()
    a = driver.send("a")
    driver.frames()
    driver.frame({"type": "items", "status": "error", "error": {"code": "RECORD_NOT_UNIQUE"}})
    verify = driver.frames()[0]
    driver.frame({"type": "items", "uid": verify["uid"], "data": []})
    assert driver.frames()[0]["data"] == {"id": a, "content": "a"}


def test_create_reply_without_the_stored_row_reads_it_back_before_the_next(driver):
    # Found by test_client_fuzz: the entry stayed "sending" while the next was sent.
    driver.sign_in_and_connect()
    a = driver.send("a")
    driver.send("b")
    create = driver.frames()[0]
    driver.frame({"type": "items", "uid": create["uid"], "data": None})
    verify = driver.frames()
    assert [f["action"] for f in verify] == ["read"]
    assert verify[0]["query"]["filter"] == {"id": {"_in": [a]}}
    assert [e.state for e in driver.client.outbox] == [c.OutboxState.SENDING,
                                                 c.OutboxState.PENDING]
    driver.frame({"type": "items", "uid": verify[0]["uid"], "data": []})  # not stored
    assert driver.frames()[0]["data"] == {"id": a, "content": "a"}


def test_failed_read_back_marks_the_message_failed_instead_of_sending_forever(driver):
    # Found by test_client_fuzz: the entry stayed "sending" while the next was sent.
    driver.sign_in_and_connect()
    driver.send("a")
    driver.send("b")
    driver.frames()
    driver.frame({"type": "items", "status": "error", "error": {"code": "RECORD_NOT_UNIQUE"}})
    driver.frames()  # the read-back
    driver.frame({"type": "items", "status": "error",
                  "error": {"code": "FORBIDDEN", "message": "No permission."}})
    assert outbox(driver) == [("a", "failed"), ("b", "sending")]
    assert driver.client.outbox[0].error == "Not sent: No permission."


def test_send_refuses_empty_and_too_long_text_before_the_server(driver):
    driver.sign_in_and_connect()
    with pytest.raises(ValueError, match="Type a message"):
        driver.send("   \n ")
    with pytest.raises(ValueError, match="at most 4,000 characters; this one has 4,001"):
        driver.send("x" * 4001)
    assert driver.frames() == [] and driver.client.outbox == ()


def test_rate_limited_create_waits_and_is_sent_again(driver):
    driver.sign_in_and_connect()
    a = driver.send("a")
    driver.frames()
    driver.frame({"type": "server", "status": "error",
                  "error": {"code": "REQUESTS_EXCEEDED", "message": "Too many requests"}})
    assert any(isinstance(e, c.Notice) for e in driver.events)
    driver.send("b")
    assert driver.frames() == []  # held while the server is busy
    driver.advance(2)
    again = driver.frames()
    assert [f["data"]["id"] for f in again] == [a]
    driver.frame({"type": "items", "uid": again[0]["uid"], "data": item(a, "a", at=at(1))})
    assert [f["data"]["content"] for f in driver.frames()] == ["b"]


# --- Heartbeat and reconnect --------------------------------------------------------


def test_every_ping_gets_a_pong(driver):
    driver.sign_in_and_connect()
    driver.take()
    for _ in range(3):
        driver.frame({"type": "ping"})
    assert driver.frames(pongs=True) == [{"type": "pong"}] * 3


def test_a_silent_connection_is_closed_as_dead_after_two_heartbeats(driver):
    driver.sign_in_and_connect()
    driver.take()
    driver.advance(55, pings=False)
    driver.frame({"type": "ping"})  # traffic keeps it alive
    driver.advance(59, pings=False)
    assert driver.phase == Phase.LIVE
    driver.events.clear()
    driver.advance(8, pings=False)
    assert phases(driver)[0] == Phase.WAITING
    assert c.CloseSocket(conn=1, code=4000, reason="reconnecting") in driver.take()


def test_a_socket_that_never_opens_is_given_up_after_the_connect_timeout(driver):
    driver.sign_in("a@b.c", "pw")
    driver.answer_http(200, driver.tokens_body())
    driver.advance(19)
    assert driver.phase == Phase.CONNECTING
    driver.advance(8)
    assert Phase.WAITING in phases(driver)


def test_backoff_grows_by_half_up_to_thirty_seconds():
    d = Driver(max_attempts=100)
    d.sign_in_and_connect()
    delays = []
    for _ in range(12):
        d.drop() if d.conn else None
        waiting = [e for e in d.events if isinstance(e, c.PhaseChanged)][-1]
        delays.append(round(waiting.retry_in, 2))
        d.advance(waiting.retry_in)
        d.socket_closed(d.take(c.OpenSocket)[-1].conn, 1006)
    assert delays[:4] == [1.0, 1.5, 2.25, 3.38]
    assert max(delays) == 30.0 and delays[-1] == 30.0


def test_backoff_resets_after_a_connection_held(driver):
    driver.sign_in_and_connect()
    for _ in range(3):
        driver.drop()
        driver.fail_attempt()
    driver.reconnect()
    driver.advance(11)
    driver.frame({"type": "ping"})
    driver.drop()
    assert driver.events[-1].retry_in == 1.0 and driver.events[-1].attempt == 1


def test_short_connections_between_outages_never_add_up_to_giving_up():
    """A server restarting in a loop is reached each time: never "can't reach" it."""
    d = Driver(max_attempts=8)
    d.sign_in_and_connect()
    for _ in range(4):
        d.drop()
        for _ in range(6):
            d.fail_attempt()
        d.reconnect()
        d.advance(5)  # live, but for less than stable_after
        assert d.phase == Phase.LIVE
    d.drop()
    waiting = [e for e in d.events if isinstance(e, c.PhaseChanged)][-1]
    assert waiting.attempt == 1 and waiting.retry_in > 1.0  # the delays have not reset


def test_gives_up_after_max_attempts_and_retries_on_request():
    d = Driver(max_attempts=3)
    d.sign_in_and_connect()
    d.drop()
    for _ in range(3):
        d.fail_attempt()
    assert d.phase == Phase.GAVE_UP and "after 3 attempts" in d.events[-1].reason
    d.advance(3600)
    assert not d.take(c.OpenSocket)
    d.retry_now()
    assert d.phase == Phase.CONNECTING
    # The access token expired meanwhile: it is refreshed before the socket opens.
    refresh = d.take(c.HttpRequest)[-1]
    assert refresh.path == "/auth/refresh" and not d.take(c.OpenSocket)
    d.answer_http(200, d.tokens_body(), refresh)
    assert d.take(c.OpenSocket)


def test_online_again_retries_at_once(driver):
    driver.sign_in_and_connect()
    driver.network_changed(False)
    driver.drop()
    assert driver.phase == Phase.OFFLINE
    driver.advance(600)
    assert not driver.take(c.OpenSocket)
    driver.network_changed(True)
    assert driver.take(c.OpenSocket) and driver.phase == Phase.CONNECTING


def test_sign_out_revokes_closes_cleanly_and_never_reconnects(driver):
    driver.sign_in_and_connect()
    driver.send("unsent")
    driver.take()
    driver.sign_out()
    actions = driver.take()
    logout = [a for a in actions if isinstance(a, c.HttpRequest)]
    assert logout[0].path == "/auth/logout" and logout[0].body["refresh_token"] == "refresh-1"
    assert c.CloseSocket(conn=1, code=1000, reason="signed out") in actions
    assert driver.phase == Phase.SIGNED_OUT and driver.events[-1].reason is None
    driver.advance(3600)
    assert not driver.take(c.OpenSocket)


def test_sign_out_during_a_refresh_also_revokes_the_token_that_refresh_brings(driver):
    """Directus rotates the token in place: a logout with the old one may find nothing
    once the refresh in flight reached the server. Its answer is awaited and revoked."""
    driver.sign_in_and_connect()
    driver.take()
    driver.advance(720)
    refresh = driver.take(c.HttpRequest)[0]
    driver.sign_out()
    logout = driver.take(c.HttpRequest)
    assert [(r.path, r.body["refresh_token"]) for r in logout] == [
        ("/auth/logout", "refresh-1")]
    driver.answer_http(200, driver.tokens_body(), refresh)  # brings refresh-2
    logout = driver.take(c.HttpRequest)
    assert [(r.path, r.body["refresh_token"]) for r in logout] == [
        ("/auth/logout", "refresh-2")]
    assert driver.phase == Phase.SIGNED_OUT and not driver.take(c.OpenSocket)
    saved = [a.refresh_token for a in driver.history if isinstance(a, c.SaveSession)]
    assert saved[-1] is None  # the new token is never kept
    assert driver.client.user_id is None


def test_stale_socket_inputs_are_ignored(driver):
    driver.sign_in_and_connect()
    old = driver.conn
    driver.drop()
    driver.reconnect()
    driver.socket_message(old, json.dumps({"type": "ping"}))
    driver.socket_closed(old, 1006)
    assert driver.phase == Phase.LIVE and driver.frames() == []


# --- Gap fill -----------------------------------------------------------------------


def test_reconnect_merges_the_first_page_without_duplicates(driver):
    driver.sign_in_and_connect([item("m1", at=at(1)), item("m2", at=at(2))])
    driver.drop()
    driver.reconnect([item("m3", at=at(3)), item("m2", at=at(2)), item("m1", at=at(1))])
    assert timeline_ids(driver) == ["m1", "m2", "m3"]


def test_messages_deleted_while_away_are_removed_on_reconnect(driver):
    driver.sign_in_and_connect([item("m1", at=at(1)), item("m2", at=at(2))])
    driver.drop()
    driver.reconnect([item("m1", at=at(1))])
    assert timeline_ids(driver) == ["m1"]


def test_a_gap_larger_than_the_first_page_is_read_since_the_newest_known():
    d = Driver(history_limit=3)
    d.sign_in_and_connect([item("m1", at=at(1))])
    d.drop()
    d.take(c.SendFrame)
    d.reconnect([item(f"n{i}", at=at(100 + i)) for i in (5, 4, 3)],  # a full page, all new
                catch_up=None)
    gap = d.frames()[-1]
    assert gap["action"] == "read"
    assert gap["query"]["filter"] == {"date_created": {"_gte": "2026-11-27T09:59:56.000Z"}}
    d.frame({"type": "items", "uid": gap["uid"],
             "data": [item(f"n{i}", at=at(100 + i)) for i in (5, 4, 3, 2, 1)]
             + [item("m1", at=at(1))]})
    assert timeline_ids(d) == ["m1", "n1", "n2", "n3", "n4", "n5"]


def test_a_gap_is_read_from_what_the_subscription_delivered_not_from_own_replies():
    """Found by the 50-client storm: a busy server queues its events, while the reply to
    our own create comes at once. Cut off then, the events for o1 (older than our own
    m2) never come: the gap read must start before o1, not at m2."""
    d = Driver(history_limit=3)
    d.sign_in_and_connect([item("m1", at=at(1))])
    mine = d.send("mine")
    create = d.frames()[-1]
    d.frame({"type": "items", "uid": create["uid"], "data": item(mine, "mine", at=at(60))})
    d.drop()  # the event for o1 (at 30 s) was still queued on the server
    d.reconnect([item(f"n{i}", at=at(100 + i)) for i in (3, 2, 1)], catch_up=None)
    gap = d.frames()[-1]
    assert gap["query"]["filter"] == {"date_created": {"_gte": "2026-11-27T09:59:56.000Z"}}
    d.frame({"type": "items", "uid": gap["uid"], "data": [
        item("n3", at=at(103)), item("n2", at=at(102)), item("n1", at=at(101)),
        item(mine, "mine", at=at(60)), item("o1", at=at(30)), item("m1", at=at(1))]})
    assert timeline_ids(d) == ["m1", "o1", mine, "n1", "n2", "n3"]


def test_what_live_events_delivered_moves_the_start_of_the_next_gap_read():
    d = Driver(history_limit=3)
    d.sign_in_and_connect([item("m1", at=at(1))])
    d.frame({"type": "subscription", "event": "create", "uid": d.sub_uid,
             "data": [item("o1", at=at(30))]})
    d.drop()
    d.reconnect([item(f"n{i}", at=at(100 + i)) for i in (3, 2, 1)], catch_up=None)
    gap = d.frames()[-1]
    assert gap["query"]["filter"] == {"date_created": {"_gte": "2026-11-27T10:00:25.000Z"}}


def test_outbox_waits_for_the_gap_read(driver):
    d = Driver(history_limit=2)
    d.sign_in_and_connect([item("m1", at=at(1))])
    d.drop()
    d.send("later")
    d.take(c.SendFrame)
    d.reconnect([item("n2", at=at(102)), item("n1", at=at(101))], catch_up=None)
    frames = d.frames()
    assert [f["action"] for f in frames if f["type"] == "items"] == ["read"]


# --- The window between the init page and the subscription ------------------------


def test_after_init_what_is_newer_than_the_page_is_read_before_the_outbox_goes(driver):
    """Directus reads the init page before it registers the subscription: a message
    created in between (m3) comes in neither. The read after init finds it."""
    driver.sign_in("alice@example.com", "pw")
    driver.answer_http(200, driver.tokens_body())
    driver.send("typed while connecting")
    driver.connect([item("m2", at=at(2)), item("m1", at=at(1))], catch_up=None)
    assert driver.phase == Phase.SYNCING  # not live before the window is closed
    read = driver.frames()
    assert [(f["type"], f["action"]) for f in read] == [("items", "read")]
    assert read[0]["query"]["filter"] == {"date_created": {"_gte": "2026-11-27T09:59:57.000Z"}}
    assert read[0]["query"]["limit"] == driver.client.config.gap_limit
    driver.frame({"type": "items", "uid": read[0]["uid"],
                  "data": [item("m3", at=at(3)), item("m2", at=at(2)), item("m1", at=at(1))]})
    assert timeline_ids(driver) == ["m1", "m2", "m3"]
    assert driver.phase == Phase.LIVE
    assert [f["action"] for f in driver.frames()] == ["create"]  # now the outbox goes


def test_the_window_is_closed_on_every_reconnect_without_duplicates(driver):
    driver.sign_in_and_connect([item("m1", at=at(1))])
    driver.drop()
    driver.reconnect([item("m2", at=at(2)), item("m1", at=at(1))], catch_up=None)
    read = driver.frames()[-1]
    assert read["query"]["filter"] == {"date_created": {"_gte": "2026-11-27T09:59:57.000Z"}}
    # The live create event of m3 may come before the read's answer, which has it too.
    driver.frame({"type": "subscription", "event": "create", "uid": driver.sub_uid,
                  "data": [item("m3", at=at(3))]})
    driver.frame({"type": "items", "uid": read["uid"],
                  "data": [item("m3", at=at(3)), item("m2", at=at(2))]})
    assert timeline_ids(driver) == ["m1", "m2", "m3"] and driver.phase == Phase.LIVE


def test_an_empty_first_page_is_followed_by_a_read_of_everything(driver):
    driver.sign_in_and_connect(history=[], catch_up=None)
    read = driver.frames()[-1]
    assert read["action"] == "read" and "filter" not in read["query"]
    driver.frame({"type": "items", "uid": read["uid"], "data": [item("m1", at=at(1))]})
    assert timeline_ids(driver) == ["m1"] and driver.phase == Phase.LIVE


def test_a_failed_read_after_init_still_goes_live(driver):
    driver.sign_in_and_connect([item("m1", at=at(1))], catch_up=None)
    driver.frame({"type": "items", "status": "error",
                  "error": {"code": "INTERNAL_SERVER_ERROR", "message": "oops"}})
    assert driver.phase == Phase.LIVE and timeline_ids(driver) == ["m1"]


# --- Bad frames and secrets ---------------------------------------------------------


@pytest.mark.parametrize("text", [
    "not json", "[]", "42", '"x"', "null", '{"type":"mystery"}', '{"type":"items"}',
    '{"type":"subscription","event":"create","uid":"nope","data":[{}]}',
    '{"type":"items","uid":"nope","data":{"id":5}}',
    '{"type":"items","status":"error"}', '{"type":"auth","status":"ok","uid":7}',
    b"bytes", None,
])
def test_bad_frames_are_ignored_never_raised(driver, text):
    driver.sign_in_and_connect([item("m1", at=at(1))])
    driver.take()
    driver.socket_message(driver.conn, text)
    assert driver.phase == Phase.LIVE and timeline_ids(driver) == ["m1"]


def test_malformed_items_in_a_live_event_are_skipped(driver):
    driver.sign_in_and_connect()
    driver.frame({"type": "subscription", "event": "create", "uid": driver.sub_uid,
                  "data": [{"id": "x"}, item("ok", at=at(1)), "junk", {"content": 5}]})
    assert timeline_ids(driver) == ["ok"]


def test_no_token_or_password_in_logs_or_reasons(driver, caplog):
    caplog.set_level(logging.DEBUG, logger="chat")
    driver.sign_in("alice@example.com", "hunter2")
    driver.answer_http(200, driver.tokens_body())
    driver.connect()
    driver.frame({"type": "auth", "status": "error", "error": {"code": "TOKEN_EXPIRED"}})
    driver.answer_http(401, {"errors": [{"message": "Invalid user credentials."}]})
    text = caplog.text + " ".join(str(getattr(e, "reason", "")) for e in driver.events)
    for secret in ("hunter2", token("u-alice", 1), "refresh-1"):
        assert secret not in text
    assert driver.phase == Phase.SIGNED_OUT


def test_phase_changes_follow_the_transition_table(driver):
    driver.sign_in_and_connect()
    assert phases(driver) == [Phase.SIGNING_IN, Phase.CONNECTING, Phase.AUTHENTICATING,
                              Phase.SYNCING, Phase.LIVE]
    with pytest.raises(c.InvalidState, match="cannot sign in while live"):
        driver.client.sign_in("a", "b", now=0)


# --- Resuming when the first refresh fails ------------------------------------------


def resume_after_a_failed_first_refresh(d: Driver, user: str = "u-alice") -> None:
    """A saved session whose first refresh finds the server down; the retry works."""
    d.resume("saved-refresh")
    d.http_failed(d.take(c.HttpRequest)[-1].id, c.Failure.NETWORK)
    assert d.phase == Phase.WAITING
    for _ in range(400):  # the next attempt refreshes first
        refresh = [r for r in d.take(c.HttpRequest) if r.path == "/auth/refresh"]
        if refresh:
            break
        d.advance(0.25)
    d.answer_http(200, d.tokens_body(user), refresh[-1])
    d.connect()


def test_resume_whose_first_refresh_failed_still_knows_the_user(driver):
    resume_after_a_failed_first_refresh(driver)
    assert driver.phase == Phase.LIVE and driver.client.user_id == "u-alice"
    live = [e for e in driver.events if isinstance(e, c.PhaseChanged)][-1]
    assert live.user_id == "u-alice"  # so the view marks own messages as own


def test_after_such_a_resume_another_account_never_sends_the_first_ones_messages(driver):
    resume_after_a_failed_first_refresh(driver)
    driver.drop()
    driver.send("alice's, typed while away")
    # Alice's session ends for good (revoked meanwhile); Bob signs in in the same tab.
    refresh = driver.take(c.HttpRequest)
    while not refresh:
        driver.advance(0.25)
        refresh = [r for r in driver.take(c.HttpRequest) if r.path == "/auth/refresh"]
    driver.answer_http(401, {"errors": [{"message": "Invalid user credentials."}]}, refresh[-1])
    assert driver.phase == Phase.SIGNED_OUT
    driver.sign_in("bob@example.com", "pw")
    driver.answer_http(200, driver.tokens_body("u-bob"))
    driver.connect()
    assert driver.client.outbox == ()
    assert not any(f["type"] == "items" and f["action"] == "create" for f in driver.frames())


def test_nothing_can_be_queued_before_the_session_user_is_known(driver):
    """Typed while a resume has not reached the server yet: refused with a sentence, so
    no message ever waits without an owner (the text stays in the composer)."""
    driver.resume("saved-refresh")
    driver.http_failed(driver.take(c.HttpRequest)[-1].id, c.Failure.NETWORK)
    assert driver.phase == Phase.WAITING
    with pytest.raises(ValueError, match="once connected"):
        driver.send("typed before anyone is known")
    assert driver.client.outbox == ()


# --- A failing refresh while the socket is up ---------------------------------------


@pytest.mark.parametrize("failure", ["network", "500"])
def test_a_failing_refresh_is_retried_at_a_bounded_rate_with_backoff(failure):
    """REST refresh fails while the socket stays up, long past the token's expiry: the
    retries never come faster than one a second and space out."""
    d = Driver()
    d.sign_in("a@b.c", "pw")
    d.answer_http(200, d.tokens_body(expires_ms=10_000))
    d.connect()
    attempts = []
    for step in range(1200):  # 120 s in steps of 0.1 s, every refresh failing at once
        if step % 100 == 0:
            d.frame({"type": "ping"})  # the server's heartbeat: the socket stays up
        for request in d.take(c.HttpRequest):
            attempts.append(d.now)
            if failure == "network":
                d.http_failed(request.id, c.Failure.NETWORK)
            else:
                d.answer_http(500, None, request)
        d.advance(0.1)
    gaps = [b - a for a, b in zip(attempts, attempts[1:], strict=False)]
    assert d.phase == Phase.LIVE
    assert len(attempts) <= 20, f"{len(attempts)} refreshes in 120 s"
    assert min(gaps) >= 0.5 and gaps[-1] >= 15  # a floor, and a growing delay


# --- Back soon after an outage ------------------------------------------------------


def back_after(d: Driver, limit: float = 60) -> float:
    """Seconds until live with the server up again."""
    started = d.now
    while d.phase != Phase.LIVE:
        assert d.now - started < limit, f"not live {limit} s after the server came back"
        d.serve(0.1, up=True)
    return d.now - started


@pytest.mark.parametrize("outage", [30, 300])
def test_back_within_seconds_of_the_server_answering_again_after_a_long_outage(outage):
    """A cheap probe (GET /server/ping, every ~2 s) notices the server's return; the
    socket backoff, grown meanwhile, is not waited for."""
    d = Driver()
    d.sign_in_and_connect()
    d.drop()
    asked = d.serve(outage, up=False)
    assert back_after(d) <= 3.0  # the probe's longest jittered interval
    # Meanwhile: a probe every ~2 s and the backoff's socket attempts, nothing more.
    assert asked["/server/ping"] <= outage / 1.0
    assert asked["socket"] <= 17


def test_the_probe_is_a_get_without_a_body_or_a_token():
    d = Driver()
    d.sign_in_and_connect()
    d.drop()
    probe = []
    while not probe:
        for action in d.take(c.OpenSocket):
            d.socket_closed(action.conn, 1006)
        probe = [r for r in d.take(c.HttpRequest) if r.path == "/server/ping"]
        d.advance(0.1)
    assert [(r.method, r.body, r.timeout) for r in probe] == [
        (c.Method.GET, None, d.client.config.probe_timeout)]


def test_probes_are_jittered_so_clients_cut_off_together_come_back_spread_out():
    delays = set()
    for value in (0.0, 0.25, 0.75, 0.99):
        d = Driver(random=lambda v=value: v)
        d.sign_in_and_connect()
        d.drop()
        delays |= {round(t - d.now, 2) for name, t in d.timers.items() if name == c.Timer.PROBE}
    interval = Driver().client.config.probe_interval
    assert len(delays) == 4 and min(delays) >= 0.5 * interval and max(delays) < 1.5 * interval


def test_a_server_that_answers_ping_but_fails_the_socket_keeps_the_backoff():
    """Ping answers, the socket does not open: the probe says nothing new, and the
    attempts stay spaced by the backoff, not by the probe."""
    d = Driver()
    d.sign_in_and_connect()
    d.drop()
    sockets = 0
    for _ in range(1200):  # 120 s
        for action in d.take(c.OpenSocket):
            sockets += 1
            d.socket_closed(action.conn, 1006)
        for request in d.take(c.HttpRequest):
            assert request.path == "/server/ping"
            d.http_response(request.id, 200, None)
        d.advance(0.1)
    assert sockets <= 12  # 1, 1.5, 2.25 ... s: the backoff


def test_no_probe_while_live_offline_or_after_giving_up():
    d = Driver(max_attempts=2)
    d.sign_in_and_connect()
    d.advance(120)
    assert not d.take(c.HttpRequest)
    d.network_changed(False)
    d.drop()
    d.advance(60)
    assert d.phase == Phase.OFFLINE and not d.take(c.HttpRequest)
    d.network_changed(True)
    d.serve(30, up=False)
    assert d.phase == Phase.GAVE_UP
    d.advance(600)
    assert not [r for r in d.take(c.HttpRequest) if r.path == "/server/ping"]


# --- Resuming as the user the session was kept for (offline) -------------------------


def test_a_resume_told_its_user_takes_messages_offline_and_sends_them_once_connected():
    driver = Driver()
    driver.network_changed(False)
    driver.resume("saved-refresh", user_id="u-alice")
    driver.http_failed(driver.take(c.HttpRequest)[-1].id, c.Failure.NETWORK)
    assert driver.phase == Phase.OFFLINE
    driver.send("typed offline")
    assert [entry.content for entry in driver.client.outbox] == ["typed offline"]
    driver.network_changed(True)
    refresh = [r for r in driver.take(c.HttpRequest) if r.path == "/auth/refresh"]
    driver.answer_http(200, driver.tokens_body("u-alice"), refresh[-1])
    driver.connect()
    creates = [f for f in driver.frames() if f["type"] == "items" and f["action"] == "create"]
    assert [f["data"]["content"] for f in creates] == ["typed offline"]


def test_a_resume_told_the_wrong_user_never_sends_their_messages_as_the_real_one():
    driver = Driver()
    driver.resume("saved-refresh", user_id="u-alice")
    driver.http_failed(driver.take(c.HttpRequest)[-1].id, c.Failure.NETWORK)
    driver.send("alice's")
    for _ in range(400):
        refresh = [r for r in driver.take(c.HttpRequest) if r.path == "/auth/refresh"]
        if refresh:
            break
        driver.advance(0.25)
    driver.answer_http(200, driver.tokens_body("u-bob"), refresh[-1])  # the token is Bob's
    driver.connect()
    assert driver.client.user_id == "u-bob" and driver.client.outbox == ()
    assert not any(f["type"] == "items" and f["action"] == "create" for f in driver.frames())


def test_signing_in_offline_says_so(driver):
    driver.network_changed(False)
    driver.sign_in("alice@example.com", "pw")
    driver.http_failed(driver.take(c.HttpRequest)[-1].id, c.Failure.NETWORK)
    assert driver.phase == Phase.SIGNED_OUT and driver.events[-1].reason == c.OFFLINE_SIGN_IN

"""The read position (chat/core/unread.py): read from the user's own row once live,
moved forward only, saved at most every few seconds, created once per user."""

import pytest

from chat import core as c
from chat.core import ReadPositionChanged

from .driver import FIELDS, PERMISSIONS, Driver, at, item

MINE = {"access": "partial", "fields": ["*"]}
WITH_POSITIONS = {"data": {**PERMISSIONS["data"], "read_positions": {
    "read": MINE, "create": MINE, "update": MINE}}}
ROW = "/items/read_positions"


@pytest.fixture
def driver() -> Driver:
    d = Driver(permissions=WITH_POSITIONS)
    d.sign_in_and_connect([item("m1", at=at(1)), item("m2", at=at(2)), item("m3", at=at(3))])
    return d


def position_requests(d: Driver) -> list:
    return [r for r in d.take(c.HttpRequest) if r.path.startswith(ROW)]


def events(d: Driver) -> list:
    return [(e.message_id, e.created) for e in d.events if isinstance(e, ReadPositionChanged)]


def moves(d: Driver) -> list:
    return [(m, created) for m, created in events(d) if m is not None]


def test_once_live_the_users_row_is_read_with_the_token_and_comes_back_as_an_event(driver):
    [read] = position_requests(driver)
    assert read.method is c.Method.GET and read.token is not None
    assert read.path == ROW + "?fields=id,last_read,last_read_date&limit=1"
    driver.http_response(read.id, 200, {"data": [
        {"id": 7, "last_read": "m2", "last_read_date": at(2)}]})
    assert [m for m, _ in events(driver)] == ["m2", "m2"]  # moved, then known
    assert position_requests(driver) == []  # the server has it already: nothing to save


def test_a_user_without_a_row_is_told_once_that_nothing_was_read_yet(driver):
    assert events(driver) == []  # not known yet: the view marks nothing read meanwhile
    driver.http_response(position_requests(driver)[0].id, 200, {"data": []})
    assert events(driver) == [(None, None)]


def test_the_first_move_creates_the_row_then_moves_update_it_by_id_at_most_every_3_s(driver):
    [read] = position_requests(driver)
    driver.http_response(read.id, 200, {"data": []})
    driver.read_up_to("m2")
    [create] = position_requests(driver)
    assert create.method is c.Method.POST and create.path == ROW
    assert create.body == {"last_read": "m2", "last_read_date": at(2)}
    driver.http_response(create.id, 200, {"data": {"id": 7, "last_read": "m2"}})
    driver.read_up_to("m1")  # backwards: ignored
    driver.read_up_to("m3")
    assert position_requests(driver) == []  # too soon after the last save
    driver.advance(3)
    [update] = position_requests(driver)
    assert (update.method, update.path) == (c.Method.PATCH, ROW + "/7")
    assert update.body["last_read"] == "m3"
    assert [m for m, _ in moves(driver)] == ["m2", "m3"]


def test_a_row_made_meanwhile_by_another_device_is_read_again_and_updated(driver):
    driver.http_response(position_requests(driver)[0].id, 200, {"data": []})
    driver.read_up_to("m3")
    [create] = position_requests(driver)
    driver.http_response(create.id, 400, {"errors": [{"extensions": {
        "code": "RECORD_NOT_UNIQUE", "field": "key"}}]})
    [again] = position_requests(driver)
    assert again.method is c.Method.GET
    driver.http_response(again.id, 200, {"data": [
        {"id": 9, "last_read": "m1", "last_read_date": at(1)}]})
    driver.advance(3)
    [update] = position_requests(driver)
    assert (update.method, update.path, update.body["last_read"]) == (
        c.Method.PATCH, ROW + "/9", "m3")


def test_without_read_positions_on_the_server_the_position_stays_in_the_browser():
    d = Driver()
    d.sign_in_and_connect([item("m1", at=at(1))])
    d.read_position_kept("u-alice", "m0", 0.5)
    d.read_position_kept("u-bob", "m1", 1e12)  # another account's: ignored
    d.read_up_to("m1")
    d.advance(10)
    assert position_requests(d) == []
    assert [m for m, _ in moves(d)] == ["m0", "m1"]
    d.sign_out()
    assert d.client.read_position is None


def test_where_messages_have_channels_the_position_read_is_generals():
    fields = {"data": [*FIELDS["data"], {"field": "channel", "type": "uuid", "schema": {}}]}
    d = Driver(permissions=WITH_POSITIONS, fields=fields)
    d.sign_in_and_connect([item("m1", at=at(1))])
    [read] = position_requests(d)
    assert read.path.endswith("&filter[channel][_eq]=06f75805-89de-4dcd-baf9-8c14401aeb44")


def shown(d: Driver) -> list:
    return [e.message_id for e in d.events if isinstance(e, c.ShowMessage)]


def test_jump_to_unread_shows_the_newest_read_when_it_is_loaded_with_its_context():
    d = Driver(permissions=WITH_POSITIONS)
    d.sign_in_and_connect([item(f"m{i}", at=at(i)) for i in range(1, 41)])
    [read] = position_requests(d)
    d.http_response(read.id, 200, {"data": [
        {"id": 7, "last_read": "m30", "last_read_date": at(30)}]})
    d.frames()
    d.loop.feed(d.client.jump_to_unread)
    assert shown(d) == ["m30"]  # the first unread, m31, is right after it
    assert d.frames() == []  # no read: it was loaded


def test_jump_to_unread_reads_back_to_a_position_older_than_the_loaded_history(driver):
    [read] = position_requests(driver)
    driver.http_response(read.id, 200, {"data": [
        {"id": 7, "last_read": "m0", "last_read_date": at(0)}]})
    driver.frames()
    driver.loop.feed(driver.client.jump_to_unread)
    assert shown(driver) == []
    query = driver.answer_read([item("m0", at=at(0))])  # the page before the oldest
    assert "_or" in query["filter"]
    assert shown(driver) == ["m0"]


def test_jump_to_unread_does_nothing_while_the_position_is_not_known(driver):
    driver.frames()
    driver.loop.feed(driver.client.jump_to_unread)
    assert shown(driver) == [] and driver.frames() == []

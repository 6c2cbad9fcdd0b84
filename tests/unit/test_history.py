"""Scrollback, search and opening a hit in place (chat/core/history.py, search.py),
driven through the client with a hand-moved clock."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chat import core as c
from chat.core.events import Scrollback, ScrollbackChanged, SearchChanged, SearchState, ShowMessage
from chat.core.history import CONTEXT, JUMP_PAGE, PAGE
from chat.core.search import matches, search_filter
from chat.core.texts import HIT_GONE
from tests import history as contract

from .driver import Driver, at, item
from .test_schema import PUBLIC


def newest(n: int, start: int = 0, prefix: str = "m") -> list[dict]:
    """Items of messages start..start+n-1, one a second, newest first (as pages come)."""
    return [item(f"{prefix}{i:05d}", f"message {i}", at=at(i)) for i in
            reversed(range(start, start + n))]


def of(d: Driver, kind) -> list:
    return [e for e in d.events if isinstance(e, kind)]


@pytest.fixture
def live() -> Driver:
    d = Driver()
    d.sign_in_and_connect(history=newest(100, start=200))
    d.take()
    return d


def test_scrolling_up_reads_the_page_before_the_oldest_loaded_with_the_keyset(live):
    live.ask("load_older")
    query = live.answer_read(newest(PAGE, start=150))
    assert query["limit"] == PAGE == 50 and query["sort"] == ["-date_created", "-id"]
    assert query["filter"] == contract.older_than([{"date_created": at(200), "id": "m00200"}])
    assert len(live.client.timeline) == 150
    assert [e.state for e in of(live, ScrollbackChanged)] == [Scrollback.LOADING,
                                                              Scrollback.MORE]


def test_the_tie_break_excludes_every_loaded_message_of_the_oldest_date():
    """Three messages at one instant, the oldest loaded: none is read again."""
    d = Driver()
    tied = [item(f"t{i}", at=at(5)) for i in range(3)]
    d.sign_in_and_connect(history=[item("n", at=at(9)), *tied])
    d.take()
    d.ask("load_older")
    where = d.answer_read([])["filter"]
    assert where["_or"][1]["_and"][1] == {"id": {"_nin": ["t0", "t1", "t2"]}}
    assert where == contract.older_than([{"date_created": at(5), "id": f"t{i}"}
                                         for i in range(3)])


def test_a_short_page_is_the_beginning_and_nothing_more_is_asked(live):
    live.ask("load_older")
    live.answer_read(newest(7, start=193))
    assert live.client.history.state is Scrollback.BEGINNING
    assert of(live, ScrollbackChanged)[-1].state is Scrollback.BEGINNING
    live.ask("load_older")
    assert live.frames() == []


def test_an_empty_chat_is_the_beginning_without_a_read():
    d = Driver()
    d.sign_in_and_connect(history=[])
    d.take()
    d.ask("load_older")
    assert d.frames() == [] and d.client.history.state is Scrollback.BEGINNING


def test_live_messages_arriving_meanwhile_are_kept_with_the_older_page(live):
    live.ask("load_older")
    read = live.frames()[-1]
    live.frame({"type": "subscription", "event": "create", "uid": live.sub_uid,
                "data": [item("new", at=at(400))]})
    live.frame({"type": "items", "uid": read["uid"], "data": newest(PAGE, start=150)})
    ids = [m.id for m in live.client.timeline.messages()]
    assert len(ids) == 151 and ids[0] == "m00150" and ids[-1] == "new"


def test_an_older_read_lost_with_the_socket_is_sent_again_on_the_next(live):
    live.ask("load_older")
    assert live.frames()[-1]["query"]["limit"] == PAGE
    live.drop()
    assert live.client.history.state is Scrollback.LOADING
    live.reconnect(history=newest(100, start=200))
    query = live.answer_read(newest(PAGE, start=150))
    assert query["filter"] == contract.older_than([{"date_created": at(200), "id": "m00200"}])
    assert len(live.client.timeline) == 150


def test_a_refused_older_read_says_so_and_scrolling_up_tries_again(live):
    live.ask("load_older")
    live.frames()
    live.frame({"type": "items", "status": "error",
                "error": {"code": "FORBIDDEN", "message": "No access."}})
    failed = of(live, ScrollbackChanged)[-1]
    assert failed.state is Scrollback.FAILED and "No access." in failed.error
    assert live.phase is c.Phase.LIVE
    live.ask("load_older")
    assert live.frames()[-1]["query"]["limit"] == PAGE


def test_an_unanswered_older_read_fails_without_dropping_the_socket(live):
    live.ask("load_older")
    live.frames()
    live.advance(60)
    assert live.client.history.state is Scrollback.FAILED
    assert live.phase is c.Phase.LIVE and not live.take(c.CloseSocket)


# --- Search ---------------------------------------------------------------------------


HOSTILE = ['"; DROP TABLE messages; --', '{"_or": [{"id": {"_nnull": true}}]}', "null",
           "TRUE", "$CURRENT_USER", "$NOW(-1 year)", "50%_off\\", "<img src=x onerror=1>",
           "\u0000\ud7ff emoji 🎉", "%", "a" * 4000]


@pytest.mark.parametrize("text", HOSTILE)
def test_search_sends_any_text_as_data_in_the_contracts_filter(live, text):
    live.ask("find", text)
    frame = live.frames()[-1]
    assert frame["query"].get("filter") == contract.search_filter(text)
    assert frame["collection"] == "messages" and frame["action"] == "read"
    assert set(frame) == {"type", "collection", "action", "uid", "query"}


@given(st.text())
def test_the_search_filter_and_check_are_the_contracts(text):
    assert search_filter(text) == contract.search_filter(text)
    for content in (text, text.upper(), "x" + text + "y", "other"):
        assert matches(text, content) == contract.matches(text, content)


def test_search_keeps_only_real_hits_newest_first_and_pages_on_the_candidates(live):
    live.ask("find", "50% off")
    candidates = [item(f"s{i:02d}", text, at=at(100 - i)) for i, text in enumerate(
        ["now 50% OFF", "50 off", "50% off!"] + [f"filler {i}" for i in range(PAGE - 3)])]
    live.answer_read(candidates)
    found = of(live, SearchChanged)[-1]
    assert [m.id for m in found.hits] == ["s00", "s02"] and found.state is SearchState.MORE
    live.ask("more_results")
    query = live.answer_read([item("s99", "50% off, older", at=at(1))])
    oldest = candidates[-1]
    assert query["filter"] == {"_and": [contract.search_filter("50% off"),
                                        contract.older_than([oldest])]}
    found = of(live, SearchChanged)[-1]
    assert [m.id for m in found.hits] == ["s00", "s02", "s99"]
    assert found.state is SearchState.DONE


def test_the_answer_to_an_earlier_search_is_dropped(live):
    live.ask("find", "first")
    old = live.frames()[-1]
    live.ask("find", "second")  # waits for the first's answer: one request in flight
    live.frame({"type": "items", "uid": old["uid"], "data": [item("x", "first")]})
    assert of(live, SearchChanged)[-1].text == "second"
    assert of(live, SearchChanged)[-1].hits == ()
    live.answer_read([item("y", "second")])
    assert [m.id for m in of(live, SearchChanged)[-1].hits] == ["y"]


def test_a_search_lost_with_the_socket_is_sent_again(live):
    live.ask("find", "hello")
    live.drop()
    live.reconnect(history=newest(100, start=200))
    assert live.answer_read([item("h", "hello")])["filter"] == contract.search_filter("hello")
    assert [m.id for m in of(live, SearchChanged)[-1].hits] == ["h"]


def test_an_unanswered_search_fails_with_a_sentence_and_can_be_tried_again(live):
    live.ask("find", "hello")
    live.frames()
    live.advance(60)
    failed = of(live, SearchChanged)[-1]
    assert failed.state is SearchState.FAILED and "did not answer" in failed.error
    assert live.phase is c.Phase.LIVE
    live.ask("more_results")
    assert live.answer_read([item("h", "hello")])["filter"] == contract.search_filter("hello")
    assert of(live, SearchChanged)[-1].state is SearchState.DONE


def test_a_blank_search_or_escape_ends_the_search(live):
    live.ask("find", "hello")
    live.ask("find", "   ")
    assert of(live, SearchChanged)[-1] == SearchChanged(text=None)


# --- Opening a hit --------------------------------------------------------------------


def test_a_hit_loaded_with_its_context_opens_at_once(live):
    live.ask("find", "message 250")
    live.answer_read([item("m00250", "message 250", at=at(250))])
    live.ask("open_hit", "m00250")
    assert of(live, ShowMessage) == [ShowMessage(message_id="m00250")]
    assert live.frames() == []


def test_a_hit_near_the_first_message_shows_with_what_there_is_before_it(live):
    live.ask("find", "message 3")
    live.answer_read([item("m00003", "message 3", at=at(3))])
    live.ask("open_hit", "m00003")
    assert live.answer_read(newest(200))["limit"] == JUMP_PAGE  # short: the beginning
    assert of(live, ShowMessage) == [ShowMessage(message_id="m00003")]
    assert live.frames() == []


def test_reading_back_to_a_hit_goes_in_jumps_and_stops_at_enough_context():
    d = Driver()
    d.sign_in_and_connect(history=newest(100, start=2000))
    d.take()
    d.ask("find", "message 1000")
    d.answer_read([item("m01000", "message 1000", at=at(1000))])
    d.ask("open_hit", "m01000")
    assert d.answer_read(newest(JUMP_PAGE, start=1500))["limit"] == JUMP_PAGE
    assert d.answer_read(newest(JUMP_PAGE, start=1000))["limit"] == JUMP_PAGE
    # the hit is the oldest loaded now: one page for the messages before it
    assert d.answer_read(newest(PAGE, start=950))["limit"] == PAGE
    assert of(d, ShowMessage) == [ShowMessage(message_id="m01000")]
    timeline = d.client.timeline
    assert timeline.position(timeline.get("m01000").sort_key) == PAGE >= CONTEXT
    assert d.frames() == []


def test_a_hit_deleted_before_it_was_reached_says_so(live):
    live.ask("find", "gone")
    live.answer_read([item("gone", "gone", at=at(150))])
    live.ask("open_hit", "gone")
    live.answer_read(newest(20, start=180))  # the beginning, and no such message
    assert of(live, ShowMessage) == []
    assert of(live, c.Notice) == [c.Notice(text=HIT_GONE)]


def test_signing_out_forgets_the_search_and_the_beginning(live):
    live.ask("load_older")
    live.answer_read([])
    live.ask("find", "hello")
    live.sign_out()
    assert of(live, SearchChanged)[-1] == SearchChanged(text=None)
    assert live.client.history.state is Scrollback.MORE and live.client.history.search is None


def test_on_integer_ids_the_keyset_sends_numbers_and_a_hit_opens_by_its_number():
    """The tutorial's collection: the tie-break lists the ids as the server sent them
    (numbers), only the fields the server has are asked for, and a hit opens in place."""
    d = Driver(fields=403, permissions=PUBLIC)
    d.sign_in_and_connect(history=[item(n, f"number {n}", at=at(n // 2 + 100))
                                   for n in range(300, 200, -1)])
    d.take()
    d.ask("load_older")
    query = d.answer_read([item(n, f"number {n}", at=at(n // 2 + 100))
                           for n in range(200, 150, -1)])
    assert query["filter"]["_or"][1]["_and"][1] == {"id": {"_nin": [201]}}
    assert "date_updated" not in query["fields"]
    d.ask("find", "number 3")
    d.answer_read([item(30, "number 30", at=at(1))])
    d.ask("open_hit", 30)
    d.answer_read([item(n, f"number {n}", at=at(n // 2)) for n in range(150, 0, -1)])
    assert of(d, ShowMessage) == [ShowMessage(message_id=30)]

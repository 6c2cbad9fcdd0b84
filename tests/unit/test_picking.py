"""The @ picker's logic: what is being typed, who is offered, what is sent."""

from __future__ import annotations

from chat.core import Person
from chat.ui.picking import Query, insert, matching, picked_in, query_at

PEOPLE = (Person(id="u-a", first_name="Alice"), Person(id="u-b", first_name="Bob"),
          Person(id="u-c", first_name="Carol"), Person(id="u-x", first_name=None),
          Person(id="u-l", first_name="Al"))


def test_an_at_sign_at_the_start_or_after_a_space_opens_a_query():
    assert query_at("@", 1) == Query(0, "")
    assert query_at("hi @bo", 6) == Query(3, "bo")
    assert query_at("hi @bo there", 6) == Query(3, "bo")
    assert query_at("mail bob@x", 10) is None  # an address, not a mention
    assert query_at("hi @bo there", 12) is None  # past a space
    assert query_at("line\n@C", 7) == Query(5, "C")


def test_people_offered_by_first_name_prefix_then_substring_never_oneself():
    assert [p.id for p in matching(PEOPLE, "")] == ["u-l", "u-a", "u-b", "u-c"]
    assert [p.id for p in matching(PEOPLE, "al")] == ["u-l", "u-a"]
    assert [p.id for p in matching(PEOPLE, "o")] == ["u-b", "u-c"]
    assert [p.id for p in matching(PEOPLE, "", me="u-a")] == ["u-l", "u-b", "u-c"]
    assert matching(PEOPLE, "zed") == []


def test_picking_replaces_the_query_and_only_names_still_in_the_text_are_sent():
    assert insert("hi @bo", Query(3, "bo"), 6, "Bob") == ("hi @Bob ", 8)
    assert insert("@c and", Query(0, "c"), 2, "Carol") == ("@Carol and", 7)
    picked = {"u-b": "Bob", "u-c": "Carol"}
    assert picked_in("@Carol and @Bob!", picked) == ("u-c", "u-b")
    assert picked_in("@Carol and Bob", picked) == ("u-c",)
    assert picked_in("@Bobby", picked) == ()

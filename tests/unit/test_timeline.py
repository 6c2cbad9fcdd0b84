"""The timeline keeps each message once, in (created, id) order."""

from hypothesis import given
from hypothesis import strategies as st

from chat.core.protocol import Message
from chat.core.timeline import Timeline


def msg(i: str, created: float, content: str = "x") -> Message:
    return Message(id=i, content=content, created=created)


def test_order_is_by_time_then_id():
    t = Timeline()
    for m in (msg("b", 2), msg("c", 1), msg("a", 2)):
        t.upsert(m)
    assert [m.id for m in t.messages()] == ["c", "a", "b"]


def test_upsert_replaces_by_id_and_reports_no_change():
    t = Timeline()
    assert t.upsert(msg("a", 1, "one"))
    assert not t.upsert(msg("a", 1, "one"))
    assert t.upsert(msg("a", 1, "edited"))
    assert [(m.id, m.content) for m in t.messages()] == [("a", "edited")]


def test_remove():
    t = Timeline()
    t.upsert(msg("a", 1))
    assert t.remove("a") and not t.remove("a") and len(t) == 0


ops = st.lists(st.tuples(st.sampled_from(["up", "rm"]), st.sampled_from("abcdef"),
                         st.integers(0, 5)), max_size=60)


@given(ops)
def test_any_sequence_keeps_each_id_once_and_sorted(operations):
    t = Timeline()
    model: dict[str, Message] = {}
    for op, i, created in operations:
        if op == "up":
            t.upsert(msg(i, created))
            model[i] = msg(i, created)
        else:
            t.remove(i)
            model.pop(i, None)
    assert t.messages() == sorted(model.values(), key=lambda m: m.sort_key)

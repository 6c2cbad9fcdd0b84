"""The DOM window (chat/ui/window.py): which messages are drawn as the list follows the
newest or the reader scrolls near an edge. Pure, so tested here without a browser,
against a stand-in DOM that does what the window's redraws say."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from chat.core.protocol import Message
from chat.ui.window import MAX_WINDOW, PAGE, WINDOW, Redraw, Side, Window


def msg(n: int, content: str = "x", created: float | None = None) -> Message:
    return Message(id=f"m{n:04d}", content=content, created=float(n if created is None
                                                                 else created))


class Dom:
    """The ids of the nodes drawn, as the window's orders leave them. An order to drop
    a node that is not drawn, or to draw one twice, fails."""

    def __init__(self, count: int = 0) -> None:
        self.window = Window()
        self.ids: set[str] = set()
        for n in range(count):
            self.window.upsert(msg(n))
        self.draw(pinned=True)

    def draw(self, *, pinned: bool, grow: Side | None = None) -> Redraw:
        for message_id in self.window.take_stale():
            self.ids.remove(message_id)
        self.window.move(pinned=pinned, grow=grow)
        redraw = self.window.sync()
        for message_id in redraw.drop:
            self.ids.remove(message_id)
        for message in redraw.add:
            assert message.id not in self.ids
            self.ids.add(message.id)
        return redraw

    def drawn(self) -> list[int]:
        return [int(m.id[1:]) for m in self.window.shown.messages() if m.id in self.ids]


def test_at_the_end_the_newest_window_is_drawn_and_follows_new_messages():
    dom = Dom(500)
    assert dom.drawn() == list(range(500 - WINDOW, 500))
    assert dom.window.upsert(msg(500))  # a new one
    redraw = dom.draw(pinned=True)
    assert [m.id for m in redraw.add] == ["m0500"] and redraw.drop == ["m0300"]
    assert not redraw.newer_outside and dom.window.follows_newest


def test_scrolling_near_the_top_brings_a_page_more_and_past_the_maximum_drops_the_newest():
    dom = Dom(500)
    assert dom.window.can_grow(Side.OLDER)
    dom.draw(pinned=False, grow=Side.OLDER)
    assert dom.drawn() == list(range(500 - WINDOW - PAGE, 500))
    dom.draw(pinned=False, grow=Side.OLDER)
    assert dom.drawn() == list(range(500 - MAX_WINDOW, 500))
    redraw = dom.draw(pinned=False, grow=Side.OLDER)  # the reader goes on upwards
    assert dom.drawn() == list(range(0, MAX_WINDOW)) and redraw.newer_outside
    assert not dom.window.can_grow(Side.OLDER) and not dom.window.follows_newest


def test_scrolling_back_down_brings_the_newer_ones_back_and_at_the_end_shrinks_again():
    dom = Dom(500)
    for _ in range(3):
        dom.draw(pinned=False, grow=Side.OLDER)
    assert dom.window.can_grow(Side.NEWER)
    dom.draw(pinned=False, grow=Side.NEWER)
    assert dom.drawn() == list(range(500 - MAX_WINDOW, 500)) and dom.window.follows_newest
    dom.draw(pinned=True)
    assert dom.drawn() == list(range(500 - WINDOW, 500))


def test_the_edges_are_the_oldest_and_the_newest_drawn():
    dom = Dom(500)
    assert (dom.window.edge(Side.OLDER), dom.window.edge(Side.NEWER)) == ("m0300", "m0499")


def test_new_messages_while_reading_older_ones_wait_outside_until_asked_for():
    dom = Dom(500)
    for _ in range(3):
        dom.draw(pinned=False, grow=Side.OLDER)
    dom.window.upsert(msg(600))
    redraw = dom.draw(pinned=False)
    assert redraw.add == [] and redraw.newer_outside
    dom.window.follow_newest()  # the "new messages" button
    dom.draw(pinned=True)
    assert dom.drawn()[-1] == 600


def test_a_changed_or_removed_drawn_message_goes_and_comes_back_if_it_stays():
    dom = Dom(10)
    assert not dom.window.upsert(msg(3, "edited"))  # not new
    dom.window.upsert(msg(7))  # unchanged: nothing to redraw
    dom.window.remove("m0005")
    redraw = dom.draw(pinned=True)
    assert [m.content for m in redraw.add] == ["edited"] and redraw.drop == []
    assert dom.drawn() == [0, 1, 2, 3, 4, 6, 7, 8, 9]


def test_a_message_that_moves_in_the_order_is_drawn_again_in_its_new_place():
    dom = Dom(5)
    dom.window.upsert(msg(1, created=10.0))
    assert [m.id for m in dom.draw(pinned=True).add] == ["m0001"]
    assert dom.drawn() == [0, 2, 3, 4, 1]


def test_clear_forgets_everything():
    dom = Dom(10)
    dom.window.clear()
    dom.ids.clear()  # the view empties the DOM itself
    assert dom.draw(pinned=True).add == [] and len(dom.window.shown) == 0


OPS = st.lists(st.one_of(
    st.tuples(st.just("add"), st.integers(0, 900)),
    st.tuples(st.just("remove"), st.integers(0, 900)),
    st.tuples(st.just("draw"), st.booleans(), st.sampled_from([None, Side.OLDER, Side.NEWER])),
    st.tuples(st.just("newest")),
), max_size=60)


@given(st.integers(0, 700), OPS)
def test_what_is_drawn_is_always_one_run_of_what_is_shown_and_never_too_much(count, ops):
    dom = Dom(count)
    for op in ops:
        if op[0] == "add":
            dom.window.upsert(msg(op[1]))
        elif op[0] == "remove":
            dom.window.remove(f"m{op[1]:04d}")
        elif op[0] == "newest":
            dom.window.follow_newest()
        else:
            pinned, grow = op[1], op[2]
            redraw = dom.draw(pinned=pinned, grow=grow)
            order = [m.id for m in dom.window.shown.messages()]
            assert dom.ids <= set(order)
            where = sorted(order.index(i) for i in dom.ids)
            assert len(where) <= MAX_WINDOW
            if where:  # one run, and newer ones outside it are said to be there
                assert where == list(range(where[0], where[0] + len(where)))
                assert redraw.newer_outside == (where[-1] < len(order) - 1)
            if pinned and where:  # it follows the newest, at most WINDOW of them
                assert where[-1] == len(order) - 1 and len(where) <= WINDOW


def test_a_hit_opened_centres_the_window_on_it_and_scrolling_keeps_it():
    dom = Dom(1000)
    dom.window.around("m0500")
    dom.draw(pinned=False)
    assert dom.drawn() == list(range(500 - WINDOW // 2, 500 + WINDOW // 2))
    assert dom.window.can_grow(Side.OLDER) and dom.window.can_grow(Side.NEWER)
    dom.window.around("m0010")  # near either end: a whole window, from that end
    dom.draw(pinned=False)
    assert dom.drawn() == list(range(WINDOW)) and not dom.window.can_grow(Side.OLDER)
    dom.window.around("m0990")
    dom.draw(pinned=False)
    assert dom.drawn() == list(range(1000 - WINDOW, 1000)) and dom.window.follows_newest


def test_integer_ids_of_the_tutorial_collection_are_drawn_in_numeric_order_on_ties():
    """Ids 9 and 10 of one instant: 9 first (as numbers; "10" < "9" as strings)."""
    window = Window()
    for n in (10, 9, 2):
        window.upsert(Message(id=n, content=str(n), created=5.0 if n > 2 else 1.0))
    window.move(pinned=True, grow=None)
    assert [m.id for m in window.sync().add] == [2, 9, 10]


def test_drawing_everything_again_keeps_the_window_where_the_reader_is():
    """Names or avatars changed (the people of the chat came in): every node is drawn
    again, but the window stays on the older messages the reader scrolled to."""
    dom = Dom(500)
    for _ in range(3):
        dom.draw(pinned=False, grow=Side.OLDER)
    before = dom.drawn()
    for message_id in dom.window.redraw():
        dom.ids.remove(message_id)
    redraw = dom.draw(pinned=False)
    assert dom.drawn() == before == list(range(0, MAX_WINDOW))
    assert len(redraw.add) == MAX_WINDOW and redraw.drop == []

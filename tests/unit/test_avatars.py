"""Avatars: initials and a colour from the id, and blob URLs revoked once unused."""

from __future__ import annotations

from chat.ui.avatars import Avatars, colour, initials


def test_initials_and_a_stable_colour_per_id():
    assert initials("Ada Lovelace") == "AL" and initials("bob") == "B"
    assert initials(None) == "?" and initials("  ") == "?" and initials("Élise von X") == "ÉV"
    assert colour("u-1") == colour("u-1") != colour("u-2")
    assert colour("u-1").startswith("hsl(")


class Page:
    def __init__(self) -> None:
        self.pending: dict[str, object] = {}
        self.revoked: list[str] = []
        self.shown: dict[str, str] = {}
        self.fetches = 0

    def fetch(self, file_id, done):
        self.fetches += 1
        self.pending[file_id] = done

    def avatars(self) -> Avatars:
        return Avatars(fetch=self.fetch, revoke=self.revoked.append,
                       show=lambda element, url: self.shown.__setitem__(element, url))


def test_one_fetch_per_file_shown_everywhere_and_revoked_when_the_last_lets_go():
    page = Page()
    avatars = page.avatars()
    avatars.use("f1", "msg-1")
    avatars.use("f1", "msg-2")
    assert page.fetches == 1 and not page.shown
    page.pending.pop("f1")("blob:1")
    assert page.shown == {"msg-1": "blob:1", "msg-2": "blob:1"}
    avatars.use("f1", "header")
    assert page.shown["header"] == "blob:1" and page.fetches == 1
    avatars.release("f1", "msg-1")
    avatars.release("f1", "msg-2")
    assert page.revoked == []
    avatars.release("f1", "header")
    assert page.revoked == ["blob:1"] and avatars.held == {}


def test_a_fetch_that_ends_after_everyone_let_go_is_revoked_at_once():
    page = Page()
    avatars = page.avatars()
    avatars.use("f1", "msg-1")
    avatars.release("f1", "msg-1")
    page.pending.pop("f1")("blob:late")
    assert page.revoked == ["blob:late"] and avatars.held == {} and not page.shown


def test_a_failed_fetch_keeps_the_initials_and_clear_revokes_everything():
    page = Page()
    avatars = page.avatars()
    avatars.use("bad", "msg-1")
    page.pending.pop("bad")(None)
    assert not page.shown
    avatars.use("f2", "msg-2")
    page.pending.pop("f2")("blob:2")
    avatars.clear()
    assert page.revoked == ["blob:2"] and avatars.held == {}

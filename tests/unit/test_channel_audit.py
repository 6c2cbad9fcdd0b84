"""The channels crowd's audit (stress/channel_crowd.py) catches each kind of failure."""

from __future__ import annotations

from collections import Counter

from stress.channel_crowd import Posted, User, audit

OPEN, PRIVATE = "open-room", "private-room"


def user(name: str, channels: list[str], **received: int) -> User:
    return User("http://x", "token", name, channels, received=Counter(received))


def test_every_member_once_and_nobody_else_is_clean():
    posted = [Posted("m1", OPEN), Posted("m2", PRIVATE)]
    users = [user("a", [OPEN, PRIVATE], m1=1, m2=1), user("b", [OPEN], m1=1)]
    assert audit(posted, users, {PRIVATE}) == {
        "lost": 0, "duplicated": 0, "leaked": 0, "delivered beyond membership": 0}


def test_a_missing_copy_an_extra_copy_and_a_private_message_outside_are_each_counted():
    posted = [Posted("m1", OPEN), Posted("m2", PRIVATE)]
    users = [user("a", [OPEN, PRIVATE], m1=2), user("b", [OPEN], m1=1, m2=1),
             user("c", [PRIVATE], m1=1, m2=1)]
    assert audit(posted, users, {PRIVATE}) == {
        "lost": 1,  # a never got m2
        "duplicated": 1,  # a got m1 twice
        "leaked": 1,  # b, not a member, got the private m2
        "delivered beyond membership": 1}  # c got the open m1 without being a member

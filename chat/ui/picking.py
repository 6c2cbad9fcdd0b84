"""The @ picker's logic, pure (no js) so that it is unit-tested in CPython; the picker
itself (a combobox on the draft) is chat.ui.mentions.

    query_at("hi @bo", 6)             -> Query(start=3, text="bo")
    matching(people, "bo")            -> the people whose first name starts with "bo"
    picked_in("hi @Bob!", {"u-bob": "Bob"}) -> ("u-bob",)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chat.core import Person
from chat.ui.text import mentions

SHOWN = 8  # people offered at most
_QUERY = re.compile(r"(?:^|(?<=\s))@([^\s@]{0,30})$")


@dataclass(frozen=True)
class Query:
    start: int  # where the "@" is
    text: str  # what is typed after it


def query_at(text: str, caret: int) -> Query | None:
    """The "@..." being typed just before the caret (at the start or after a space),
    or None."""
    match = _QUERY.search(text[:caret])
    return Query(start=match.start(), text=match.group(1)) if match else None


def matching(people: tuple[Person, ...], query: str, *, me: str | None = None) -> list[Person]:
    """The people to offer for ``query``: first names that start with it, then those that
    contain it, case-insensitively, by name; never oneself, never someone without a
    name."""
    q = query.casefold()
    named = sorted((p for p in people if p.first_name and p.id != me),
                   key=lambda p: (p.first_name.casefold(), p.id))
    starts = [p for p in named if p.first_name.casefold().startswith(q)]
    inside = [p for p in named if q in p.first_name.casefold() and p not in starts]
    return (starts + inside)[:SHOWN]


def insert(text: str, query: Query, caret: int, name: str) -> tuple[str, int]:
    """The draft with the query replaced by "@Name ", and the caret after it."""
    mention = f"@{name} "
    rest = text[caret:]
    if rest.startswith(" "):
        rest = rest[1:]
    return text[:query.start] + mention + rest, query.start + len(mention)


def picked_in(text: str, picked: dict[str, str]) -> tuple[str, ...]:
    """The ids of the people picked (id -> first name) whose "@Name" is still in the
    text, in order of appearance: a mention deleted from the draft is not sent."""
    return tuple(dict.fromkeys(user_id for _, _, user_id in mentions(text, picked)))

"""The people of the chat: every user's id, first name and avatar, read once per session
over REST (``/users``: the socket serves no system collection), for the @ picker, the
avatars and the header's "who you are".

A server where avatars are not readable refuses the whole query (FORBIDDEN): it is asked
again without them. One where users are not readable at all (the tutorial's Public
policy) has no people: names then come with the messages, and nothing can be mentioned.
"""

from __future__ import annotations

import logging
from typing import Any

from chat.core.actions import Method
from chat.core.events import PeopleChanged, Person
from chat.core.output import Output, Purpose

log = logging.getLogger("chat")

LIMIT = 1000  # people read at most


def path(*, avatars: bool) -> str:
    fields = "id,first_name,avatar" if avatars else "id,first_name"
    return f"/users?fields={fields}&sort=first_name&limit={LIMIT}"


def parse_people(body: Any) -> tuple[Person, ...]:
    """The people of a ``/users`` answer; malformed rows are left out."""
    rows = body.get("data") if isinstance(body, dict) else None
    people = []
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict) or not isinstance(row.get("id"), str):
            continue
        name, avatar = row.get("first_name"), row.get("avatar")
        people.append(Person(id=row["id"], first_name=name if isinstance(name, str) else None,
                             avatar=avatar if isinstance(avatar, str) else None))
    return tuple(people)


class People:
    def __init__(self, out: Output) -> None:
        self._out = out
        self.loaded = False  # asked for in this session
        self._avatars = True

    def reset(self) -> None:
        """A new session: read them again (another account may see others)."""
        self.loaded = False

    def load(self, token: str | None, *, avatars: bool) -> None:
        """Read the people, once per session; ``avatars``: the server has them."""
        if self.loaded or token is None:
            return
        self.loaded, self._avatars = True, avatars
        self._ask(token)

    def answered(self, status: int, body: Any, token: str | None) -> None:
        if status == 403 and self._avatars and token is not None:
            self._avatars = False  # avatars not readable here: the names alone
            return self._ask(token)
        if status != 200:
            log.info("people not read (%s)", status)
            return
        self._out.emit(PeopleChanged(people=parse_people(body)))

    def _ask(self, token: str) -> None:
        self._out.request(Purpose.PEOPLE, path(avatars=self._avatars), None,
                          method=Method.GET, token=token)

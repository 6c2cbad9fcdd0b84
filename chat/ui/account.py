"""The header's "who you are": your avatar (or initials) and first name, from the people
of the chat (or your own messages' name where users are not readable)."""

from __future__ import annotations

import js

from chat.core import Person
from chat.ui.avatars import Avatars, colour, initials
from chat.ui.dom import el


class Account:
    def __init__(self, by_id, avatars: Avatars) -> None:
        self._node = by_id("me")
        self._avatars = avatars
        self._shown: tuple[str | None, str | None, str | None] = (None, None, None)
        self._held: tuple[str, object] | None = None

    def show(self, user_id: str | None, person: Person | None, name: str | None) -> None:
        """Signed in as ``user_id`` (None: signed out), named by ``person`` or ``name``."""
        name = (person.first_name if person else None) or name
        avatar = person.avatar if person else None
        if (user_id, name, avatar) == self._shown:
            return
        self._shown = (user_id, name, avatar)
        self._release()
        if user_id is None or not name:
            self._node.replaceChildren()
            return
        badge = js.chatDom.avatar(initials(name), colour(user_id))
        self._node.replaceChildren(el("span", "visually-hidden", "Signed in as "), badge,
                                   el("span", "me-name", name))
        if avatar:
            self._held = (avatar, badge)
            self._avatars.use(avatar, badge)

    def _release(self) -> None:
        if self._held is not None:
            self._avatars.release(*self._held)
            self._held = None

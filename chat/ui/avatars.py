"""Avatars: a person's Directus avatar, else their initials on a colour derived from
their id. Pure (no js): the page's fetch and blob URLs come in as callables, so the
bookkeeping is unit-tested in CPython.

An avatar file is fetched once with the token in the Authorization header (never in a
URL: chat.browser) and shown through a blob URL; every element showing it holds it, and
the URL is revoked when the last one lets go (a message leaves the DOM window, the
person's avatar changes, sign-out).

    avatars = Avatars(fetch=app.fetch_avatar, revoke=js.URL.revokeObjectURL, show=...)
    avatars.use(file_id, element)     # show(element, url) now or once fetched
    avatars.release(file_id, element)
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

# Hues at a lightness where white initials keep 4.5:1 contrast (checked by axe).
SATURATION, LIGHTNESS = 55, 36


def initials(name: str | None) -> str:
    """Up to two letters of a name: "Ada Lovelace" -> "AL", "bob" -> "B", None -> "?"."""
    words = [w for w in (name or "").split() if w[:1].isalnum()]
    letters = "".join(w[0] for w in words[:2]).upper()
    return letters or "?"


def colour(user_id: str | None) -> str:
    """A colour derived from the user's id: the same for everyone, on every page."""
    hue = zlib.crc32((user_id or "").encode()) % 360
    return f"hsl({hue} {SATURATION}% {LIGHTNESS}%)"


@dataclass
class _Avatar:
    url: str | None = None  # None while it is fetched (or if it could not be)
    loading: bool = True
    users: list = field(default_factory=list)  # the elements showing it


class Avatars:
    def __init__(self, *, fetch: Callable[[str, Callable[[str | None], None]], None],
                 revoke: Callable[[str], None], show: Callable[[object, str], None]) -> None:
        """``fetch(file_id, done)`` calls ``done(url or None)`` once; ``revoke(url)``
        frees a blob URL; ``show(element, url)`` puts the image in an element."""
        self._fetch, self._revoke, self._show = fetch, revoke, show
        self._files: dict[str, _Avatar] = {}

    def use(self, file_id: str, element) -> None:
        avatar = self._files.get(file_id)
        if avatar is None:
            avatar = self._files[file_id] = _Avatar()
            avatar.users.append(element)
            self._fetch(file_id, lambda url: self._fetched(file_id, avatar, url))
            return
        avatar.users.append(element)
        if avatar.url is not None:
            self._show(element, avatar.url)

    def release(self, file_id: str, element) -> None:
        avatar = self._files.get(file_id)
        if avatar is None or element not in avatar.users:
            return
        avatar.users.remove(element)
        if not avatar.users and not avatar.loading:
            self._forget(file_id, avatar)

    def clear(self) -> None:
        """Let go of everything (signed out)."""
        for file_id, avatar in list(self._files.items()):
            avatar.users.clear()
            if not avatar.loading:
                self._forget(file_id, avatar)

    @property
    def held(self) -> dict[str, int]:
        """File id -> how many elements show it (for tests)."""
        return {f: len(a.users) for f, a in self._files.items()}

    def _fetched(self, file_id: str, avatar: _Avatar, url: str | None) -> None:
        avatar.loading, avatar.url = False, url
        if self._files.get(file_id) is not avatar or not avatar.users:
            if url is not None:
                self._revoke(url)
            if self._files.get(file_id) is avatar:
                del self._files[file_id]
            return
        if url is not None:
            for element in avatar.users:
                self._show(element, url)

    def _forget(self, file_id: str, avatar: _Avatar) -> None:
        del self._files[file_id]
        if avatar.url is not None:
            self._revoke(avatar.url)

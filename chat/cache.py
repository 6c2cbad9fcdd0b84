"""The last messages a signed-in user saw, kept on this device for the next visit.

Only for a session kept with "stay signed in": the browser adapter shows them at once
when the page opens (offline too) until the live history arrives, and forgets them
when the session ends (sign-out, or the server refusing it). One entry per Directus
and user, in a storage with getItem / setItem / removeItem (the page's localStorage);
plain Python, no browser imports::

    cache = MessageCache(js.localStorage, "https://chat.example.com")
    cache.save(user_id, timeline.messages())
    user = cache.last_user()            # whose session is kept here, if known
    messages = cache.load(user)         # [] when nothing (usable) is kept
    cache.forget()                      # the kept session's user and messages

What comes back from storage is checked field by field: a damaged or foreign entry
gives nothing, never an exception.
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields

from chat.core import Message

KEEP = 100  # the newest messages kept: the history the page shows first
VERSION = 1  # of the stored form; another version is ignored

_FIELDS = {field.name for field in fields(Message)}


class MessageCache:
    def __init__(self, storage, directus_url: str) -> None:
        self._storage = storage
        self._user_key = f"chat.user {directus_url}"
        self._prefix = f"chat.messages {directus_url} "

    def last_user(self) -> str | None:
        user = self._storage.getItem(self._user_key)
        return user if isinstance(user, str) and user else None

    def save(self, user_id: str, messages: list[Message]) -> None:
        """Keep the newest KEEP of `messages` as `user_id`'s, and `user_id` as the user
        of the kept session. A full storage keeps what it had."""
        text = json.dumps({"version": VERSION,
                           "messages": [asdict(m) for m in messages[-KEEP:]]})
        previous = self.last_user()
        try:
            self._storage.setItem(self._prefix + user_id, text)
            self._storage.setItem(self._user_key, user_id)
        except Exception:  # the browser's storage is full or refused
            return
        if previous not in (None, user_id):
            self._storage.removeItem(self._prefix + previous)

    def load(self, user_id: str | None) -> list[Message]:
        if user_id is None:
            return []
        text = self._storage.getItem(self._prefix + user_id)
        try:
            data = json.loads(text) if isinstance(text, str) else None
        except ValueError:
            return []
        if not isinstance(data, dict) or data.get("version") != VERSION:
            return []
        rows = data.get("messages")
        return [m for m in map(_message, rows if isinstance(rows, list) else []) if m]

    def forget(self) -> None:
        user = self.last_user()
        if user is not None:
            self._storage.removeItem(self._prefix + user)
        self._storage.removeItem(self._user_key)


# An id is a uuid, or an integer on the tutorial's collection.
_REQUIRED = {"id": (str, int), "content": str, "created": (int, float)}
_OPTIONAL = {"updated": (int, float), "user_id": str, "user_name": str, "client_id": str,
             "user_avatar": str, "reply_to": (str, int)}


def _message(row) -> Message | None:
    if not isinstance(row, dict) or not set(_REQUIRED) <= set(row) <= _FIELDS:
        return None
    for name, kind in _REQUIRED.items():
        if not isinstance(row[name], kind) or isinstance(row[name], bool):
            return None
    for name, kind in _OPTIONAL.items():
        value = row.get(name)
        if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
            return None
    mentions = row.get("mentions", [])
    if not isinstance(mentions, list) or not all(isinstance(m, str) for m in mentions):
        return None
    return Message(**{**row, "mentions": tuple(mentions)})

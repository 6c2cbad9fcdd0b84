"""What the page keeps of a user's typing in the browser: the outbox (messages typed and
not yet stored) and the composer's draft, so that neither is lost when the tab closes,
crashes or reloads.

Kept per Directus and user, in a storage with the Web Storage methods (localStorage for
a session kept with "stay signed in", else sessionStorage: then only for that tab's
session); plain Python, no browser imports. Each page keeps its outbox under its own
key (its tab id), so that two tabs never write over each other, and a later page takes
over the outbox of a page that is gone (chat/tabs.py says which are)::

    outboxes = OutboxStore(js.localStorage, "https://chat.example.com", tab_id)
    outboxes.save(user_id, client.outbox)       # after every OutboxChanged
    for tab in outboxes.tabs(user_id): ...      # pages that kept one for this user
    entries = outboxes.take(user_id, tab)       # read and removed: sent by this page

    drafts = DraftStore(js.localStorage, "https://chat.example.com", other=js.sessionStorage)
    drafts.save(user_id, text); drafts.load(user_id); drafts.forget(user_id)

Keys follow chat/cache.py's ("chat.<what> <directus url> <user>"). What comes back is
checked field by field: a damaged entry gives nothing, never an exception.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from chat.core.events import OutboxState, Outgoing
from chat.ui.attention import Settings

VERSION = 1  # of the stored form; another version is ignored


def _get(storage, key: str) -> str | None:
    value = storage.getItem(key)
    return value if isinstance(value, str) else None


def _set(storage, key: str, value: str) -> bool:
    try:
        storage.setItem(key, value)
    except Exception:  # the browser's storage is full or refused
        return False
    return True


def keys(storage) -> list[str]:
    """Every key in ``storage``."""
    found = (storage.key(i) for i in range(int(storage.length)))
    return [k for k in found if isinstance(k, str)]


class OutboxStore:
    def __init__(self, storage, directus_url: str, tab_id: str) -> None:
        self._storage = storage
        self._prefix = f"chat.outbox {directus_url} "
        self.tab_id = tab_id

    def _key(self, user_id: str, tab_id: str) -> str:
        return f"{self._prefix}{user_id} {tab_id}"

    def save(self, user_id: str, entries: Iterable[Outgoing]) -> None:
        """Keep this page's outbox of ``user_id`` (nothing kept when it is empty)."""
        rows = [{"id": e.id, "content": e.content, "failed": e.state is OutboxState.FAILED,
                 "error": e.error} for e in entries]
        key = self._key(user_id, self.tab_id)
        if rows:
            _set(self._storage, key, json.dumps({"version": VERSION, "entries": rows}))
        else:
            self._storage.removeItem(key)

    def tabs(self, user_id: str) -> list[str]:
        """The pages (this one too) that kept an outbox of ``user_id``."""
        prefix = f"{self._prefix}{user_id} "
        return sorted(k[len(prefix):] for k in keys(self._storage) if k.startswith(prefix))

    def take(self, user_id: str, tab_id: str) -> list[Outgoing]:
        """What page ``tab_id`` kept for ``user_id``, removed from the storage."""
        key = self._key(user_id, tab_id)
        text = _get(self._storage, key)
        self._storage.removeItem(key)
        try:
            data = json.loads(text) if text is not None else None
        except ValueError:
            return []
        if not isinstance(data, dict) or data.get("version") != VERSION:
            return []
        rows = data.get("entries")
        return [e for e in map(_entry, rows if isinstance(rows, list) else []) if e]


def _entry(row) -> Outgoing | None:
    if not isinstance(row, dict):
        return None
    message_id, content, error = row.get("id"), row.get("content"), row.get("error")
    if not (isinstance(message_id, str) and message_id and isinstance(content, str)
            and content and (error is None or isinstance(error, str))):
        return None
    failed = row.get("failed") is True
    return Outgoing(id=message_id, content=content,
                    state=OutboxState.FAILED if failed else OutboxState.PENDING,
                    error=error if failed else None)


class DraftStore:
    """The composer's draft of each user; one per user, the last typed in any tab. Kept
    in ``storage``; one kept in ``other`` (the other kind: the session was kept, or not,
    when it was typed) is found too, and moves to ``storage`` once typed on."""

    def __init__(self, storage, directus_url: str, *, other=None) -> None:
        self._storages = [storage] if other is None else [storage, other]
        self._prefix = f"chat.draft {directus_url} "

    def save(self, user_id: str, text: str) -> None:
        if not text.strip():
            return self.forget(user_id)
        if _set(self._storages[0], self._prefix + user_id, text):
            for storage in self._storages[1:]:
                storage.removeItem(self._prefix + user_id)

    def load(self, user_id: str) -> str:
        return next((text for storage in self._storages
                     if (text := _get(storage, self._prefix + user_id))), "")

    def forget(self, user_id: str) -> None:
        for storage in self._storages:
            storage.removeItem(self._prefix + user_id)


class PositionStore:
    """The read position of each user (chat/core/unread.py), kept for the next page:
    the only copy where the server has no read_positions."""

    def __init__(self, storage, directus_url: str) -> None:
        self._storage = storage
        self._prefix = f"chat.read {directus_url} "

    def save(self, user_id: str, message_id: str | int, created: float) -> None:
        _set(self._storage, self._prefix + user_id,
             json.dumps({"version": VERSION, "id": message_id, "created": created}))

    def load(self, user_id: str) -> tuple[str | int, float] | None:
        text = _get(self._storage, self._prefix + user_id)
        try:
            data = json.loads(text) if text is not None else None
        except ValueError:
            return None
        if not isinstance(data, dict) or data.get("version") != VERSION:
            return None
        message_id, created = data.get("id"), data.get("created")
        if (isinstance(message_id, (str, int)) and not isinstance(message_id, bool)
                and isinstance(created, (int, float)) and not isinstance(created, bool)):
            return message_id, float(created)
        return None


class NotifyStore:
    """Each user's choices of desktop notifications (chat.ui.attention.Settings)."""

    def __init__(self, storage, directus_url: str) -> None:
        self._storage = storage
        self._prefix = f"chat.notify {directus_url} "

    def save(self, user_id: str, settings: Settings) -> None:
        _set(self._storage, self._prefix + user_id,
             json.dumps({"on": settings.on, "everything": settings.everything}))

    def load(self, user_id: str) -> Settings | None:
        text = _get(self._storage, self._prefix + user_id)
        try:
            data = json.loads(text) if text is not None else None
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        return Settings(on=data.get("on") is True, everything=data.get("everything") is not False)

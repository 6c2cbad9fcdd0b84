"""Reactions: the emoji under messages, kept in step with the server by one
subscription per socket on the reactions collection (its events) and a read of the
reactions of every page of messages merged (what happened while away).

Deleting a message deletes its reactions in the database with no delete event:
``drop_message`` forgets them when the message goes.
"""

from __future__ import annotations

import json
from typing import Any

from chat.core import protocol
from chat.core.events import Reaction, ReactionsChanged
from chat.core.output import Output

COLLECTION = "reactions"
FIELDS = ("id", "message", "emoji", "user_created.id", "user_created.first_name")


def parse(item: Any) -> Reaction | None:
    if not isinstance(item, dict):
        return None
    reaction_id, message, emoji = item.get("id"), item.get("message"), item.get("emoji")
    if (not isinstance(reaction_id, str) or not isinstance(emoji, str)
            or not isinstance(message, str | int) or isinstance(message, bool)):
        return None
    user = item.get("user_created")
    user_id = user_name = None
    if isinstance(user, dict):
        user_id = user.get("id") if isinstance(user.get("id"), str) else None
        user_name = user.get("first_name") if isinstance(user.get("first_name"), str) else None
    elif isinstance(user, str):
        user_id = user
    return Reaction(id=reaction_id, message=message, emoji=emoji, user_id=user_id,
                    user_name=user_name)


def _dump(frame: dict[str, Any]) -> str:
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False)


def encode_subscribe(uid: str) -> str:
    """Events of every reaction. The init page is not used (the reads of each page of
    messages bring their reactions): limit 1 keeps it small."""
    return _dump({"type": "subscribe", "collection": COLLECTION, "uid": uid,
                  "query": {"fields": list(FIELDS), "limit": 1}})


def encode_read(uid: str, message_ids: tuple[str, ...]) -> str:
    return _dump({"type": "items", "collection": COLLECTION, "action": "read", "uid": uid,
                  "query": {"fields": list(FIELDS), "limit": -1,
                            "filter": {"message": {"_in": list(message_ids)}}}})


def encode_create(uid: str, message_id: str, emoji: str) -> str:
    return _dump({"type": "items", "collection": COLLECTION, "action": "create", "uid": uid,
                  "data": {"message": message_id, "emoji": emoji},
                  "query": {"fields": list(FIELDS)}})


def encode_delete(uid: str, reaction_id: str) -> str:
    return _dump({"type": "items", "collection": COLLECTION, "action": "delete", "uid": uid,
                  "id": reaction_id})


class Reactions:
    def __init__(self, out: Output) -> None:
        self._out = out
        self._by_id: dict[str, Reaction] = {}
        self._changed: set[str] = set()  # message ids
        self.uid: str | None = None  # the subscription on this socket

    def subscribe(self, uid: str) -> str:
        self.uid = uid
        return encode_subscribe(uid)

    def unsubscribe(self) -> None:
        self.uid = None

    def take(self, frame: protocol.SubscriptionEvent) -> bool:
        """Take in an event if it is of this subscription; True if it was."""
        if self.uid is None or frame.uid != self.uid:
            return False
        data = frame.data if isinstance(frame.data, list) else [frame.data]
        if frame.event in ("create", "update"):
            for item in data:
                self.item(item)
        elif frame.event == "delete":
            for reaction_id in data:
                self.remove(str(reaction_id))
        return True

    # --- Merging --------------------------------------------------------------------------

    def loaded(self, message_ids: tuple[str, ...], items: Any) -> None:
        """The reactions of these messages, all of them: replace what was known."""
        asked = set(message_ids)
        for reaction in [r for r in self._by_id.values() if r.message in asked]:
            del self._by_id[reaction.id]
            self._changed.add(reaction.message)
        for item in items if isinstance(items, list) else []:
            self.item(item)

    def item(self, item: Any) -> None:
        reaction = parse(item)
        if reaction is None:
            return
        if self._by_id.get(reaction.id) != reaction:
            self._by_id[reaction.id] = reaction
            self._changed.add(reaction.message)

    def remove(self, reaction_id: str) -> None:
        reaction = self._by_id.pop(reaction_id, None)
        if reaction is not None:
            self._changed.add(reaction.message)

    def drop_message(self, message_id: str) -> None:
        for reaction in [r for r in self._by_id.values() if r.message == message_id]:
            del self._by_id[reaction.id]
            self._changed.add(message_id)

    def clear(self) -> None:
        self._changed.update(r.message for r in self._by_id.values())
        self._by_id.clear()

    # --- Reading ----------------------------------------------------------------------------

    def __contains__(self, reaction_id: object) -> bool:
        return reaction_id in self._by_id

    def mine(self, message_id: str, emoji: str, user_id: str | None) -> Reaction | None:
        return next((r for r in self._by_id.values() if r.message == message_id
                     and r.emoji == emoji and r.user_id == user_id), None)

    def of(self, message_id: str) -> tuple[Reaction, ...]:
        return tuple(r for r in self._by_id.values() if r.message == message_id)

    def flush(self) -> None:
        if self._changed:
            changed = sorted(self._changed)
            self._changed = set()
            self._out.emit(ReactionsChanged(messages=tuple((m, self.of(m)) for m in changed)))

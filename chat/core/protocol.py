"""Directus realtime frames: parse what the server sends, encode what we send.

No I/O here. ``parse(text)`` turns one text frame into a frozen dataclass
(``Unparsable`` for anything that is not a frame we understand; it never
raises), and the ``encode_*`` functions return the JSON text to send::

    >>> parse('{"type":"ping"}')
    Ping()
    >>> encode_pong()
    '{"type":"pong"}'

The frame shapes are the ones measured against Directus 11 and 12: replies carry
no ``status: ok``, error frames of ``items`` and ``subscribe`` requests carry no
``uid`` on 11, and rate-limit errors come as ``type: server`` (docs/TUTORIAL.md,
"Telling the cases apart", lists the error frames with the tests that pin them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

COLLECTION = "messages"

# What the app reads of a message on a collection made by server.provision (the fields
# of each session come from chat/core/schema.py, by what the server has).
MESSAGE_FIELDS = (
    "id",
    "content",
    "date_created",
    "date_updated",
    "user_created.id",
    "user_created.first_name",
)

MessageId = str | int  # a uuid, or the integer key of the tutorial's collection


@dataclass(frozen=True, kw_only=True)
class Message:
    """One stored chat message, as the server returned it. ``id`` is a string (uuid) or,
    on the tutorial's collection, an integer; ``client_id`` the client key where that
    field exists."""

    id: MessageId
    content: str
    created: float  # seconds since the epoch, UTC
    updated: float | None = None
    user_id: str | None = None
    user_name: str | None = None
    client_id: str | None = None
    reply_to: MessageId | None = None  # the id of the message this one answers
    user_avatar: str | None = None  # the author's avatar file id
    mentions: tuple[str, ...] = ()  # ids of the users mentioned

    @property
    def sort_key(self) -> tuple[float, MessageId]:
        return (self.created, self.id)

    @property
    def key(self) -> MessageId:
        """What the outbox knows it by: the client key (client_id, or a uuid id)."""
        return self.client_id or self.id


def parse_time(value: Any) -> float | None:
    """Seconds since the epoch for an ISO 8601 timestamp from Directus, else None.

    A timestamp without a zone is taken as UTC, which is what Directus stores.
    """
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def format_time(seconds: float) -> str:
    """The ISO 8601 form of ``seconds`` in UTC that Directus filters accept."""
    moment = datetime.fromtimestamp(seconds, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_message(item: Any) -> Message | None:
    """A ``Message`` from one item of a reply or event, or None if it is malformed."""
    if not isinstance(item, dict):
        return None
    message_id = item.get("id")
    content = item.get("content")
    created = parse_time(item.get("date_created"))
    if (not isinstance(message_id, str | int) or isinstance(message_id, bool)
            or not isinstance(content, str) or created is None):
        return None
    user = item.get("user_created")
    user_id = user_name = avatar = None
    if isinstance(user, dict):
        user_id = user.get("id") if isinstance(user.get("id"), str) else None
        user_name = user.get("first_name") if isinstance(user.get("first_name"), str) else None
        avatar = user.get("avatar") if isinstance(user.get("avatar"), str) else None
    elif isinstance(user, str):
        # Without read access to directus_users the relation arrives as a bare id.
        user_id = user
    reply_to = item.get("reply_to")
    return Message(
        id=message_id,
        content=content,
        created=created,
        updated=parse_time(item.get("date_updated")),
        user_id=user_id,
        user_name=user_name,
        client_id=item["client_id"] if isinstance(item.get("client_id"), str) else None,
        reply_to=reply_to if isinstance(reply_to, str | int) and not isinstance(reply_to, bool)
        else None,
        user_avatar=avatar,
        mentions=parse_mentions(item.get("mentions")),
    )


def parse_mentions(value: Any) -> tuple[str, ...]:
    """The ids of a csv field: Directus reads it as a list (a string, from an older
    server, is split on commas); anything else is no mention."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        return ()
    return tuple(v for v in value if isinstance(v, str) and v)


# --- Frames from the server ---------------------------------------------------------


@dataclass(frozen=True)
class Ping:
    pass


@dataclass(frozen=True, kw_only=True)
class AuthOk:
    uid: str | None = None


@dataclass(frozen=True, kw_only=True)
class AuthError:
    """``TOKEN_EXPIRED`` mid-connection, ``AUTH_FAILED`` / ``AUTH_TIMEOUT`` in the handshake."""

    code: str
    message: str = ""
    uid: str | None = None


@dataclass(frozen=True, kw_only=True)
class ItemsReply:
    """The result of an ``items`` request: a list for reads, an object for a create."""

    uid: str | None
    data: Any


@dataclass(frozen=True, kw_only=True)
class RequestError:
    """An error answering one of our requests (``items``, ``subscribe``, ``server``)."""

    type: str
    code: str
    message: str = ""
    uid: str | None = None


@dataclass(frozen=True, kw_only=True)
class SubscriptionEvent:
    """``init``, ``create``, ``update``, ``delete`` or ``unsubscribe`` on a subscription."""

    uid: str | None
    event: str
    data: Any = None


@dataclass(frozen=True, kw_only=True)
class Unparsable:
    """Anything else: not JSON, not an object, an unknown type or a malformed frame."""

    reason: str


Frame = Ping | AuthOk | AuthError | ItemsReply | RequestError | SubscriptionEvent | Unparsable


def parse(text: Any) -> Frame:
    """Parse one text frame. Never raises: what we cannot use comes back as ``Unparsable``."""
    if not isinstance(text, str):
        return Unparsable(reason="not a text frame")
    try:
        frame = json.loads(text)
    except ValueError:
        return Unparsable(reason="not JSON")
    if not isinstance(frame, dict):
        return Unparsable(reason="not a JSON object")
    kind = frame.get("type")
    uid = frame.get("uid")
    if uid is not None and not isinstance(uid, str):
        uid = str(uid)
    if frame.get("status") == "error":
        error = frame.get("error")
        error = error if isinstance(error, dict) else {}
        code = str(error.get("code") or "UNKNOWN")
        message = str(error.get("message") or "")
        if kind == "auth":
            return AuthError(code=code, message=message, uid=uid)
        return RequestError(type=str(kind), code=code, message=message, uid=uid)
    if kind == "ping":
        return Ping()
    if kind == "auth" and frame.get("status") == "ok":
        return AuthOk(uid=uid)
    if kind == "items" and "data" in frame:
        return ItemsReply(uid=uid, data=frame["data"])
    if kind == "subscription" and isinstance(frame.get("event"), str):
        return SubscriptionEvent(uid=uid, event=frame["event"], data=frame.get("data"))
    return Unparsable(reason=f"unknown frame type {str(kind)[:40]!r}")


# --- Frames to the server -----------------------------------------------------------


def _dump(frame: dict[str, Any]) -> str:
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False)


def encode_auth(access_token: str, uid: str) -> str:
    return _dump({"type": "auth", "access_token": access_token, "uid": uid})


def encode_pong() -> str:
    return _dump({"type": "pong"})


def encode_read(uid: str, *, limit: int, since: float | None = None,
                ids: tuple[str | int, ...] = (), key: str = "id",
                fields: tuple[str, ...] = MESSAGE_FIELDS) -> str:
    """Read the newest ``limit`` messages, of those created at ``since`` or later,
    or of those whose ``key`` field is one of ``ids``."""
    query: dict[str, Any] = {
        "limit": limit,
        "sort": ["-date_created", "-id"],
        "fields": list(fields),
    }
    if ids:
        query["filter"] = {key: {"_in": list(ids)}}
    elif since is not None:
        query["filter"] = {"date_created": {"_gte": format_time(since)}}
    return _dump({"type": "items", "collection": COLLECTION, "action": "read",
                  "uid": uid, "query": query})


def encode_query(uid: str, *, limit: int, where: dict[str, Any] | None,
                 fields: tuple[str, ...] = MESSAGE_FIELDS) -> str:
    """Read the newest ``limit`` messages matching the filter ``where`` (None: all); the
    filter is data, sent as it is."""
    query: dict[str, Any] = {"limit": limit, "sort": ["-date_created", "-id"],
                             "fields": list(fields)}
    if where is not None:
        query["filter"] = where
    return _dump({"type": "items", "collection": COLLECTION, "action": "read",
                  "uid": uid, "query": query})


def encode_create(uid: str, message_id: str, content: str, *, key: str | None = "id",
                  reply_to: MessageId | None = None,
                  mentions: tuple[str, ...] = (),
                  fields: tuple[str, ...] = MESSAGE_FIELDS) -> str:
    """Create a message, its client-made ``message_id`` in the field ``key`` (None: sent
    without one; the server picks its integer id); ``mentions`` (user ids) go as the
    csv field's "id,id"."""
    data = {"content": content} if key is None else {key: message_id, "content": content}
    if reply_to is not None:
        data["reply_to"] = reply_to
    if mentions:
        data["mentions"] = ",".join(mentions)
    return _dump({
        "type": "items",
        "collection": COLLECTION,
        "action": "create",
        "uid": uid,
        "data": data,
        "query": {"fields": list(fields)},
    })


def encode_update(uid: str, message_id: str, content: str, *,
                  fields: tuple[str, ...] = MESSAGE_FIELDS) -> str:
    """Edit a message's text; the reply is the stored row."""
    return _dump({"type": "items", "collection": COLLECTION, "action": "update",
                  "uid": uid, "id": message_id, "data": {"content": content},
                  "query": {"fields": list(fields)}})


def encode_delete(uid: str, message_id: str) -> str:
    return _dump({"type": "items", "collection": COLLECTION, "action": "delete",
                  "uid": uid, "id": message_id})


def encode_subscribe(uid: str, *, limit: int, fields: tuple[str, ...] = MESSAGE_FIELDS) -> str:
    """Subscribe to creates, updates and deletes. Its ``init`` frame carries the newest
    ``limit`` messages: the history on the first connection, the catch-up after a
    reconnect. (Create events are read one key at a time, so the limit never cuts them.)"""
    return _dump({
        "type": "subscribe",
        "collection": COLLECTION,
        "uid": uid,
        "query": {"fields": list(fields), "sort": ["-date_created", "-id"],
                  "limit": limit},
    })

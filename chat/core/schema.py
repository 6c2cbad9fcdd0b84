"""What the server has: learned once per session, after sign-in, before the history read.

Two REST answers (docs/SCHEMA.md, "Telling what the server has"): ``GET /permissions/me``
(every signed-in user) and ``GET /fields/messages`` (200 for a Chat User, whose
permissions list ``directus_fields``; not asked for anyone else, e.g. a roleless user of
the tutorial's Public policy, who would get 403). ``capabilities()`` turns them
into one frozen ``Capabilities``, by pure functions; without the field list it assumes the
tutorial's four fields, so a field that is merely absent is never asked for.
``Schema`` holds the current one for the client, its parts and the view.

The client key (what makes a send exactly-once): ``client_id`` where that field exists,
else ``id`` where it is a uuid, else none (an integer id the server picks: a create
retried after a lost reply may be stored twice).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

from chat.core import texts
from chat.core.actions import Method
from chat.core.output import Output, Purpose

COLLECTION = "messages"
# The fields of the tutorial's collection: what is assumed without the field list.
TUTORIAL_FIELDS = frozenset({"id", "content", "user_created", "date_created"})
# Without these the app cannot show a message.
NEEDED_FIELDS = ("id", "content", "date_created")


class KeyKind(Enum):
    """Which field carries the client-made uuid of a message."""

    ID = "id"  # a uuid primary key is its own client key
    CLIENT_ID = "client_id"  # an integer key, with the unique uuid field provisioning adds
    NONE = "none"  # an integer key and no client_id: no exactly-once across retries


@dataclass(frozen=True)
class Access:
    """One collection and action of ``/permissions/me``."""

    access: str = "none"  # "full", "partial" (a row rule, e.g. own rows) or "none"
    fields: frozenset[str] = frozenset()

    @property
    def allowed(self) -> bool:
        return self.access != "none"

    def allows(self, name: str) -> bool:
        return self.allowed and ("*" in self.fields or name in self.fields)


NO_ACCESS = Access()
ALL_ACCESS = Access("full", frozenset({"*"}))
Permissions = dict[str, dict[str, Access]]


@dataclass(frozen=True, kw_only=True)
class Capabilities:
    """What this server and this account have, for the messages and the features."""

    key: KeyKind = KeyKind.ID
    integer_ids: bool = False  # ids are JSON numbers (the tutorial's default key)
    fields: frozenset[str] = TUTORIAL_FIELDS  # the fields of messages that exist
    field_list: bool = False  # ``fields`` came from /fields/messages (else assumed)
    collection: bool = True  # False: /permissions/me lists no messages at all
    read: Access = ALL_ACCESS  # messages
    create: Access = ALL_ACCESS
    update: Access = NO_ACCESS
    delete: Access = NO_ACCESS
    users: Access = NO_ACCESS  # directus_users read: first names, avatars
    reactions: bool = False
    read_positions: bool = False
    max_length: int | None = None  # of content, when the field is a string
    permissions: Permissions = field(default_factory=dict, compare=False, repr=False)

    def has(self, name: str) -> bool:
        """Does messages have this field, and may it be read?"""
        return name in self.fields and self.read.allows(name)

    @property
    def key_field(self) -> str | None:
        return None if self.key is KeyKind.NONE else self.key.value

    @property
    def can_edit(self) -> bool:
        return self.update.access == "partial" and self.update.allows("content")

    @property
    def can_delete(self) -> bool:
        return self.delete.allowed

    @property
    def replies(self) -> bool:
        return "reply_to" in self.fields and self.create.allows("reply_to")

    @property
    def mentions(self) -> bool:
        return "mentions" in self.fields and self.create.allows("mentions")

    @property
    def avatars(self) -> bool:
        return self.users.allows("avatar")

    @property
    def message_fields(self) -> tuple[str, ...]:
        """What to ask for of a message, in reads, the subscription and creates."""
        names = ["id", "content", "date_created"]
        if self.key is KeyKind.CLIENT_ID:
            names.append("client_id")
        names += [n for n in ("date_updated", "reply_to", "mentions") if self.has(n)]
        if "user_created" in self.fields:
            names += ["user_created.id", "user_created.first_name"]
            if self.avatars:
                names.append("user_created.avatar")
        if self.has("user_updated"):
            names.append("user_updated.id")
        return tuple(names)

    def missing(self) -> tuple[str, ...]:
        """The fields the app needs that the field list shows are not there."""
        return tuple(n for n in NEEDED_FIELDS if n not in self.fields) if self.field_list else ()

    def seen_id(self, message_id: Any) -> Capabilities:
        """Without the field list the key's type shows only in the ids that come: a
        number means an integer key (and no client key), a string a uuid."""
        if self.field_list or isinstance(message_id, bool):
            return self
        if isinstance(message_id, int) and not self.integer_ids:
            return replace(self, integer_ids=True, key=KeyKind.NONE)
        if isinstance(message_id, str) and not self.integer_ids:
            return replace(self, key=KeyKind.ID if self.create.allows("id") else KeyKind.NONE)
        return self


# The default before anything is learned: a collection made by server.provision.
PROVISIONED = Capabilities(
    fields=frozenset({*TUTORIAL_FIELDS, "date_updated", "user_updated"}), field_list=True)


# --- Pure functions of the answers ----------------------------------------------------


def parse_fields(status: int, body: Any) -> dict[str, dict[str, Any]] | None:
    """The fields of messages by name from a /fields/messages answer; None if it was
    not 200 (403 for anyone but a Chat User)."""
    if status != 200 or not isinstance(body, dict) or not isinstance(body.get("data"), list):
        return None
    return {f["field"]: f for f in body["data"]
            if isinstance(f, dict) and isinstance(f.get("field"), str)}


def parse_permissions(status: int, body: Any) -> Permissions | None:
    """Per collection and action, from a /permissions/me answer; None if not 200."""
    if status != 200 or not isinstance(body, dict) or not isinstance(body.get("data"), dict):
        return None
    permissions: Permissions = {}
    for collection, actions in body["data"].items():
        if not isinstance(actions, dict):
            continue
        permissions[collection] = {
            action: Access(str(a.get("access", "none")),
                           frozenset(f for f in a.get("fields") or () if isinstance(f, str)))
            for action, a in actions.items() if isinstance(a, dict)}
    return permissions


def capabilities(fields: dict[str, dict[str, Any]] | None,
                 permissions: Permissions | None) -> Capabilities:
    """What the server has, from the two answers (either may be None: not answered)."""
    mine = (permissions or {}).get(COLLECTION)
    known = permissions is not None

    def access(collection: dict[str, Access] | None, action: str, default: Access) -> Access:
        if not known:
            return default
        return (collection or {}).get(action, NO_ACCESS)

    def present(collection: str, *actions: str) -> bool:
        return known and all(access(permissions.get(collection), a, NO_ACCESS).allowed
                             for a in actions)

    create = access(mine, "create", ALL_ACCESS)
    caps = Capabilities(
        collection=not known or mine is not None,
        read=access(mine, "read", ALL_ACCESS), create=create,
        update=access(mine, "update", NO_ACCESS), delete=access(mine, "delete", NO_ACCESS),
        users=access((permissions or {}).get("directus_users"), "read", NO_ACCESS),
        reactions=present("reactions", "read", "create"),
        read_positions=present("read_positions", "read", "create", "update"),
        permissions=permissions or {})
    if fields is None:  # the tutorial's fields; the key shows in the first ids (seen_id)
        return replace(caps, key=KeyKind.NONE)
    id_type = (fields.get("id") or {}).get("type")
    if "client_id" in fields:
        key = KeyKind.CLIENT_ID
    elif id_type == "uuid":
        key = KeyKind.ID
    else:
        key = KeyKind.NONE
    schema = (fields.get("content") or {}).get("schema") or {}
    max_length = schema.get("max_length") if isinstance(schema, dict) else None
    return replace(caps, key=key, integer_ids=id_type in ("integer", "bigInteger"),
                   fields=frozenset(fields), field_list=True,
                   max_length=max_length if isinstance(max_length, int) else None)


# --- Learning it, once per session ----------------------------------------------------


class Schema:
    """The current ``Capabilities`` and the requests that learn them: /permissions/me,
    then /fields/messages only where that shows the field list readable (a 403 would be
    a console error in the page, and says no more than its absence)."""

    def __init__(self, out: Output) -> None:
        self._out = out
        self.reset()

    def reset(self) -> None:
        """A new session: learn again."""
        self.caps = PROVISIONED
        self.known = False
        self._permissions: Permissions | None = None
        self._waiting: Purpose | None = None
        self._token: str | None = None

    def learn(self, access_token: str | None) -> None:
        """Ask the first question (unless one is asked already)."""
        if self._waiting is None:
            self._token = access_token
            self._ask(Purpose.PERMISSIONS, "/permissions/me")

    def answer(self, purpose: Purpose, status: int, body: Any) -> bool:
        """Take in an answer; True once ``caps`` is learned. A late answer, after one
        went unanswered, is dropped: the next attempt asks again."""
        if purpose is not self._waiting:
            return False
        self._waiting = None
        if purpose is Purpose.PERMISSIONS:
            self._permissions = parse_permissions(status, body)
            fields = (self._permissions or {}).get("directus_fields", {}).get("read")
            if self._permissions is None or (fields is not None and fields.allowed):
                self._ask(Purpose.FIELDS, f"/fields/{COLLECTION}")
                return False
            learned = capabilities(None, self._permissions)
        else:
            learned = capabilities(parse_fields(status, body), self._permissions)
        self.caps, self.known, self._token = learned, True, None
        return True

    def unanswered(self) -> None:
        """A question got no answer: ask again at the next attempt."""
        self._waiting = None

    def _ask(self, purpose: Purpose, path: str) -> None:
        self._waiting = purpose
        self._out.request(purpose, path, None, method=Method.GET, token=self._token)

    def problem(self, url: str) -> str | None:
        """Why the chat cannot work here, with the command that fixes it; None if it can."""
        if missing := self.caps.missing():
            return texts.FIELD_MISSING.format(url=url, field=", ".join(missing))
        if self.caps.collection and not self.caps.read.allowed:
            return texts.NO_ACCESS.format(url=url)
        return None  # a collection not listed may be missing: the subscription tells

    def notices(self, url: str) -> list[str]:
        """What works only in part, for people."""
        return [] if self.caps.create.allowed else [texts.NO_CREATE.format(url=url)]

    def seen(self, items: Any) -> None:
        """The first page's rows: their ids show the key's type, if nothing else did."""
        if isinstance(items, list) and items and isinstance(items[0], dict):
            self.caps = self.caps.seen_id(items[0].get("id"))

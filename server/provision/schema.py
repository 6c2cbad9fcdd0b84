"""Step: the `messages` collection and the fields the chat reads and writes.

A new collection gets a uuid `id` (clients may send their own, which makes a retried send
fail with RECORD_NOT_UNIQUE instead of storing it twice), `content` text not null, and the
four system fields the server fills: user_created, date_created, user_updated,
date_updated. An existing collection (the tutorial's, made in the Data Studio) keeps its
primary key, its rows and its columns' types; missing fields are added as the Data Studio
would add them, and missing links of the user fields to directus_users are made. Nothing
is ever dropped or retyped.
"""

from __future__ import annotations

from server.provision import client_key
from server.provision import datastudio as ds
from server.provision.api import ProvisionError
from server.provision.context import Context

COLLECTION = "messages"
KEY_TYPES = ("integer", "bigInteger", "uuid")
CONTENT_TYPES = ("text", "string")
WHY = {
    "content": "the message text",
    "user_created": "who wrote each message",
    "date_created": "when each message was sent; history is sorted by it",
    "user_updated": "who last edited a message",
    "date_updated": "when a message was edited; edits are marked by it",
}
OWN_ROWS = {"user_created": {"_eq": "$CURRENT_USER"}}


def fresh_collection() -> dict:
    content = {"field": "content", "type": "text", "schema": {"is_nullable": False},
               "meta": {"interface": "input-multiline", "special": None, "required": True}}
    return {"collection": COLLECTION, "schema": {},
            "meta": {"icon": "chat", "note": "Chat messages", "singleton": False},
            "fields": [ds.primary_key("uuid"), content,
                       *(ds.system_field(name) for name in ds.SYSTEM_FIELDS)]}


def apply(ctx: Context) -> None:
    fields = ctx.fields(COLLECTION)
    if fields is None:
        ctx.change(f"Created collection {COLLECTION} (id, content, who and when).",
                   f"collection {COLLECTION}",
                   lambda: ctx.api.post("/collections", fresh_collection()))
    else:
        _upgrade(ctx, fields)
    _link_users(ctx)


def _upgrade(ctx: Context, fields: dict[str, dict]) -> None:
    _check_key(fields)
    content = fields.get("content")
    if content is None:
        ctx.change(f"Added field {COLLECTION}.content (Textarea).",
                   f"field {COLLECTION}.content ({WHY['content']})",
                   lambda: ctx.api.post(f"/fields/{COLLECTION}", ds.text_field("content")))
    elif content["type"] not in CONTENT_TYPES:
        raise ProvisionError(
            f"{COLLECTION}.content is of type {content['type']}; the chat needs text. "
            "Provisioning never retypes a column that holds data: rename that field in the "
            "Data Studio, then run this again to add a text field named content.")
    for name in ds.SYSTEM_FIELDS:
        _ensure_system_field(ctx, name, fields.get(name))


def _check_key(fields: dict[str, dict]) -> None:
    key = next((f for f in fields.values() if (f.get("schema") or {}).get("is_primary_key")),
               None)
    if key is None or key["field"] != "id" or key["type"] not in KEY_TYPES:
        found = f"{key['field']} ({key['type']})" if key else "none"
        raise ProvisionError(
            f"{COLLECTION}' primary key is {found}; the chat needs one named id, an "
            "auto-increment integer or a uuid, as the Data Studio makes by default.")


def _ensure_system_field(ctx: Context, name: str, field: dict | None) -> None:
    wanted = ds.system_field(name)
    special = wanted["meta"]["special"][0]
    if field is None:
        ctx.change(f"Added field {COLLECTION}.{name} ({WHY[name]}).",
                   f"field {COLLECTION}.{name} ({WHY[name]})",
                   lambda: ctx.api.post(f"/fields/{COLLECTION}", wanted))
        return
    specials = (field.get("meta") or {}).get("special") or []
    if special not in specials:
        # Without it the server leaves the value to the client; only the meta changes.
        ctx.change(f"Set {COLLECTION}.{name} to be filled by the server ({special}).",
                   f"the server filling {COLLECTION}.{name} (meta special {special})",
                   lambda: ctx.api.patch(f"/fields/{COLLECTION}/{name}",
                                         {"meta": {"special": [*specials, special]}}))


def _link_users(ctx: Context) -> None:
    """Link each user field there is (when checking: there was) to directus_users."""
    fields = ctx.fields(COLLECTION) or {}
    linked = {r["field"] for r in ctx.api.get(f"/relations/{COLLECTION}")} if fields else ()
    for name in ds.USER_FIELDS:
        if name in fields and name not in linked:
            ctx.change(f"Linked {COLLECTION}.{name} to directus_users.",
                       f"the link of {COLLECTION}.{name} to directus_users",
                       lambda name=name: ctx.api.post("/relations",
                                                      ds.user_relation(COLLECTION, name)))


def permissions(ctx: Context) -> dict:
    """What the Chat User policy holds for the chat: (collection, action) -> permission."""
    key = client_key.key_field(ctx)
    return {
        (COLLECTION, "read"): {"fields": ["*"], "permissions": {}},
        (COLLECTION, "create"): {"fields": sorted({"content", key}), "permissions": None},
        (COLLECTION, "update"): {"fields": ["content"], "permissions": OWN_ROWS},
        (COLLECTION, "delete"): {"fields": ["*"], "permissions": OWN_ROWS},
        ("directus_users", "read"): {"fields": ["id", "first_name"], "permissions": {}},
    }

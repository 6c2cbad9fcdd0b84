"""What the feature steps share: add a collection, a field or a relation when missing.

Each helper looks first and calls `ctx.change()` only for what is missing, so a step made
of them is idempotent and `--check` reports instead of changing. Nothing is ever dropped
or retyped: an existing collection only gets the fields it lacks.
"""

from __future__ import annotations

from server.provision import datastudio as ds
from server.provision.context import Context
from server.provision.schema import COLLECTION as MESSAGES


def message_key_type(ctx: Context) -> str:
    """The type of messages.id, which a field that holds a message id must share: "uuid" on
    a setup made by this tool, "integer" on the tutorial's."""
    key = (ctx.fields(MESSAGES) or {}).get("id")
    return key["type"] if key else "uuid"


def ensure_collection(ctx: Context, name: str, why: str, fields: list[dict],
                      icon: str) -> None:
    """The collection with a uuid id and `fields`; an existing one gets the missing fields."""
    existing = ctx.fields(name)
    if existing is None:
        ctx.change(f"Created collection {name} ({why}).", f"collection {name} ({why})",
                   lambda: ctx.api.post("/collections", {
                       "collection": name, "schema": {},
                       "meta": {"icon": icon, "note": why[0].upper() + why[1:]},
                       "fields": [ds.primary_key("uuid"), *fields]}))
        return
    for field in fields:
        ensure_field(ctx, name, field, why)


def ensure_field(ctx: Context, collection: str, field: dict, why: str) -> None:
    if field["field"] in (ctx.fields(collection) or {}):
        return
    name = f"{collection}.{field['field']}"
    ctx.change(f"Added field {name} ({why}).", f"field {name} ({why})",
               lambda: ctx.api.post(f"/fields/{collection}", field))


def ensure_relation(ctx: Context, collection: str, field: str, related: str,
                    on_delete: str) -> None:
    """A many-to-one link of collection.field to `related`, deleting as `on_delete` says
    ("CASCADE": the row goes with the one it points to)."""
    held = ({r["field"]: r for r in ctx.api.get(f"/relations/{collection}")}
            if ctx.fields(collection) is not None else {})
    current = held.get(field)
    what = f"{collection}.{field} to {related}, on delete {on_delete}"
    if current is None:
        ctx.change(f"Linked {what}.", f"the link of {what}",
                   lambda: ctx.api.post("/relations", {
                       "collection": collection, "field": field, "related_collection": related,
                       "schema": {"on_delete": on_delete}}))
    elif (current.get("schema") or {}).get("on_delete") != on_delete:
        ctx.change(f"Set the link of {collection}.{field} to {related} to {on_delete} on "
                   "delete.", f"the link of {what}",
                   lambda: ctx.api.patch(f"/relations/{collection}/{field}",
                                         {"schema": {"on_delete": on_delete}}))


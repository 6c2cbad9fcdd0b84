"""Step: the client key, a value the client picks per message so a retry cannot duplicate it.

The client sends a fresh uuid with each new message and the same one on every retry; the
unique index makes a second create fail with RECORD_NOT_UNIQUE, which the client takes as
"already stored". Where `id` is a uuid (a fresh install, or a uuid-keyed tutorial
collection) the id itself is the key, as the server keeps a uuid the client sends: no
extra column. Where `id` is an auto-increment integer (the Data Studio's default) the
server picks the id, so a nullable unique uuid field `client_id` is added: old rows keep
null (a unique index allows many nulls), new rows get the client's value, or one the
server makes (meta special "uuid", as the Data Studio sets on uuid fields) when a client
such as the tutorial's sends none.
"""

from __future__ import annotations

from server.provision.context import Context

COLLECTION = "messages"
FIELD = "client_id"


def client_id_field() -> dict:
    return {"field": FIELD, "type": "uuid",
            "meta": {"interface": "input", "special": ["uuid"], "readonly": True,
                     "hidden": True, "note": "Picked by the chat client; makes each send "
                                             "exactly-once (a retry is RECORD_NOT_UNIQUE)."},
            "schema": {"is_unique": True, "is_nullable": True}}


def key_field(ctx: Context) -> str:
    """The field the client sends its key in: `client_id` if there is (or will be) one."""
    fields = ctx.fields(COLLECTION) or {}
    if FIELD in fields:
        return FIELD
    key = fields.get("id")
    return "id" if key is None or key["type"] == "uuid" else FIELD


def apply(ctx: Context) -> None:
    fields = ctx.fields(COLLECTION)
    if fields is None or key_field(ctx) != FIELD:
        return
    existing = fields.get(FIELD)
    if existing is None:
        ctx.change(f"Added field {COLLECTION}.{FIELD} (uuid, unique: the client key that makes "
                   "each send exactly-once).",
                   f"field {COLLECTION}.{FIELD} (uuid, unique; the client key, without which "
                   "a send retried after a lost reply can be stored twice)",
                   lambda: ctx.api.post(f"/fields/{COLLECTION}", client_id_field()))
    elif not (existing.get("schema") or {}).get("is_unique"):
        ctx.change(f"Made {COLLECTION}.{FIELD} unique.",
                   f"a unique index on {COLLECTION}.{FIELD} (RECORD_NOT_UNIQUE needs it)",
                   lambda: ctx.api.patch(f"/fields/{COLLECTION}/{FIELD}",
                                         {"schema": {"is_unique": True}}))

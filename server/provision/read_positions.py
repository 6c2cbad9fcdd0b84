"""Step: read positions, up to which message each user has read, so that another device or
a reload comes back to it.

The collection `read_positions` holds one row per user: `last_read` (the id of the newest
message read; a plain value, not a link, so it outlives that message), `last_read_date`
(that message's date_created: where the unread ones start, in the history's order),
`user_created` and `date_updated` (filled by the server) and `key`, unique, filled by a
flow (unique_key.py) with the user's id. A user creates, reads and updates only their own
row; nobody else's is readable or writable.

Per channel later: add a `channel` field, put it among the flow's id fields (the key
becomes "<user> <channel>"), and the unique index then holds one row per user and channel.
"""

from __future__ import annotations

from server.provision import build, unique_key
from server.provision import datastudio as ds
from server.provision.context import Context
from server.provision.schema import OWN_ROWS

COLLECTION = "read_positions"
WHY = "up to which message each user has read"
POSITION = ("last_read", "last_read_date")


def fields(ctx: Context) -> list[dict]:
    last_read = {"field": "last_read", "type": build.message_key_type(ctx),
                 "meta": {"interface": "input",
                          "note": "The id of the newest message this user has read."},
                 "schema": {"is_nullable": True}}
    last_read_date = {"field": "last_read_date", "type": "timestamp",
                      "meta": {"interface": "datetime",
                               "note": "The date_created of that message."},
                      "schema": {"is_nullable": True}}
    key = unique_key.key_field("The user, filled by the flow "
                               f"{unique_key.flow_name(COLLECTION)!r}: one row per user.")
    return [last_read, last_read_date, key, ds.system_field("user_created"),
            ds.system_field("date_updated")]


def apply(ctx: Context) -> None:
    build.ensure_collection(ctx, COLLECTION, WHY, fields(ctx), icon="bookmark")
    build.ensure_relation(ctx, COLLECTION, "user_created", "directus_users", "CASCADE")
    unique_key.ensure_flow(ctx, COLLECTION, "user", unique_key.script(
        (), (), build.message_key_type(ctx)))


def permissions(ctx: Context) -> dict:
    return {
        (COLLECTION, "read"): {"fields": ["*"], "permissions": OWN_ROWS},
        (COLLECTION, "create"): {"fields": sorted((*POSITION, unique_key.FIELD)),
                                 "permissions": None},
        (COLLECTION, "update"): {"fields": list(POSITION), "permissions": OWN_ROWS},
    }

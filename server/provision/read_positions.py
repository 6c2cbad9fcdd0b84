"""Step: read positions, up to which message each user has read in each channel, so that
another device or a reload comes back to it and the channel list shows unread counts.

The collection `read_positions` holds one row per user and channel: `channel` (a link to
channels; general when a create names none), `last_read` (the id of the newest message
read; a plain value, not a link, so it outlives that message), `last_read_date` (that
message's date_created: where the unread ones start, in the history's order),
`user_created` and `date_updated` (filled by the server) and `key`, unique, filled by a
flow (unique_key.py) with "<user> <channel>". A user creates, reads and updates only their
own rows, and creates one only for a channel they may post in; nobody else's is readable
or writable.

Upgrade of a setup made before channels (one row per user, key "<user>"): the column is
added with general as its default, so each row becomes the user's position in general,
and its key is rewritten to "<user> <general>" before the flow learns the channel, so the
unique index goes on holding one row per user and channel.
"""

from __future__ import annotations

from server.provision import build, channels, unique_key
from server.provision import datastudio as ds
from server.provision.context import Context
from server.provision.schema import OWN_ROWS

COLLECTION = "read_positions"
WHY = "up to which message each user has read in each channel"
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
    key = unique_key.key_field("<user> <channel>, filled by the flow "
                               f"{unique_key.flow_name(COLLECTION)!r}: one row per user "
                               "and channel.")
    return [CHANNEL, last_read, last_read_date, key, ds.system_field("user_created"),
            ds.system_field("date_updated")]


CHANNEL = {"field": "channel", "type": "uuid",
           "meta": {"interface": "select-dropdown-m2o", "special": ["m2o"],
                    "note": "The channel this position is in."},
           "schema": {"is_nullable": False, "default_value": channels.GENERAL}}


def apply(ctx: Context) -> None:
    build.ensure_collection(ctx, COLLECTION, WHY, fields(ctx), icon="bookmark")
    build.ensure_relation(ctx, COLLECTION, "user_created", "directus_users", "CASCADE")
    build.ensure_relation(ctx, COLLECTION, "channel", channels.CHANNELS, "CASCADE")
    _rekey_rows_from_before_channels(ctx)
    unique_key.ensure_flow(ctx, COLLECTION, "user and channel", unique_key.script(
        ("channel",), (), "uuid", {"channel": channels.GENERAL}))


def _rekey_rows_from_before_channels(ctx: Context) -> None:
    """Rows keyed "<user>" (made before channels) get the key "<user> <channel>"."""
    if "channel" not in (ctx.fields(COLLECTION) or {}):
        return  # when checking: the field is reported missing already
    old = ctx.api.get(f"/items/{COLLECTION}", limit=-1, fields="id,user_created,channel",
                      **{"filter[key][_ncontains]": " "})
    if old:
        ctx.change(f"Keyed {len(old)} read positions by user and channel (they are the "
                   "positions in general).",
                   f"{len(old)} read positions keyed by user and channel",
                   lambda: [ctx.api.patch(f"/items/{COLLECTION}/{row['id']}", {
                       "key": f"{row['user_created']} {row['channel']}"}) for row in old])


def permissions(ctx: Context) -> dict:
    return {
        (COLLECTION, "read"): {"fields": ["*"], "permissions": OWN_ROWS},
        (COLLECTION, "create"): {"fields": sorted(("channel", *POSITION, unique_key.FIELD)),
                                 "permissions": None, "validation": channels.MAY_POST},
        (COLLECTION, "update"): {"fields": list(POSITION), "permissions": OWN_ROWS},
    }

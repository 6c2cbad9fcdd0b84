"""Step: replies. `messages.reply_to` holds the id of the message a message answers.

It is a plain field of the type of messages.id, not a Directus relation: Directus 11.17.4
makes a database foreign key for every many-to-one relation (services/relations.js), and
each kind of key breaks replies when the original is deleted: NO ACTION refuses the delete
(a 500), SET NULL wipes `reply_to`, so the reply no longer says it was one. A plain field
keeps the id: the client reads the quoted message by that id, and none found means
"original deleted". Chat users send it with a new message; it never changes after.
"""

from __future__ import annotations

from server.provision import build
from server.provision.context import Context
from server.provision.schema import COLLECTION

FIELD = "reply_to"
WHY = "the message this one replies to"


def field(ctx: Context) -> dict:
    return {"field": FIELD, "type": build.message_key_type(ctx),
            "meta": {"interface": "input", "note": "The id of the message this one replies "
                                                   "to; kept when that message is deleted."},
            "schema": {"is_nullable": True}}


def apply(ctx: Context) -> None:
    build.ensure_field(ctx, COLLECTION, field(ctx), WHY)


def permissions(ctx: Context) -> dict:
    return {(COLLECTION, "create"): {"fields": [FIELD], "permissions": None}}

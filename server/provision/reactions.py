"""Step: reactions, an emoji that a user puts under a message, one per user, message and emoji.

The collection `reactions`: `message` (many-to-one to messages; a reaction is deleted with
its message, by the database, which sends no delete event for it), `emoji` (one of EMOJI,
checked by the field's validation, and offered by its choices), `user_created` and
`date_created` (filled by the server) and `key`, unique, filled by a flow
(unique_key.py) with "<user> <message> <emoji>". Chat users read the reactions of the
messages they may read (those of their channels and the open ones), create their own
(message and emoji; the server sets who) and delete only their own; there is no update: a
toggle is a create or a delete. No permission can make the create check that the message
is readable (Directus checks no rows on create, and a validation cannot reach the
message): the chat-signals extension does (server/extensions/chat-signals/reactions.js).
"""

from __future__ import annotations

from server.provision import build, channels, unique_key
from server.provision import datastudio as ds
from server.provision.context import Context
from server.provision.schema import COLLECTION as MESSAGES
from server.provision.schema import OWN_ROWS

COLLECTION = "reactions"
WHY = "one emoji per user and message"
EMOJI = ("👍", "👎", "❤️", "😂", "😮", "😢", "😡", "🎉", "🙏", "👀", "🔥", "✅", "❌", "💯",
         "🚀", "🤔", "👏", "🙌", "😄", "😍", "😅", "💡", "⭐", "👋")


def fields(ctx: Context) -> list[dict]:
    message = {"field": "message", "type": build.message_key_type(ctx),
               "meta": {"interface": "select-dropdown-m2o", "special": ["m2o"],
                        "required": True, "note": "The message reacted to."},
               "schema": {"is_nullable": False}}
    emoji = {"field": "emoji", "type": "string",
             "meta": {"interface": "select-dropdown", "required": True,
                      "options": {"choices": [{"text": e, "value": e} for e in EMOJI]},
                      "validation": {"emoji": {"_in": list(EMOJI)}},
                      "validation_message": "Pick one of the emoji offered.",
                      "note": "One of the emoji offered (the field's choices)."},
             "schema": {"is_nullable": False, "max_length": 32}}
    key = unique_key.key_field("<user> <message> <emoji>, filled by the flow "
                               f"{unique_key.flow_name(COLLECTION)!r}: one reaction per "
                               "user, message and emoji.")
    return [message, emoji, key, ds.system_field("user_created"),
            ds.system_field("date_created")]


def apply(ctx: Context) -> None:
    build.ensure_collection(ctx, COLLECTION, WHY, fields(ctx), icon="add_reaction")
    build.ensure_relation(ctx, COLLECTION, "message", MESSAGES, "CASCADE")
    build.ensure_relation(ctx, COLLECTION, "user_created", "directus_users", "CASCADE")
    unique_key.ensure_flow(ctx, COLLECTION, "user, message and emoji", unique_key.script(
        ("message",), ("emoji",), build.message_key_type(ctx)))


def permissions(ctx: Context) -> dict:
    return {
        (COLLECTION, "read"): {"fields": ["*"], "permissions": channels.through(
            "message", channels.through("channel", channels.READABLE))},
        (COLLECTION, "create"): {"fields": ["emoji", unique_key.FIELD, "message"],
                                 "permissions": None},
        (COLLECTION, "delete"): {"fields": ["*"], "permissions": OWN_ROWS},
    }

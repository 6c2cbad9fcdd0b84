"""Step: mentions. `messages.mentions` lists the ids of the users a message names.

The text stays as people wrote it ("@Alice hi"), readable by any client; the ids say whom
it means. The field is of type csv: stored as text ("id,id"), read as a list of ids.
Its validation (a regular expression, MAX ids at most) accepts only that text form: a
client sends the ids joined with commas, or null; a list, or anything else, is
FAILED_VALIDATION. Stored as text, "messages that mention me" is a plain
`{"mentions": {"_contains": "$CURRENT_USER"}}` on SQLite and PostgreSQL alike. Chat
users send it with a new message and may change it when they edit one.
"""

from __future__ import annotations

from server.provision import build
from server.provision.context import Context
from server.provision.schema import COLLECTION

FIELD = "mentions"
WHY = "the ids of the users a message mentions"
MAX = 50
_ID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
PATTERN = f"^{_ID}(,{_ID}){{0,{MAX - 1}}}$"


def field() -> dict:
    return {"field": FIELD, "type": "csv",
            "meta": {"interface": "tags", "special": ["cast-csv"],
                     "validation": {"_or": [{FIELD: {"_null": True}},
                                            {FIELD: {"_regex": PATTERN}}]},
                     "validation_message": f"User ids joined by commas (at most {MAX}).",
                     "note": "Ids of the users this message mentions, joined by commas."},
            "schema": {"is_nullable": True}}


def apply(ctx: Context) -> None:
    build.ensure_field(ctx, COLLECTION, field(), WHY)


def permissions(ctx: Context) -> dict:
    return {(COLLECTION, "create"): {"fields": [FIELD], "permissions": None},
            (COLLECTION, "update"): {"fields": [FIELD], "permissions": None}}

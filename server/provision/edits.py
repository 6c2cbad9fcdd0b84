"""Step: the edit window. Authors may edit and delete a message only for N minutes after
sending it.

It adds the row rule {"date_created": {"_gte": "$NOW(-N minutes)"}} to the update and
delete permissions on messages (the "own rows" rule comes from schema.py; access.py makes
both hold). Directus works out $NOW at each request, so a message leaves the window on its
own. `--edit-window N` sets N. Without the flag, the window the policy already has is
kept, and a policy that has none gets DEFAULT_MINUTES.

Clients may read those two permissions' rules (directus_permissions, only the ones of
their own policies on updates and deletes of messages), so that they offer "Edit" exactly
as long as the server allows it.
"""

from __future__ import annotations

import re

from server.provision import access
from server.provision.context import Context
from server.provision.schema import COLLECTION

DEFAULT_MINUTES = 15
_NOW = re.compile(r"\$NOW\(-(\d+) minutes\)")


def window_rule(minutes: int) -> dict:
    return {"date_created": {"_gte": f"$NOW(-{minutes} minutes)"}}


def current_minutes(ctx: Context) -> int | None:
    """The window the Chat User policy's update permission on messages has, if any."""
    policy = ctx.find_one("/policies", name=access.ROLE_NAME)
    held = ctx.api.get("/permissions", limit=1, **{
        "filter[policy][_eq]": policy["id"], "filter[collection][_eq]": COLLECTION,
        "filter[action][_eq]": "update"}) if policy else []
    rule = (held[0].get("permissions") or {}) if held else {}
    for part in rule.get("_and", [rule]):
        since = (part.get("date_created") or {}).get("_gte")
        match = _NOW.fullmatch(since) if isinstance(since, str) else None
        if match:
            return int(match[1])
    return None


def minutes(ctx: Context) -> int:
    return ctx.options.edit_window or current_minutes(ctx) or DEFAULT_MINUTES


def apply(ctx: Context) -> None:
    """Nothing of its own to add: the window is in the permissions below."""


RULES_READABLE = {"_and": [{"policy": {"_in": "$CURRENT_POLICIES"}},
                          {"collection": {"_eq": COLLECTION}},
                          {"action": {"_in": ["update", "delete"]}}]}


def permissions(ctx: Context) -> dict:
    rule = window_rule(minutes(ctx))
    return {(COLLECTION, "update"): {"fields": [], "permissions": rule},
            (COLLECTION, "delete"): {"fields": [], "permissions": rule},
            ("directus_permissions", "read"): {"fields": ["action", "collection",
                                                          "permissions"],
                                               "permissions": RULES_READABLE}}

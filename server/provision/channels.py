"""Step: channels, direct messages and memberships; every message belongs to a channel.

What it makes (an existing database is upgraded in place, nothing dropped or retyped):
- `channels`: id (uuid), name, description, kind ("channel", or "direct" for a DM),
  open_to (a policy: its holders may read, post and join without an invitation; null for
  a private channel or a DM), dm_key (unique: "<user id>:<user id>", sorted, on a DM
  only, so a DM between two people exists once), user_created, date_created, and the
  one-to-many `members`;
- `channel_members`: id, channel, user, user_created (who added them), date_created;
- `messages.channel`, whose default is the channel "general" (fixed id GENERAL, open to the
  Chat User policy): adding the column with that default puts every existing message in
  general without an update, so no old message looks edited; a client that sends only
  `{content}` (the tutorial's) posts there;
- the reverse links the permission checks read through `$CURRENT_USER` and
  `$CURRENT_POLICIES`: directus_users.chat_memberships, directus_users.chat_created_channels
  and directus_policies.chat_open_channels (hidden in the Data Studio).

A create permission cannot check rows in Directus 11, but its validation may compare the
payload with values read through the current user and their policies, at the time of
the create and inside its transaction. That is how posting and joining are limited to
channels the user belongs to or that are open to them (see `permissions`).
"""

from __future__ import annotations

from server.provision import access
from server.provision import datastudio as ds
from server.provision.context import Context

CHANNELS = "channels"
MEMBERS = "channel_members"
MESSAGES = "messages"
GENERAL = "06f75805-89de-4dcd-baf9-8c14401aeb44"
ME = "$CURRENT_USER"

# Rows of channels the current user may see: open to one of their policies, or theirs.
READABLE = {"_or": [{"open_to": {"_in": "$CURRENT_POLICIES"}},
                    {"members": {"user": {"_eq": ME}}}]}
MY_CHANNELS = "$CURRENT_USER.chat_memberships.channel"
OPEN_CHANNELS = "$CURRENT_POLICIES.chat_open_channels.id"
CREATED_CHANNELS = "$CURRENT_USER.chat_created_channels.id"
# A create's validation: its `channel` is one the user is in or that is open to them.
MAY_POST = {"_and": [{"channel": {"_nnull": True}}, {"_or": [
    {"channel": {"_in": MY_CHANNELS}}, {"channel": {"_in": OPEN_CHANNELS}}]}]}
# A new channel: named, open to one's own policy or private; or a DM naming its creator.
CHANNEL_SHAPE = {"_or": [
    {"_and": [{"kind": {"_eq": "channel"}}, {"dm_key": {"_null": True}},
              {"name": {"_submitted": True}}, {"name": {"_regex": r"\S"}},
              {"_or": [{"open_to": {"_null": True}}, {"open_to": {"_in": "$CURRENT_POLICIES"}}]}]},
    {"_and": [{"kind": {"_eq": "direct"}}, {"open_to": {"_null": True}},
              {"dm_key": {"_contains": ME}}]}]}
# A new membership: in a channel one created, or oneself into an open one.
MAY_ADD = {"_or": [{"channel": {"_in": CREATED_CHANNELS}},
                   {"_and": [{"user": {"_eq": ME}}, {"channel": {"_in": OPEN_CHANNELS}}]}]}
# The memberships one may delete: one's own, of a channel (not a DM) other than general.
LEAVABLE = {"_and": [{"user": {"_eq": ME}}, {"channel": {"kind": {"_eq": "channel"}}},
                     {"channel": {"_neq": GENERAL}}]}


def through(field: str, rule: dict) -> dict:
    """`rule` on channels, applied to the channel a row of another collection links to:
    the read rule of anything that belongs to a channel (messages, memberships, and
    reactions or read positions through their message: `through("message", through(
    "channel", READABLE))`)."""
    return {"_or": [{field: branch} for branch in rule["_or"]]}


def _m2o(name: str, nullable: bool = True, default=None) -> dict:
    schema = {"is_nullable": nullable, "is_indexed": True}
    if default is not None:
        schema["default_value"] = default
    return {"field": name, "type": "uuid",
            "meta": {"interface": "select-dropdown-m2o", "special": ["m2o"]},
            "schema": schema}


def _string(name: str, interface: str = "input", **schema) -> dict:
    kind = "text" if interface == "input-multiline" else "string"
    return {"field": name, "type": kind, "meta": {"interface": interface}, "schema": schema}


CHANNEL_FIELDS = {
    "name": _string("name"),
    "description": _string("description", "input-multiline"),
    "kind": {"field": "kind", "type": "string",
             "meta": {"interface": "select-dropdown", "options": {"choices": [
                 {"text": "Channel", "value": "channel"}, {"text": "Direct message",
                                                           "value": "direct"}]}},
             "schema": {"is_nullable": False, "default_value": "channel"}},
    "open_to": _m2o("open_to"),
    "dm_key": {**_string("dm_key", is_unique=True), "meta": {"interface": "input",
                                                              "hidden": True}},
    "user_created": ds.system_field("user_created"),
    "date_created": ds.system_field("date_created"),
}
MEMBER_FIELDS = {
    "channel": _m2o("channel", nullable=False),
    "user": _m2o("user", nullable=False),
    "user_created": ds.system_field("user_created"),
    "date_created": ds.system_field("date_created"),
}
# (collection, field) -> (related collection, reverse alias or None, on delete)
RELATIONS = {
    (CHANNELS, "open_to"): ("directus_policies", "chat_open_channels", "SET NULL"),
    (CHANNELS, "user_created"): ("directus_users", "chat_created_channels", "SET NULL"),
    (MEMBERS, "channel"): (CHANNELS, "members", "CASCADE"),
    (MEMBERS, "user"): ("directus_users", "chat_memberships", "CASCADE"),
    (MEMBERS, "user_created"): ("directus_users", None, "SET NULL"),
}
WHY = {
    "chat_open_channels": "the channels open to a policy, read by the checks on posting and "
                          "joining",
    "chat_created_channels": "the channels a user created, read by the check on adding "
                             "members",
    "chat_memberships": "a user's memberships, read by the check on posting",
    "members": "a channel's members, read by the rules on who sees a channel",
}


def apply(ctx: Context) -> None:
    _ensure_collection(ctx, CHANNELS, CHANNEL_FIELDS, "forum",
                       "Chat channels and direct messages")
    _ensure_collection(ctx, MEMBERS, MEMBER_FIELDS, "group", "Who is in which channel")
    for (collection, field), (related, alias, on_delete) in RELATIONS.items():
        _ensure_relation(ctx, collection, field, related, alias, on_delete)
    _ensure_general(ctx)
    if ctx.fields(MESSAGES) is not None and "channel" not in ctx.fields(MESSAGES):
        ctx.change(f"Added field {MESSAGES}.channel (every message so far is now in general).",
                   f"field {MESSAGES}.channel (the channel of each message; the existing ones "
                   "go to general)",
                   lambda: ctx.api.post(f"/fields/{MESSAGES}", _m2o("channel",
                                                                    default=GENERAL)))
    _ensure_relation(ctx, MESSAGES, "channel", CHANNELS, None, "SET NULL")


def _ensure_collection(ctx: Context, name: str, fields: dict, icon: str, note: str) -> None:
    existing = ctx.fields(name)
    if existing is None:
        ctx.change(f"Created collection {name} ({', '.join(fields)}).", f"collection {name}",
                   lambda: ctx.api.post("/collections", {
                       "collection": name, "schema": {},
                       "meta": {"icon": icon, "note": note, "singleton": False},
                       "fields": [ds.primary_key("uuid"), *fields.values()]}))
        return
    for field, body in fields.items():
        if field not in existing:
            ctx.change(f"Added field {name}.{field}.", f"field {name}.{field}",
                       lambda b=body: ctx.api.post(f"/fields/{name}", b))


def _ensure_relation(ctx: Context, collection: str, field: str, related: str,
                     alias: str | None, on_delete: str) -> None:
    fields = ctx.fields(collection)
    if fields is None or field not in fields:
        return  # when checking: the collection or field is reported missing already
    current = next((r for r in ctx.api.get(f"/relations/{collection}") if r["field"] == field),
                   None)
    if alias and alias not in (ctx.fields(related) or {}):
        ctx.change(f"Added field {related}.{alias} ({WHY[alias]}).",
                   f"field {related}.{alias} ({WHY[alias]})",
                   lambda: ctx.api.post(f"/fields/{related}", {
                       "field": alias, "type": "alias",
                       "meta": {"special": ["o2m"], "interface": "list-o2m", "hidden": True}}))
    if current is None:
        ctx.change(f"Linked {collection}.{field} to {related}.",
                   f"the link of {collection}.{field} to {related}",
                   lambda: ctx.api.post("/relations", {
                       "collection": collection, "field": field, "related_collection": related,
                       "meta": {"one_field": alias}, "schema": {"on_delete": on_delete}}))
    elif alias and (current.get("meta") or {}).get("one_field") != alias:
        ctx.change(f"Linked {related}.{alias} to {collection}.{field}.",
                   f"the reverse link {related}.{alias} of {collection}.{field}",
                   lambda: ctx.api.patch(f"/relations/{collection}/{field}",
                                         {"meta": {"one_field": alias}}))


def _ensure_general(ctx: Context) -> None:
    if ctx.fields(CHANNELS) is None:
        return
    policy = access.ensure_policy(ctx)
    rows = ctx.api.get(f"/items/{CHANNELS}", **{"filter[id][_eq]": GENERAL})
    if not rows:
        ctx.change("Created channel general (open to every chat user).", "channel general",
                   lambda: ctx.api.post(f"/items/{CHANNELS}", {
                       "id": GENERAL, "name": "general", "kind": "channel", "open_to": policy,
                       "description": "Everyone's channel."}))
    elif rows[0]["open_to"] != policy:
        ctx.change(f"Opened channel general to {access.ROLE_NAME}.",
                   f"channel general open to {access.ROLE_NAME}",
                   lambda: ctx.api.patch(f"/items/{CHANNELS}/{GENERAL}", {"open_to": policy}))


def permissions(ctx: Context) -> dict:
    """The channel rules (merged with the other steps' by the access step):

    - channels, memberships and messages are readable where the channel is open to one of
      the user's policies or the user is a member;
    - a message may be posted where the user is a member or the channel is open to them;
      one sent without a channel goes to general;
    - a channel is created as "channel" (open to Chat User unless `open_to` is null, so
      private) or as "direct" (private, with a dm_key naming the creator);
    - a membership may be created by the channel's creator (for anyone: invitations, and
      both members of a DM at once), or by anyone for themselves in an open channel;
    - a user may leave a channel (delete their membership), except general and DMs; nobody
      changes a membership.
    """
    policy = access.policy_id(ctx)
    return {
        (MESSAGES, "read"): {"fields": ["*"], "permissions": through("channel", READABLE)},
        (MESSAGES, "create"): {"fields": ["channel"], "permissions": None,
                               "validation": MAY_POST, "presets": {"channel": GENERAL}},
        (CHANNELS, "read"): {"fields": ["*"], "permissions": READABLE},
        (CHANNELS, "create"): {"fields": ["name", "description", "kind", "open_to", "dm_key",
                                          "members"],
                               "permissions": None, "validation": CHANNEL_SHAPE,
                               "presets": {"kind": "channel", "open_to": policy}},
        (CHANNELS, "update"): {"fields": ["name", "description"],
                               "permissions": {"_and": [{"user_created": {"_eq": ME}},
                                                        {"kind": {"_eq": "channel"}}]}},
        (MEMBERS, "read"): {"fields": ["*"], "permissions": through("channel", READABLE)},
        (MEMBERS, "create"): {"fields": ["channel", "user"], "permissions": None,
                              "validation": MAY_ADD, "presets": {"user": ME}},
        (MEMBERS, "delete"): {"fields": ["*"], "permissions": LEAVABLE},
    }

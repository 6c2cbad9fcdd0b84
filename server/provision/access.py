"""Step: the "Chat User" policy with exactly the permissions the steps ask for, and its role.

Every step in `ctx.steps` may define `permissions(ctx)` returning {(collection, action):
{"fields": [...], "permissions": <row rule or None>, "validation"?: ..., "presets"?: ...}};
this step gives the policy the union of them and nothing else: a permission beyond the
list, or one widened by hand, is removed or put back, as it would widen what every chat
user may do. Where several steps name the same collection and action, the fields are
joined, the row rules must all hold (e.g. messages' "own rows" and the edit window's "sent
within 15 minutes"), so must the validations, and the presets are merged. Chat users
may also read the field list of every collection the steps name (directus_fields), so a
client learns which features this server has.
"""

from __future__ import annotations

import json
import re

from server.provision.context import Context

ROLE_NAME = "Chat User"


def wanted_permissions(ctx: Context) -> dict:
    wanted: dict = {}
    for step in ctx.steps:
        if hasattr(step, "permissions"):
            for key, spec in step.permissions(ctx).items():
                wanted[key] = _merge(wanted[key], spec) if key in wanted else spec
    collections = sorted({c for c, _ in wanted if not c.startswith("directus_")})
    if collections:
        wanted[("directus_fields", "read")] = {
            "fields": ["*"], "permissions": {"collection": {"_in": collections}}}
    return wanted


def _merge(first: dict, second: dict) -> dict:
    """One permission that allows what both allow of fields, on rows where both rules hold,
    for payloads that pass both validations, with both presets."""
    def both(name: str):
        rules = [part for spec in (first, second) if spec.get(name)
                 for part in spec[name].get("_and", [spec[name]])]
        return rules[0] if len(rules) == 1 else {"_and": rules} if rules else first.get(name)

    fields = {*first["fields"], *second["fields"]}
    merged = {"fields": ["*"] if "*" in fields else sorted(fields),
              "permissions": both("permissions")}
    if first.get("validation") or second.get("validation"):
        merged["validation"] = both("validation")
    presets = {**(first.get("presets") or {}), **(second.get("presets") or {})}
    if presets:
        merged["presets"] = presets
    return merged


def apply(ctx: Context) -> None:
    wanted = wanted_permissions(ctx)
    policy = ensure_policy(ctx)
    _ensure_permissions(ctx, policy, wanted)
    _ensure_role(ctx, policy)


def role_id(ctx: Context) -> str | None:
    role = ctx.find_one("/roles", name=ROLE_NAME)
    return role["id"] if role else None


def policy_id(ctx: Context) -> str | None:
    policy = ctx.find_one("/policies", name=ROLE_NAME)
    return policy["id"] if policy else None


def ensure_policy(ctx: Context) -> str | None:
    """The policy's id, made first if missing (None when checking and it is missing)."""
    policy = ctx.find_one("/policies", name=ROLE_NAME)
    if policy is None:
        policy = ctx.change(
            f"Created policy {ROLE_NAME}.", f"policy {ROLE_NAME}",
            lambda: ctx.api.post("/policies", {
                "name": ROLE_NAME, "icon": "chat",
                "description": "Chat: read all messages, write and change only your own.",
                "admin_access": False, "app_access": False,
            }))
    return policy["id"] if policy else None


def _describe(collection: str, action: str, wanted: dict) -> str:
    rule = wanted["permissions"]
    parts = rule.get("_and", [rule]) if rule else []
    named = [_RULES.get(json.dumps(part, sort_keys=True)) or _window(part) for part in parts]
    others = [part for part, name in zip(parts, named, strict=True) if not name]
    words = [name for name in named if name]
    if others:
        words.append("rows where " + json.dumps(others[0] if len(others) == 1
                                                else {"_and": others}))
    rows = "".join(f", {word}" for word in words)
    checks = "".join(f", {label} {json.dumps(wanted[name])}"
                     for name, label in (("validation", "checked by"), ("presets", "preset"))
                     if wanted.get(name))
    return f"{action} on {collection}{rows} (fields {', '.join(wanted['fields'])}){checks}"


_RULES = {json.dumps({"user_created": {"_eq": "$CURRENT_USER"}}): "own rows only"}


def _window(rule: dict) -> str | None:
    since = (rule.get("date_created") or {}).get("_gte")
    match = re.fullmatch(r"\$NOW\(-(\d+) minutes\)", since) if isinstance(since, str) else None
    return f"sent within the last {match[1]} minutes" if match else None


def _ensure_permissions(ctx: Context, policy: str | None, wanted: dict) -> None:
    held = ctx.api.get("/permissions", limit=-1, **{"filter[policy][_eq]": policy}) \
        if policy else []
    by_key = {}
    for permission in held:
        key = (permission["collection"], permission["action"])
        if key not in wanted or key in by_key:
            # Anything beyond the list (or a duplicate) would widen access: remove it.
            ctx.change(f"Removed extra permission {key[1]} on {key[0]} from {ROLE_NAME}.",
                       f"removing the extra permission {key[1]} on {key[0]} from {ROLE_NAME}",
                       lambda p=permission: ctx.api.delete(f"/permissions/{p['id']}"))
        else:
            by_key[key] = permission
    for (collection, action), spec in wanted.items():
        current = by_key.get((collection, action))
        text = _describe(collection, action, spec)
        if current is None:
            ctx.change(f"Allowed {ROLE_NAME} {text}.", f"permission for {ROLE_NAME}: {text}",
                       lambda c=collection, a=action, s=spec: ctx.api.post("/permissions", {
                           "policy": policy, "collection": c, "action": a,
                           "validation": None, "presets": None, **s}))
        elif _differs(current, spec):
            ctx.change(f"Corrected the {action} permission on {collection} of {ROLE_NAME} "
                       f"to {text}.",
                       f"the {action} permission on {collection} of {ROLE_NAME} as {text}",
                       lambda p=current, s=spec: ctx.api.patch(f"/permissions/{p['id']}", {
                           "validation": None, "presets": None, **s}))


def _differs(current: dict, wanted: dict) -> bool:
    def norm(value):
        return value or None  # Directus stores {} and null interchangeably.

    return (
        sorted(current.get("fields") or []) != sorted(wanted["fields"])
        or norm(current.get("permissions")) != norm(wanted["permissions"])
        or norm(current.get("validation")) != norm(wanted.get("validation"))
        or norm(current.get("presets")) != norm(wanted.get("presets"))
    )


def _ensure_role(ctx: Context, policy: str | None) -> None:
    role = ctx.find_one("/roles", name=ROLE_NAME)
    if role is None:
        ctx.change(f"Created role {ROLE_NAME} with policy {ROLE_NAME}.", f"role {ROLE_NAME}",
                   lambda: ctx.api.post("/roles", {
                       "name": ROLE_NAME, "icon": "chat", "policies": [{"policy": policy}]}))
        return
    links = ctx.api.get("/access", limit=1, **{
        "filter[role][_eq]": role["id"], "filter[policy][_eq]": policy,
    }) if policy else []
    if not links:
        ctx.change(f"Attached policy {ROLE_NAME} to role {ROLE_NAME}.",
                   f"policy {ROLE_NAME} on role {ROLE_NAME}",
                   lambda: ctx.api.post("/access", {"role": role["id"], "policy": policy}))

"""Step: the "Chat User" policy with exactly the permissions the steps ask for, and its role.

Every step in `ctx.steps` may define `permissions(ctx)` returning {(collection, action):
{"fields": [...], "permissions": <row rule or None>, "validation"?: ..., "presets"?: ...}};
this step gives the policy the union of them and nothing else: a permission beyond the
list, or one widened by hand, is removed or put back, as it would widen what every chat
user may do. Where two steps name the same collection and action, the fields are the
union, every row rule and validation must hold, and the presets are merged.
"""

from __future__ import annotations

import json

from server.provision.context import Context

ROLE_NAME = "Chat User"


def wanted_permissions(ctx: Context) -> dict:
    wanted: dict = {}
    for step in ctx.steps:
        if hasattr(step, "permissions"):
            for key, spec in step.permissions(ctx).items():
                wanted[key] = _merge(wanted[key], spec) if key in wanted else spec
    return wanted


def _merge(first: dict, second: dict) -> dict:
    def both(name):
        rules = [rule for rule in (first.get(name), second.get(name)) if rule]
        return {"_and": rules} if len(rules) == 2 else (rules[0] if rules else first.get(name))

    presets = {**(first.get("presets") or {}), **(second.get("presets") or {})}
    return {"fields": sorted(set(first["fields"]) | set(second["fields"])),
            "permissions": both("permissions"), "validation": both("validation"),
            "presets": presets or None}


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
    rows = (", own rows only" if rule == {"user_created": {"_eq": "$CURRENT_USER"}}
            else f", rows where {json.dumps(rule)}" if rule else "")
    checks = "".join(f", {label} {json.dumps(wanted[name])}"
                     for name, label in (("validation", "checked by"), ("presets", "preset"))
                     if wanted.get(name))
    return f"{action} on {collection}{rows} (fields {', '.join(wanted['fields'])}){checks}"


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

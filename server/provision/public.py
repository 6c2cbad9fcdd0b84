"""Step: the Public policy's grants on the chat, reported as risks; removed with --lock-down.

The tutorial tells people to give the Public policy "All Access" on create and read of
messages: anyone can then post without signing in (stored as by nobody) and read every
message. Directus 11 also applies the Public policy to every signed-in user without a role
(permissions/lib/fetch-policies.js), which is how the tutorial's users chat. Removing the
grants can lock those users out, so it is never done silently: only with `--lock-down`.
A setup made by this tool never grants Public anything, so there is nothing to remove.
"""

from __future__ import annotations

from server.provision.access import wanted_permissions
from server.provision.context import Context

FLAG = "--lock-down"
WHAT = {
    ("messages", "create"): "anyone can post, unauthenticated, as nobody",
    ("messages", "read"): "anyone can read every message without signing in, those of private "
                          "channels and DMs too",
    ("messages", "update"): "anyone can change any message without signing in",
    ("messages", "delete"): "anyone can delete any message without signing in",
    ("directus_users", "read"): "anyone can read user accounts without signing in",
}


def public_grants(ctx: Context, collections) -> list[dict]:
    """The permissions of every policy that applies to anonymous clients, on `collections`."""
    links = ctx.api.get("/access", limit=-1, **{
        "filter[role][_null]": "true", "filter[user][_null]": "true", "fields": "policy",
    })
    grants = []
    for policy in sorted({link["policy"] for link in links}):
        grants += ctx.api.get("/permissions", limit=-1, sort="id", **{
            "filter[policy][_eq]": policy,
            "filter[collection][_in]": ",".join(sorted(collections)),
        })
    return grants


def apply(ctx: Context) -> None:
    collections = {collection for collection, _ in wanted_permissions(ctx)}
    for grant in public_grants(ctx, collections):
        key = (grant["collection"], grant["action"])
        what = WHAT.get(key, f"anyone can {key[1]} {key[0]} without signing in")
        name = f"the Public policy's {key[1]} on {key[0]}"
        if ctx.options.lock_down:
            ctx.change(f"Removed {name} ({what}).", f"removing {name} ({what})",
                       lambda g=grant: ctx.api.delete(f"/permissions/{g['id']}"), (FLAG,))
        else:
            ctx.risk(f"{name[0].upper()}{name[1:]}: {what}. Signed-in users without a role "
                     "get it too.", (FLAG,))

"""Step: users without a role, who chat only through the Public policy.

Directus 11 gives a signed-in user without a role the Public policy's access and nothing
else: under the tutorial's setup they read and post, but see no names and cannot edit;
after --lock-down they cannot chat at all. `--assign-chat-role` gives each active one the
Chat User role; otherwise they are named in a note.
"""

from __future__ import annotations

from server.provision import access
from server.provision.context import Context

FLAG = "--assign-chat-role"


def apply(ctx: Context) -> None:
    users = ctx.api.get("/users", limit=-1, sort="email", fields="id,email", **{
        "filter[role][_null]": "true", "filter[status][_eq]": "active"})
    if not users:
        return
    if not ctx.options.assign_chat_role:
        emails = ", ".join(u["email"] or u["id"] for u in users)
        ctx.note(f"{len(users)} active users have no role ({emails}): they chat only "
                 "through the Public policy (no names of others, no edits), and not at all "
                 f"once it is locked down. Give them the {access.ROLE_NAME} role.", (FLAG,))
        return
    role = access.role_id(ctx)
    for user in users:
        who = user["email"] or user["id"]
        ctx.change(f"Gave {who} the role {access.ROLE_NAME}.",
                   f"the role {access.ROLE_NAME} for {who}",
                   lambda u=user: ctx.api.patch(f"/users/{u['id']}", {"role": role}), (FLAG,))

"""Step (with --demo-users): the demo accounts alice, bob and carol with the Chat User role."""

from __future__ import annotations

from server.provision import access
from server.provision.context import Context

FLAG = "--demo-users"
# Demo accounts for local use only; `make run` prints them.
DEMO_USERS = {
    "alice": ("alice@example.com", "alice-demo-pw", "Alice"),
    "bob": ("bob@example.com", "bob-demo-pw", "Bob"),
    "carol": ("carol@example.com", "carol-demo-pw", "Carol"),
}


def apply(ctx: Context) -> None:
    if not ctx.options.demo_users:
        return
    role = access.role_id(ctx)
    for email, password, first_name in DEMO_USERS.values():
        if ctx.find_one("/users", email=email) is None:
            ctx.change(f"Created demo user {email}.", f"demo user {email}",
                       lambda e=email, p=password, n=first_name: ctx.api.post("/users", {
                           "email": e, "password": p, "first_name": n, "role": role,
                           "status": "active"}), (FLAG,))

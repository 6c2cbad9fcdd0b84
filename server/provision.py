"""Bring a Directus 11 to the chat app's state over REST with an admin token.

Standard library only. Idempotent: running it again changes nothing. Works against the
local Directus (SQLite) and the docker-compose one (PostgreSQL).

    python -m server.provision --url http://127.0.0.1:8055 --token ADMIN_TOKEN --demo-users

What it sets up:
- collection `messages`: `id` uuid primary key (clients may send their own uuid),
  `content` text not null, and the system fields user_created, date_created,
  user_updated, date_updated, filled by the server;
- a "Chat User" policy and role: read messages; create with fields id and content only;
  update content and delete only where user_created is the current user; read the id
  and first_name of users (never their email);
- the Public policy gets no access to messages or users;
- with --demo-users: the users in DEMO_USERS, with the Chat User role.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

COLLECTION = "messages"
ROLE_NAME = "Chat User"

# Demo accounts for local use only; `make run` prints them.
DEMO_USERS = {
    "alice": ("alice@example.com", "alice-demo-pw", "Alice"),
    "bob": ("bob@example.com", "bob-demo-pw", "Bob"),
    "carol": ("carol@example.com", "carol-demo-pw", "Carol"),
}

OWN_ROWS = {"user_created": {"_eq": "$CURRENT_USER"}}

# (collection, action) -> the permission the Chat User policy must hold.
PERMISSIONS = {
    (COLLECTION, "read"): {"fields": ["*"], "permissions": {}},
    (COLLECTION, "create"): {"fields": ["id", "content"], "permissions": None},
    (COLLECTION, "update"): {"fields": ["content"], "permissions": OWN_ROWS},
    (COLLECTION, "delete"): {"fields": ["*"], "permissions": OWN_ROWS},
    ("directus_users", "read"): {"fields": ["id", "first_name"], "permissions": {}},
}


def _field(name, type_, special=None, schema=None, **meta):
    field = {"field": name, "type": type_, "schema": schema or {}, "meta": dict(meta)}
    if special:
        field["meta"]["special"] = [special]
    return field


FIELDS = [
    _field("id", "uuid", "uuid", {"is_primary_key": True, "is_nullable": False},
           interface="input", readonly=True, hidden=True),
    _field("content", "text", None, {"is_nullable": False},
           interface="input-multiline", required=True),
    _field("user_created", "uuid", "user-created", {},
           interface="select-dropdown-m2o", readonly=True, hidden=True),
    _field("date_created", "timestamp", "date-created", {},
           interface="datetime", readonly=True, hidden=True),
    _field("user_updated", "uuid", "user-updated", {},
           interface="select-dropdown-m2o", readonly=True, hidden=True),
    _field("date_updated", "timestamp", "date-updated", {},
           interface="datetime", readonly=True, hidden=True),
]
USER_FIELDS = ("user_created", "user_updated")


class ProvisionError(Exception):
    pass


class Directus:
    """A tiny REST client: JSON in, the response's `data` out."""

    def __init__(self, url: str, token: str):
        self.url = url.rstrip("/")
        self.token = token

    def request(self, method: str, path: str, body=None, query=None):
        url = self.url + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method, headers={
            "Authorization": f"Bearer {self.token}", "Content-Type": "application/json",
        })
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                text = response.read()
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")[:500]
            raise ProvisionError(f"{method} {path} failed: HTTP {error.code} {detail}") from None
        except urllib.error.URLError as error:
            raise ProvisionError(f"Cannot reach Directus at {self.url}: {error.reason}") from None
        return json.loads(text)["data"] if text else None

    def get(self, path, **query):
        return self.request("GET", path, query=query)

    def post(self, path, body):
        return self.request("POST", path, body)

    def patch(self, path, body):
        return self.request("PATCH", path, body)

    def delete(self, path):
        return self.request("DELETE", path)


def provision(url: str, token: str, demo_users: bool = False, quiet: bool = False) -> None:
    """Apply the whole setup; each change made is printed unless `quiet`."""
    api = Directus(url, token)

    def say(message):
        if not quiet:
            print(message, flush=True)

    _ensure_collection(api, say)
    policy = _ensure_policy(api, say)
    _ensure_permissions(api, policy, say)
    role = _ensure_role(api, policy, say)
    _clear_public(api, say)
    if demo_users:
        _ensure_demo_users(api, role, say)
    say("Directus is set up for the chat.")


def _ensure_collection(api: Directus, say) -> None:
    names = {c["collection"] for c in api.get("/collections")}
    if COLLECTION not in names:
        api.post("/collections", {
            "collection": COLLECTION,
            "meta": {"icon": "chat", "note": "Chat messages"},
            "schema": {},
            "fields": FIELDS,
        })
        say(f"Created collection {COLLECTION}.")
    else:
        existing = {f["field"] for f in api.get(f"/fields/{COLLECTION}")}
        for field in FIELDS:
            if field["field"] not in existing:
                api.post(f"/fields/{COLLECTION}", field)
                say(f"Added field {COLLECTION}.{field['field']}.")
    related = {r["field"] for r in api.get(f"/relations/{COLLECTION}")}
    for field in USER_FIELDS:
        if field not in related:
            api.post("/relations", {
                "collection": COLLECTION, "field": field,
                "related_collection": "directus_users", "schema": {},
            })
            say(f"Linked {COLLECTION}.{field} to directus_users.")


def _find_one(api: Directus, path: str, **filters):
    query = {f"filter[{k}][_eq]": v for k, v in filters.items()}
    rows = api.get(path, limit=1, **query)
    return rows[0] if rows else None


def _ensure_policy(api: Directus, say) -> str:
    policy = _find_one(api, "/policies", name=ROLE_NAME)
    if policy is None:
        policy = api.post("/policies", {
            "name": ROLE_NAME, "icon": "chat",
            "description": "Chat: read all messages, write and change only your own.",
            "admin_access": False, "app_access": False,
        })
        say(f"Created policy {ROLE_NAME}.")
    return policy["id"]


def _ensure_permissions(api: Directus, policy: str, say) -> None:
    held = api.get("/permissions", limit=-1, **{"filter[policy][_eq]": policy})
    by_key = {}
    for permission in held:
        key = (permission["collection"], permission["action"])
        if key not in PERMISSIONS or key in by_key:
            # Anything beyond the list (or a duplicate) would widen access: remove it.
            api.delete(f"/permissions/{permission['id']}")
            say(f"Removed extra permission {key[1]} on {key[0]}.")
        else:
            by_key[key] = permission
    for (collection, action), wanted in PERMISSIONS.items():
        current = by_key.get((collection, action))
        if current is None:
            api.post("/permissions", {
                "policy": policy, "collection": collection, "action": action,
                "validation": None, "presets": None, **wanted,
            })
            say(f"Allowed {action} on {collection} (fields {', '.join(wanted['fields'])}).")
        elif _differs(current, wanted):
            api.patch(f"/permissions/{current['id']}", {
                "validation": None, "presets": None, **wanted,
            })
            say(f"Corrected the {action} permission on {collection}.")


def _differs(current: dict, wanted: dict) -> bool:
    def norm(value):
        return value or None  # Directus stores {} and null interchangeably.

    return (
        sorted(current.get("fields") or []) != sorted(wanted["fields"])
        or norm(current.get("permissions")) != norm(wanted["permissions"])
        or norm(current.get("validation")) is not None
        or norm(current.get("presets")) is not None
    )


def _ensure_role(api: Directus, policy: str, say) -> str:
    role = _find_one(api, "/roles", name=ROLE_NAME)
    if role is None:
        role = api.post("/roles", {
            "name": ROLE_NAME, "icon": "chat", "policies": [{"policy": policy}],
        })
        say(f"Created role {ROLE_NAME}.")
        return role["id"]
    links = api.get("/access", limit=1, **{
        "filter[role][_eq]": role["id"], "filter[policy][_eq]": policy,
    })
    if not links:
        api.post("/access", {"role": role["id"], "policy": policy})
        say(f"Attached policy {ROLE_NAME} to role {ROLE_NAME}.")
    return role["id"]


def _clear_public(api: Directus, say) -> None:
    """Anonymous clients get nothing on messages or users."""
    links = api.get("/access", limit=-1, **{
        "filter[role][_null]": "true", "filter[user][_null]": "true", "fields": "policy",
    })
    for link in links:
        permissions = api.get("/permissions", limit=-1, **{
            "filter[policy][_eq]": link["policy"],
            "filter[collection][_in]": f"{COLLECTION},directus_users",
        })
        for permission in permissions:
            api.delete(f"/permissions/{permission['id']}")
            say(f"Removed public {permission['action']} on {permission['collection']}.")


def _ensure_demo_users(api: Directus, role: str, say) -> None:
    for email, password, first_name in DEMO_USERS.values():
        if _find_one(api, "/users", email=email) is None:
            api.post("/users", {
                "email": email, "password": password, "first_name": first_name,
                "role": role, "status": "active",
            })
            say(f"Created demo user {email}.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="Directus URL, e.g. http://127.0.0.1:8055")
    parser.add_argument("--token", required=True, help="a static admin token")
    parser.add_argument("--demo-users", action="store_true",
                        help="create the demo users " + ", ".join(DEMO_USERS))
    args = parser.parse_args()
    try:
        provision(args.url, args.token, demo_users=args.demo_users)
    except ProvisionError as error:
        sys.exit(f"Setup failed: {error}")
    if args.demo_users:
        print("Demo logins:")
        for email, password, _ in DEMO_USERS.values():
            print(f"  {email}  {password}")


if __name__ == "__main__":
    main()

"""The REST payloads the Directus 11.17.4 Data Studio sends, so what we add looks native.

Read from the Data Studio's own code (@directus/app 15.10.0, the app of Directus 11.17.4,
server/node_modules/@directus/app/dist/assets/v-form-*.js; in directus/directus the same
code is app/src/...):

- "Create Collection" (component `new-collection`) sends one `POST /collections` with
  `meta: {"singleton": false}` (its other meta values are undefined, so JSON drops them),
  `schema: {}` and the primary key first, then the chosen optional system fields in the
  order status, sort, user_created, date_created, user_updated, date_updated; then one
  `POST /relations` per user field. The default primary key type is "Auto-incremented
  integer".
- "Create Field" (store `fieldDetailStore`) sends `POST /fields/<collection>` with only
  what the form changed: picking an interface sets the type to the interface's first type
  and `meta.special` from the type (null for text and string). Textarea is the interface
  `input-multiline` (types: text); Input is `input` (first type: string, 255 characters).
- Access Policies -> "All Access" on a collection and action (interface
  `system-permissions`) adds a permission row with fields ["*"] and null permissions,
  validation and presets; saving the policy sends
  `PATCH /policies/<id>` with `{"permissions": {"create": [...], "update": [], "delete": []}}`.
"""

from __future__ import annotations

# The Public policy's fixed id in Directus 11 (its directus_access row has no role, no user).
PUBLIC_POLICY = "abf8a154-5b1c-4a46-ac9c-7300570f4f17"

_USER_OPTIONS = {"template": "{{avatar}} {{first_name}} {{last_name}}"}


def primary_key(kind: str, name: str = "id") -> dict:
    """The primary key of "Create Collection": kind "integer" (the default) or "uuid"."""
    if kind == "uuid":
        return {"field": name, "type": "uuid",
                "meta": {"hidden": True, "readonly": True, "interface": "input",
                         "special": ["uuid"]},
                "schema": {"is_primary_key": True, "length": 36, "has_auto_increment": False}}
    if kind == "integer":
        return {"field": name, "type": "integer",
                "meta": {"hidden": True, "interface": "input", "readonly": True},
                "schema": {"is_primary_key": True, "has_auto_increment": True}}
    raise ValueError(f"unknown primary key kind {kind!r}")


def _user_field(name: str, special: str) -> dict:
    return {"field": name, "type": "uuid",
            "meta": {"special": [special], "interface": "select-dropdown-m2o",
                     "options": dict(_USER_OPTIONS), "display": "user", "readonly": True,
                     "hidden": True, "width": "half"},
            "schema": {}}


def _date_field(name: str, special: str) -> dict:
    return {"field": name, "type": "timestamp",
            "meta": {"special": [special], "interface": "datetime", "readonly": True,
                     "hidden": True, "width": "half", "display": "datetime",
                     "display_options": {"relative": True}},
            "schema": {}}


# The optional system fields, in the order "Create Collection" adds them.
SYSTEM_FIELDS = {
    "user_created": _user_field("user_created", "user-created"),
    "date_created": _date_field("date_created", "date-created"),
    "user_updated": _user_field("user_updated", "user-updated"),
    "date_updated": _date_field("date_updated", "date-updated"),
}
USER_FIELDS = ("user_created", "user_updated")


def system_field(name: str) -> dict:
    return {**SYSTEM_FIELDS[name], "meta": dict(SYSTEM_FIELDS[name]["meta"])}


def create_collection(collection: str, key: str, system_fields: tuple[str, ...]) -> dict:
    """The `POST /collections` body of "Create Collection" with these optional fields."""
    order = [name for name in SYSTEM_FIELDS if name in system_fields]
    return {"collection": collection,
            "fields": [primary_key(key), *(system_field(name) for name in order)],
            "schema": {}, "meta": {"singleton": False}}


def user_relation(collection: str, field: str) -> dict:
    """The `POST /relations` that follows "Create Collection" for a user field."""
    return {"collection": collection, "field": field,
            "related_collection": "directus_users", "schema": {}}


def text_field(name: str, interface: str = "input-multiline") -> dict:
    """The `POST /fields/...` body of "Create Field" with Textarea (text) or Input (string)."""
    types = {"input-multiline": "text", "input": "string"}
    return {"field": name, "type": types[interface],
            "meta": {"interface": interface, "special": None}}


def all_access(policy: str, collection: str, action: str) -> dict:
    """The permission row "All Access" adds to a policy for one collection and action."""
    return {"policy": policy, "permissions": None, "validation": None, "fields": ["*"],
            "presets": None, "collection": collection, "action": action}


def grant_all_access(policy: str, collection: str, actions: tuple[str, ...]) -> dict:
    """The `PATCH /policies/<policy>` body that saves "All Access" on these actions."""
    return {"permissions": {"create": [all_access(policy, collection, a) for a in actions],
                            "update": [], "delete": []}}

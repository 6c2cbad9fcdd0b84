"""One row per user and some fields (e.g. per user, message and emoji), held by the database.

Directus' field API makes unique indexes on one column only. So each such collection has a
unique string field `key`, and a Directus Flow (made here over REST, so it works on any
Directus this tool can reach, and on every instance of a cluster) fills it before each
create: a blocking "filter" event flow on `items.create` whose one operation, a script,
returns the payload with `key` = "<signed-in user> <field> <field>...". Two creates of the
same row then meet the unique index, even at the same instant: one is stored, the other is
RECORD_NOT_UNIQUE. The script runs before Directus checks the payload (services/items.js
createOne), so `key` must be among the create fields; whatever a client sends in it is
replaced. The script also makes each id field canonical (a number for integer ids, lower
case for uuids, null for anything else, which the not-null field then refuses with
FAILED_VALIDATION), so "5" and 5 cannot make two keys for one message.

Without the flow (an admin turned it off) a create sends no key and fails on the not-null
`key`: the feature stops rather than storing duplicates; `--check` names the flow.
"""

from __future__ import annotations

import json

from server.provision.context import Context

FIELD = "key"
_IDS = {
    "uuid": r"/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i",
    "integer": r"/^[1-9][0-9]{0,14}$/",
    "bigInteger": r"/^[1-9][0-9]{0,14}$/",
}


def key_field(note: str) -> dict:
    return {"field": FIELD, "type": "string",
            "meta": {"interface": "input", "hidden": True, "readonly": True, "note": note},
            "schema": {"is_unique": True, "is_nullable": False}}


def flow_name(collection: str) -> str:
    return f"Chat: unique key of {collection}"


def script(ids: tuple[str, ...], values: tuple[str, ...], id_type: str,
           defaults: dict | None = None) -> str:
    """The flow's code: `key` from the user, the id fields (made canonical), the values.
    `defaults`: what an id field is when the payload has none (its field's default, which
    Directus would only fill after the flow), e.g. read positions' channel."""
    given, defaults_line = "payload[field]", ""
    if defaults:
        given = "field in payload ? payload[field] : DEFAULTS[field]"
        defaults_line = f"const DEFAULTS = {json.dumps(defaults)};\n"
    return f"""\
// Made by server.provision (unique_key.py). Sets `key` to the signed-in user and the
// fields below, so that the unique index on `key` allows one row per them. An id field
// holding anything but an id is set to null, which Directus then refuses.
const IDS = {json.dumps(list(ids))};
const VALUES = {json.dumps(list(values))};
{defaults_line}const ID = {_IDS[id_type]};
function canonical(value) {{
  const text = typeof value === "number" ? String(value) : value;
  if (typeof text !== "string" || !ID.test(text)) return null;
  return {"Number(text)" if id_type != "uuid" else "text.toLowerCase()"};
}}
module.exports = function (data) {{
  const payload = Object.assign({{}}, data.$trigger.payload);
  const parts = [data.$accountability ? data.$accountability.user : null];
  for (const field of IDS) parts.push(payload[field] = canonical({given}));
  for (const field of VALUES) parts.push(payload[field]);
  payload.{FIELD} = parts.join(" ");
  return payload;
}};
"""


def _flow(collection: str) -> dict:
    return {"name": flow_name(collection), "icon": "key", "status": "active",
            "trigger": "event", "accountability": None,
            "description": f"One {collection} row per user and what `key` names: fills "
                          "`key`, which is unique (made by server.provision).",
            "options": {"type": "filter", "scope": ["items.create"],
                        "collections": [collection], "return": "$last"}}


def ensure_flow(ctx: Context, collection: str, what: str, code: str) -> None:
    """The flow that fills `key` of `collection` (`what`: e.g. "user, message and emoji")."""
    wanted = _flow(collection)
    found = ctx.api.get("/flows", limit=1, fields="*,operations.*",
                        **{"filter[name][_eq]": wanted["name"]})
    flow = found[0] if found else None
    name = f"the flow {wanted['name']!r} (one row of {collection} per {what})"
    if flow is None:
        ctx.change(f"Created {name}.", name, lambda: _create(ctx, wanted, code))
        return
    if any(flow.get(k) != v for k, v in wanted.items() if k != "description"):
        ctx.change(f"Restored {name} (it was changed or turned off).", f"{name}, as made",
                   lambda: ctx.api.patch(f"/flows/{flow['id']}", wanted))
    first = next((op for op in flow.get("operations") or [] if op["id"] == flow["operation"]),
                 None)
    if first is None:
        ctx.change(f"Added the script of {name}.", f"the script of {name}",
                   lambda: _link(ctx, flow["id"], code))
    elif (first["type"], first["options"], first["resolve"]) != ("exec", {"code": code}, None):
        ctx.change(f"Restored the script of {name}.", f"the script of {name}, as made",
                   lambda: ctx.api.patch(f"/operations/{first['id']}", {
                       "type": "exec", "options": {"code": code}, "resolve": None}))


def _create(ctx: Context, flow: dict, code: str) -> None:
    _link(ctx, ctx.api.post("/flows", flow)["id"], code)


def _link(ctx: Context, flow_id: str, code: str) -> None:
    operation = ctx.api.post("/operations", {
        "flow": flow_id, "name": "Fill key", "key": "fill_key", "type": "exec",
        "position_x": 19, "position_y": 1, "options": {"code": code}})
    ctx.api.patch(f"/flows/{flow_id}", {"operation": operation["id"]})

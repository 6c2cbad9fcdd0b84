"""What the server has, from the answers of GET /fields/messages and /permissions/me
(chat/core/schema.py): the pure parts. The answers are the shapes Directus 11.17.4 gives
(tests/integration/test_tutorial_upgrade.py pins them)."""

from chat.core.schema import (
    PROVISIONED,
    TUTORIAL_FIELDS,
    KeyKind,
    capabilities,
    parse_fields,
    parse_permissions,
)


def fields_body(id_type: str, *names: str, max_length=None) -> dict:
    data = [{"field": "id", "type": id_type, "schema": {"is_primary_key": True}},
            {"field": "content", "type": "text", "schema": {"max_length": max_length}}]
    data += [{"field": n, "type": "uuid" if n != "date_created" else "timestamp",
              "schema": {}} for n in names]
    return {"data": data}


def perms(**collections) -> dict:
    return {"data": {c: {a: {"access": x[0], "fields": list(x[1])} if x[0] != "none"
                         else {"access": "none"} for a, x in actions.items()}
                     for c, actions in collections.items()}}


ALL = ("full", ("*",))
PUBLIC = perms(messages={"read": ALL, "create": ALL, "update": ("none", ()),
                         "delete": ("none", ()), "share": ("none", ())})
CHAT_USER = perms(
    messages={"read": ALL, "create": ("full", ("client_id", "content", "mentions", "reply_to")),
              "update": ("partial", ("content", "mentions")), "delete": ("partial", ("*",))},
    directus_users={"read": ("full", ("avatar", "first_name", "id"))},
    directus_fields={"read": ("partial", ("*",))},
    reactions={"read": ALL, "create": ("full", ("emoji", "key", "message"))},
    read_positions={"read": ("partial", ("*",)),
                    "create": ("full", ("key", "last_read", "last_read_date")),
                    "update": ("partial", ("last_read", "last_read_date"))})
UPGRADED = fields_body("integer", "user_created", "date_created", "user_updated",
                       "date_updated", "client_id", "reply_to", "mentions")


def learn(fields_status, fields, perms_status, permissions):
    return capabilities(parse_fields(fields_status, fields),
                        parse_permissions(perms_status, permissions))


def test_an_upgraded_tutorial_collection_keys_sends_by_client_id_and_has_every_feature():
    caps = learn(200, UPGRADED, 200, CHAT_USER)
    assert caps.key is KeyKind.CLIENT_ID and caps.key_field == "client_id"
    assert caps.integer_ids and caps.field_list
    assert caps.message_fields == (
        "id", "content", "date_created", "client_id", "date_updated", "reply_to", "mentions",
        "user_created.id", "user_created.first_name", "user_created.avatar",
        "user_updated.id")
    assert caps.can_edit and caps.can_delete and caps.replies and caps.mentions
    assert caps.reactions and caps.read_positions and caps.avatars
    assert caps.missing() == ()


def test_a_roleless_tutorial_user_gets_the_tutorial_fields_and_no_key_until_ids_show():
    """/fields/messages is 403 for them: only the four fields are asked for, so a field
    that is merely absent (date_updated) never makes a read fail."""
    caps = learn(403, {"errors": [{"message": "no"}]}, 200, PUBLIC)
    assert not caps.field_list and caps.fields == TUTORIAL_FIELDS
    assert caps.message_fields == ("id", "content", "date_created", "user_created.id",
                                   "user_created.first_name")
    assert caps.key is KeyKind.NONE
    assert not (caps.can_edit or caps.can_delete or caps.replies or caps.mentions
                or caps.reactions or caps.read_positions or caps.avatars)
    # The ids of the first page tell the key's type: numbers, no key; uuids, the id.
    assert caps.seen_id(7).key is KeyKind.NONE and caps.seen_id(7).integer_ids
    uuid_caps = caps.seen_id("0f6a9d1e-62f4-4a51-9a3e-7f7d3e1c2b10")
    assert uuid_caps.key is KeyKind.ID and not uuid_caps.integer_ids
    assert uuid_caps.seen_id(None) == uuid_caps
    # A field list, once learned, is not second-guessed by ids.
    assert PROVISIONED.seen_id(7) == PROVISIONED


def test_a_uuid_collection_without_date_updated_is_its_own_key_and_asks_no_date_updated():
    caps = learn(200, fields_body("uuid", "user_created", "date_created", "user_updated",
                                  max_length=255), 200, PUBLIC)
    assert caps.key is KeyKind.ID and not caps.integer_ids
    assert "date_updated" not in caps.message_fields
    assert "user_updated.id" in caps.message_fields
    assert caps.max_length == 255


def test_an_integer_collection_without_client_id_has_no_key():
    caps = learn(200, fields_body("integer", "user_created", "date_created"), 200, PUBLIC)
    assert caps.key is KeyKind.NONE and caps.key_field is None and caps.integer_ids


def test_a_needed_field_that_is_not_there_is_named():
    caps = learn(200, {"data": [{"field": "id", "type": "integer"},
                                {"field": "text", "type": "text"}]}, 200, PUBLIC)
    assert caps.missing() == ("content", "date_created")
    # Without a field list nothing is known to be missing.
    assert learn(403, None, 200, PUBLIC).missing() == ()


def test_permissions_name_what_is_missing():
    caps = learn(403, None, 200, perms(messages={"read": ("none", ()), "create": ALL}))
    assert caps.collection and not caps.read.allowed and caps.create.allowed
    caps = learn(403, None, 200, perms(messages={"read": ALL}))
    assert caps.read.allowed and not caps.create.allowed  # an action not listed: none
    assert not learn(403, None, 200, perms(directus_users={"read": ALL})).collection
    # A field outside the read fields is not asked for, even where it exists.
    caps = learn(200, UPGRADED, 200, perms(messages={"read": ("full", (
        "id", "content", "date_created", "client_id", "user_created"))}))
    assert "date_updated" not in caps.message_fields and "client_id" in caps.message_fields


def test_unusable_answers_count_as_not_answered():
    for body in (None, [], {"data": "x"}, {"errors": []}):
        assert parse_fields(200, body) is None and parse_permissions(200, body) is None
    assert parse_fields(200, {"data": [{"field": "id"}, "junk", {"no": 1}]}) == {
        "id": {"field": "id"}}
    assert parse_permissions(200, {"data": {"messages": "junk", "x": {"read": 1}}}) == {"x": {}}
    # Without /permissions/me (an older Directus): read and create are assumed.
    caps = learn(403, None, 404, None)
    assert caps.read.allowed and caps.create.allowed and caps.collection

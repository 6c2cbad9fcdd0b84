"""How the access step joins what several steps ask of one permission, without a server."""

from server.provision.access import _describe, _merge

OWN = {"user_created": {"_eq": "$CURRENT_USER"}}
WINDOW = {"date_created": {"_gte": "$NOW(-15 minutes)"}}
MEMBER = {"channel": {"members": {"_some": {"user": {"_eq": "$CURRENT_USER"}}}}}


def test_fields_are_joined_and_every_row_rule_must_hold():
    merged = _merge({"fields": ["content"], "permissions": OWN},
                    {"fields": ["mentions"], "permissions": WINDOW})
    assert merged == {"fields": ["content", "mentions"],
                      "permissions": {"_and": [OWN, WINDOW]}}
    # A third step's rule joins the same list rather than nesting.
    assert _merge(merged, {"fields": [], "permissions": MEMBER})["permissions"] == {
        "_and": [OWN, WINDOW, MEMBER]}


def test_all_fields_stay_all_and_no_rule_stays_no_rule():
    assert _merge({"fields": ["*"], "permissions": {}},
                  {"fields": ["id"], "permissions": {}}) == {"fields": ["*"], "permissions": {}}
    assert _merge({"fields": ["content"], "permissions": None},
                  {"fields": ["reply_to"], "permissions": None}) == {
        "fields": ["content", "reply_to"], "permissions": None}
    # "all rows" ({}) joined with a rule is that rule.
    assert _merge({"fields": ["*"], "permissions": {}},
                  {"fields": [], "permissions": MEMBER})["permissions"] == MEMBER


def test_the_rules_are_described_in_words_where_they_have_a_name():
    assert _describe("messages", "update", {"fields": ["content"],
                                            "permissions": {"_and": [OWN, WINDOW]}}) == (
        "update on messages, own rows only, sent within the last 15 minutes (fields content)")
    assert _describe("reactions", "read", {"fields": ["*"], "permissions": {}}) == (
        "read on reactions (fields *)")
    assert _describe("x", "read", {"fields": ["id"], "permissions": {"_and": [OWN, MEMBER,
                                                                              WINDOW]}}) == (
        'read on x, own rows only, sent within the last 15 minutes, rows where '
        '{"channel": {"members": {"_some": {"user": {"_eq": "$CURRENT_USER"}}}}} (fields id)')


def test_validations_must_all_hold_and_presets_are_merged():
    """Channels' check on the channel of a new message joins the other steps' asks."""
    posting = {"channel": {"_in": "$CURRENT_USER.chat_memberships.channel"}}
    shape = {"content": {"_nempty": True}}
    merged = _merge({"fields": ["content"], "permissions": None, "validation": shape},
                    {"fields": ["channel"], "permissions": None, "validation": posting,
                     "presets": {"channel": "general"}})
    assert merged == {"fields": ["channel", "content"], "permissions": None,
                      "validation": {"_and": [shape, posting]},
                      "presets": {"channel": "general"}}
    # One without a validation leaves the other's whole; nothing asked, nothing added.
    assert _merge({"fields": ["a"], "permissions": None},
                  {"fields": [], "permissions": None, "validation": posting}) == {
        "fields": ["a"], "permissions": None, "validation": posting}


def test_validation_and_presets_are_named_in_the_description():
    assert _describe("channel_members", "create", {
        "fields": ["channel", "user"], "permissions": None,
        "validation": {"user": {"_eq": "$CURRENT_USER"}},
        "presets": {"user": "$CURRENT_USER"}}) == (
        'create on channel_members (fields channel, user), checked by {"user": {"_eq": '
        '"$CURRENT_USER"}}, preset {"user": "$CURRENT_USER"}')

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

"""The core's conversation around messages: edit, delete, replies, reactions, and
nothing of them where the server lacks them. Driven without network or clock."""

import pytest

from chat import core as c

from .driver import FIELDS, PERMISSIONS, Driver, at, item

ALICE, BOB = "u-alice", "u-bob"


# A server provisioned with the features: reply_to, update and delete of own messages,
# reactions (docs/SCHEMA.md's permissions table).
FEATURE_FIELDS = {"data": [*FIELDS["data"], {"field": "reply_to", "type": "uuid", "schema": {}}]}
FEATURE_PERMISSIONS = {"data": {
    **PERMISSIONS["data"],
    "messages": {**PERMISSIONS["data"]["messages"],
                 "create": {"access": "full", "fields": ["content", "id", "reply_to"]},
                 "update": {"access": "partial", "fields": ["content"]},
                 "delete": {"access": "partial", "fields": ["*"]}},
    "reactions": {"read": {"access": "full", "fields": ["*"]},
                  "create": {"access": "full", "fields": ["emoji", "key", "message"]},
                  "delete": {"access": "partial", "fields": ["*"]}}}}


def with_features() -> Driver:
    return Driver(fields=FEATURE_FIELDS, permissions=FEATURE_PERMISSIONS)


@pytest.fixture
def driver() -> Driver:
    return with_features()


def reaction(reaction_id: str, message: str, emoji: str = "👍", user: str = BOB,
             name: str = "Bob") -> dict:
    return {"id": reaction_id, "message": message, "emoji": emoji,
            "user_created": {"id": user, "first_name": name}}


def live(d: Driver, history: list, reactions: list = ()) -> None:
    """Signed in as Alice and live with ``history``; the reactions read answered."""
    d.sign_in_and_connect(history)
    read = d.frames()
    if history:
        assert read[-1]["collection"] == "reactions", read
        d.frame({"type": "items", "uid": read[-1]["uid"], "data": list(reactions)})


def last(d: Driver, kind):
    return [e for e in d.events if isinstance(e, kind)][-1]


def notices(d: Driver) -> list[str]:
    return [e.text for e in d.events if isinstance(e, c.Notice)]


def test_nothing_is_offered_or_asked_for_until_the_server_is_known_to_have_it():
    d = Driver()
    d.sign_in_and_connect([item("m1", user=ALICE)])
    subscribe = [a for a in d.history if isinstance(a, c.SendFrame)
                 and '"subscribe"' in a.text]
    assert len(subscribe) == 1 and "reply_to" not in subscribe[0].text
    assert d.frames() == []  # no reactions subscription, no reactions read
    with pytest.raises(ValueError):
        d.edit("m1", "changed")
    with pytest.raises(ValueError):
        d.react("m1", "👍")
    d.send("hi", reply_to="m1")
    assert "reply_to" not in d.frames()[-1]["data"]


def test_with_the_features_the_messages_carry_reply_to_and_one_reactions_subscription():
    d = with_features()
    d.sign_in_and_connect([item("m1"), item("m2")], catch_up=None)
    sent = d.frames()
    subscribes = [f for f in d.history if isinstance(f, c.SendFrame) and '"subscribe"' in f.text]
    assert [f.text.count("reply_to") for f in subscribes] == [1, 0]
    assert sent[0]["type"] == "subscribe" and sent[0]["collection"] == "reactions"
    gap = sent[1]
    d.frame({"type": "items", "uid": gap["uid"], "data": []})
    read = d.frames()[-1]
    assert read["query"]["filter"] == {"message": {"_in": ["m1", "m2"]}}
    d.frame({"type": "items", "uid": read["uid"], "data": [reaction("r1", "m2")]})
    assert last(d, c.ReactionsChanged).messages == (
        ("m2", (c.Reaction(id="r1", message="m2", emoji="👍", user_id=BOB, user_name="Bob"),)),)
    d.drop()
    d.reconnect([item("m1"), item("m2")])
    assert sum('"reactions"' in f.text and '"subscribe"' in f.text for f in d.history
               if isinstance(f, c.SendFrame)) == 2  # one per socket


def test_an_edit_sends_the_new_text_and_its_reply_updates_the_message(driver):
    live(driver, [item("m1", "typo", user=ALICE, at=at(1))])
    driver.edit("m1", "  fixed  ")
    update = driver.frames()[-1]
    assert (update["action"], update["id"], update["data"]) == ("update", "m1",
                                                                {"content": "fixed"})
    assert last(driver, c.ChangesWaiting).message_ids == ("m1",)
    driver.frame({"type": "items", "uid": update["uid"],
                  "data": item("m1", "fixed", user=ALICE, at=at(1), updated=at(30))})
    message = driver.client.timeline.get("m1")
    assert message.content == "fixed" and message.updated is not None
    assert last(driver, c.ChangesWaiting).message_ids == ()


def test_only_own_stored_messages_can_be_changed_from_here(driver):
    live(driver, [item("m1", user=BOB, name="Bob")])
    with pytest.raises(ValueError):
        driver.edit("m1", "mine now")
    with pytest.raises(ValueError):
        driver.delete("m1")
    with pytest.raises(ValueError):
        driver.delete("not-loaded")
    assert driver.frames() == []


def test_an_edit_refused_forbidden_says_the_window_has_passed(driver):
    live(driver, [item("m1", user=ALICE)])
    driver.edit("m1", "late")
    driver.frames()
    driver.frame({"type": "items", "status": "error",
                  "error": {"code": "FORBIDDEN", "message": "You don't have permission"}})
    assert "no longer be changed" in notices(driver)[-1]
    assert "15 minutes" in notices(driver)[-1]
    assert driver.client.timeline.get("m1").content == "hi"
    assert last(driver, c.ChangesWaiting).message_ids == ()


def test_edits_and_deletes_made_offline_wait_and_go_once_after_the_catch_up(driver):
    live(driver, [item("m1", user=ALICE, at=at(1)), item("m2", user=ALICE, at=at(2))])
    driver.drop()
    driver.edit("m1", "first")
    driver.edit("m1", "second")  # replaces the first, which never went
    driver.delete("m2")
    assert driver.frames() == []
    driver.reconnect([item("m1", user=ALICE, at=at(1)), item("m2", user=ALICE, at=at(2))],
                     catch_up=[])
    reactions_read = driver.frames()
    assert [f.get("collection") for f in reactions_read] == ["reactions"]
    driver.frame({"type": "items", "uid": reactions_read[-1]["uid"], "data": []})
    edit = driver.frames()
    assert [(f["action"], f["id"]) for f in edit] == [("update", "m1")]
    assert edit[0]["data"] == {"content": "second"}
    driver.frame({"type": "items", "uid": edit[0]["uid"],
                  "data": item("m1", "second", user=ALICE, at=at(1), updated=at(9))})
    delete = driver.frames()
    assert [(f["action"], f["id"]) for f in delete] == [("delete", "m2")]
    driver.frame({"type": "items", "uid": delete[0]["uid"], "data": "m2"})
    assert [m.id for m in driver.client.timeline.messages()] == ["m1"]
    driver.advance(60)
    assert driver.frames() == []  # each went once


def test_a_delete_whose_answer_was_lost_is_not_reported_refused_when_sent_again(driver):
    live(driver, [item("m1", user=ALICE, at=at(1))])
    driver.delete("m1")
    assert driver.frames()[-1]["action"] == "delete"
    driver.drop()  # stored, but the answer went with the socket
    driver.reconnect([item("m0", user=ALICE, at=at(0)), item("m1", user=ALICE, at=at(1))],
                     catch_up=[])
    driver.frame({"type": "items", "uid": driver.frames()[-1]["uid"], "data": []})
    again = driver.frames()[-1]
    assert (again["action"], again["id"]) == ("delete", "m1")
    driver.frame({"type": "items", "status": "error", "error": {"code": "FORBIDDEN"}})
    assert notices(driver) == []


def test_a_change_to_a_message_deleted_meanwhile_is_dropped_unsent(driver):
    live(driver, [item("m1", user=ALICE, at=at(1)), item("m2", user=ALICE, at=at(2))])
    driver.drop()
    driver.edit("m1", "too late")
    driver.reconnect([item("m2", user=ALICE, at=at(2))], catch_up=[])  # m1 went meanwhile
    driver.frame({"type": "items", "uid": driver.frames()[-1]["uid"], "data": []})
    assert driver.frames() == [] and "m1" not in driver.client.timeline


def test_a_delete_event_removes_the_message_its_reactions_and_what_replies_quote(driver):
    live(driver, [item("m1", at=at(1)), item("m2", "re", at=at(2)) | {"reply_to": "m1"}],
         [reaction("r1", "m1")])
    driver.frame({"type": "subscription", "event": "delete", "uid": driver.sub_uid,
                  "data": ["m1"]})
    assert last(driver, c.TimelineChanged).removed == ("m1",)
    assert last(driver, c.ReactionsChanged).messages == (("m1", ()),)
    assert last(driver, c.QuotesChanged).quotes == (c.Quote(id="m1", deleted=True),)


def test_a_reply_names_its_original_and_quotes_of_originals_not_loaded_are_read_once(driver):
    live(driver, [item("m5", at=at(5))])
    reply_id = driver.send("agreed", reply_to="m5")
    create = driver.frames()[-1]
    assert create["data"]["reply_to"] == "m5"
    driver.frame({"type": "items", "uid": create["uid"],
                  "data": item(reply_id, "agreed", user=ALICE, at=at(5)) | {"reply_to": "m5"}})
    assert driver.frames() == []  # the original is loaded: nothing to read
    driver.frame({"type": "subscription", "event": "create", "uid": driver.sub_uid,
                  "data": [item("m6", at=at(6)) | {"reply_to": "old"},
                           item("m7", at=at(7)) | {"reply_to": "gone"}]})
    read = driver.frames()[-1]
    assert read["query"]["filter"] == {"id": {"_in": ["gone", "old"]}}
    driver.frame({"type": "items", "uid": read["uid"],
                  "data": [item("old", "the start of it", name="Carol", at=at(0))]})
    assert set(last(driver, c.QuotesChanged).quotes) == {
        c.Quote(id="old", author="Carol", content="the start of it"),
        c.Quote(id="gone", deleted=True)}
    assert "old" not in driver.client.timeline  # a quote is not history
    driver.frame({"type": "subscription", "event": "create", "uid": driver.sub_uid,
                  "data": [item("m8", at=at(8)) | {"reply_to": "old"}]})
    assert driver.frames() == []  # known already


def test_reactions_toggle_per_user_and_a_duplicate_counts_as_done(driver):
    live(driver, [item("m1")])
    driver.react("m1", "🎉")
    create = driver.frames()[-1]
    assert (create["collection"], create["action"], create["data"]) == (
        "reactions", "create", {"message": "m1", "emoji": "🎉"})
    driver.frame({"type": "items", "uid": create["uid"],
                  "data": reaction("r9", "m1", "🎉", user=ALICE, name="Alice")})
    driver.react("m1", "🎉")  # off again
    delete = driver.frames()[-1]
    assert (delete["collection"], delete["action"], delete["id"]) == (
        "reactions", "delete", "r9")
    driver.frame({"type": "items", "uid": delete["uid"], "data": "r9"})
    assert driver.client._talk.reactions.of("m1") == ()
    driver.react("m1", "👍")
    driver.frames()
    driver.frame({"type": "items", "status": "error",
                  "error": {"code": "RECORD_NOT_UNIQUE", "extensions": {"field": "key"}}})
    assert notices(driver) == []
    with pytest.raises(ValueError):
        driver.react("m1", "<b>")  # not one of the field's choices


def test_a_toggle_made_twice_offline_sends_nothing(driver):
    live(driver, [item("m1")])
    driver.drop()
    driver.react("m1", "👍")
    driver.react("m1", "👍")
    driver.reconnect([item("m1")], catch_up=[])
    driver.frame({"type": "items", "uid": driver.frames()[-1]["uid"], "data": []})
    assert driver.frames() == []


def test_reaction_events_of_others_arrive_live(driver):
    live(driver, [item("m1")])
    uid = next(f for f in driver.history if isinstance(f, c.SendFrame)
               and '"collection":"reactions"' in f.text and '"subscribe"' in f.text)
    sub_uid = __import__("json").loads(uid.text)["uid"]
    driver.frame({"type": "subscription", "event": "create", "uid": sub_uid,
                  "data": [reaction("r1", "m1", "❤️")]})
    assert [r.emoji for r in last(driver, c.ReactionsChanged).messages[0][1]] == ["❤️"]
    driver.frame({"type": "subscription", "event": "delete", "uid": sub_uid, "data": ["r1"]})
    assert last(driver, c.ReactionsChanged).messages == (("m1", ()),)
    assert [m.id for m in driver.client.timeline.messages()] == ["m1"]  # not a message event


def permissions_rule(window: str | None) -> dict:
    rule = [{"user_created": {"_eq": "$CURRENT_USER"}}]
    if window is not None:
        rule.append({"date_created": {"_gte": window}})
    return {"data": [{"collection": "messages", "action": action,
                      "permissions": {"_and": rule}} for action in ("update", "delete")]}


@pytest.mark.parametrize(("rule", "window"), [
    ("$NOW(-15 minutes)", 900), ("$NOW(-60 minutes)", 3600), ("$NOW(-2 hours)", 7200),
    (None, None)])
def test_the_edit_window_is_read_once_from_the_servers_update_rule(rule, window):
    d = with_features()
    d.sign_in_and_connect([item("m1", user=ALICE)])
    [ask] = [a for a in d.history if isinstance(a, c.HttpRequest)
             and a.path.startswith("/permissions?")]
    assert ask.method is c.Method.GET and ask.token  # the bearer, never in the path
    assert d.client.features.edit_window == 900  # the default until it is answered
    d.http_response(ask.id, 200, permissions_rule(rule))
    assert d.client.features.edit_window == window
    message = d.client.timeline.get("m1")
    assert d.client.features.changeable(message, ALICE, message.created + 3000) is (
        window is None or window > 3000)
    assert not d.client.features.changeable(message, BOB, message.created)


def test_without_edit_or_delete_the_window_is_not_asked_for():
    d = Driver()
    d.sign_in_and_connect()
    assert not [a for a in d.history if isinstance(a, c.HttpRequest)
                and a.path.startswith("/permissions?")]


def test_a_toggle_while_the_add_is_in_flight_removes_it_once_the_add_is_answered(driver):
    live(driver, [item("m1")])
    driver.react("m1", "🎉")
    create = driver.frames()[-1]
    driver.react("m1", "🎉")  # off, before the add is answered
    assert driver.frames() == []
    driver.frame({"type": "items", "uid": create["uid"],
                  "data": reaction("r5", "m1", "🎉", user=ALICE, name="Alice")})
    delete = driver.frames()[-1]
    assert (delete["action"], delete["id"]) == ("delete", "r5")
    driver.frame({"type": "items", "uid": delete["uid"], "data": "r5"})
    assert driver.client._talk.reactions.of("m1") == ()


def test_a_quote_of_an_original_not_loaded_brings_it_in_reading_older_history(driver):
    live(driver, [item("m5", at=at(5))])
    driver.frame({"type": "subscription", "event": "create", "uid": driver.sub_uid,
                  "data": [item("m6", at=at(6)) | {"reply_to": "old"}]})
    quotes = driver.frames()[-1]
    driver.frame({"type": "items", "uid": quotes["uid"],
                  "data": [item("old", "long ago", name="Carol", at=at(0))]})
    driver.show_original("old")
    older = driver.frames()[-1]
    assert older["action"] == "read" and "_or" in older["query"]["filter"]  # scrollback
    driver.frame({"type": "items", "uid": older["uid"],
                  "data": [item("old", "long ago", name="Carol", at=at(0))]})
    assert "old" in driver.client.timeline
    assert last(driver, c.ShowMessage).message_id == "old"
    with pytest.raises(ValueError):
        driver.show_original("never-seen")

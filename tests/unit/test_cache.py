"""chat.cache keeps a kept session's newest messages per Directus and user, gives back
only what it can trust, and forgets them with the session."""

import json

from chat.cache import KEEP, MessageCache
from chat.core import Message

URL = "http://directus.test"


class Storage:
    """localStorage's interface over a dict; `full` makes setItem refuse, as a full
    browser storage does."""

    def __init__(self) -> None:
        self.items: dict[str, str] = {}
        self.full = False

    def getItem(self, key):  # noqa: N802 (the browser's names)
        return self.items.get(key)

    def setItem(self, key, value):  # noqa: N802
        if self.full:
            raise RuntimeError("QuotaExceededError")
        self.items[key] = value

    def removeItem(self, key):  # noqa: N802
        self.items.pop(key, None)


def msg(i: int, user: str = "u-alice") -> Message:
    return Message(id=f"m{i}", content=f"message {i}", created=1000.0 + i, user_id=user,
                   user_name="Alice")


def test_the_newest_messages_come_back_for_the_user_of_the_kept_session():
    cache = MessageCache(Storage(), URL)
    assert cache.last_user() is None and cache.load(None) == []
    messages = [msg(i) for i in range(KEEP + 20)]
    cache.save("u-alice", messages)
    assert cache.last_user() == "u-alice"
    assert cache.load("u-alice") == messages[-KEEP:]
    assert cache.load("u-bob") == []


def test_another_user_s_session_replaces_the_first_one_s_messages():
    storage = Storage()
    cache = MessageCache(storage, URL)
    cache.save("u-alice", [msg(1)])
    cache.save("u-bob", [msg(2, "u-bob")])
    assert cache.last_user() == "u-bob" and cache.load("u-alice") == []
    assert not any("u-alice" in key for key in storage.items)


def test_forget_leaves_nothing_of_the_session():
    storage = Storage()
    cache = MessageCache(storage, URL)
    cache.save("u-alice", [msg(1)])
    storage.items["other app"] = "kept"
    cache.forget()
    assert storage.items == {"other app": "kept"}
    assert cache.last_user() is None and cache.load("u-alice") == []


def test_each_directus_has_its_own_entry():
    storage = Storage()
    MessageCache(storage, URL).save("u-alice", [msg(1)])
    other = MessageCache(storage, "http://other.test")
    assert other.last_user() is None and other.load("u-alice") == []


def test_a_full_storage_keeps_what_it_had():
    storage = Storage()
    cache = MessageCache(storage, URL)
    cache.save("u-alice", [msg(1)])
    storage.full = True
    cache.save("u-alice", [msg(1), msg(2)])
    assert cache.load("u-alice") == [msg(1)]


def test_damaged_or_foreign_entries_give_nothing_and_never_raise():
    storage = Storage()
    cache = MessageCache(storage, URL)
    key = f"chat.messages {URL} u-alice"
    good = {"id": "m1", "content": "hi", "created": 1.0, "updated": None, "user_id": "u",
            "user_name": None, "client_id": None, "user_avatar": None, "mentions": []}
    for text in ("not json", "[]", json.dumps({"version": 99, "messages": [good]}),
                 json.dumps({"version": 1, "messages": "nope"})):
        storage.items[key] = text
        assert cache.load("u-alice") == []
    bad_rows = [{**good, "content": 5}, {**good, "created": "1"}, {**good, "created": True},
                {**good, "extra": 1}, {**good, "mentions": "u-bob"}, {**good, "mentions": [1]},
                {**good, "user_avatar": 7}, {"id": "m1"}, "m1", None]
    storage.items[key] = json.dumps({"version": 1, "messages": [good, *bad_rows]})
    assert cache.load("u-alice") == [Message(id="m1", content="hi", created=1.0, user_id="u")]


def test_integer_ids_and_client_ids_are_kept_as_they_are():
    cache = MessageCache(Storage(), URL)
    kept = [Message(id=7, content="hi", created=1.0, client_id="0f6a9d1e"),
            Message(id=8, content="ho", created=2.0)]
    cache.save("u-alice", kept)
    assert cache.load("u-alice") == kept

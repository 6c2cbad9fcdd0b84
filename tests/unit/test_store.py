"""chat/store.py: the outbox and the draft kept per user and page in a Web Storage."""

from chat.core import OutboxState, Outgoing
from chat.store import DraftStore, OutboxStore

URL = "http://directus.test"


class Storage:
    """The Web Storage methods over a dict, as localStorage has them."""

    def __init__(self) -> None:
        self.items: dict[str, str] = {}
        self.full = False

    @property
    def length(self) -> int:
        return len(self.items)

    def key(self, index: int):
        return list(self.items)[index] if index < len(self.items) else None

    def getItem(self, key: str):  # noqa: N802 (the Web Storage name)
        return self.items.get(key)

    def setItem(self, key: str, value: str) -> None:  # noqa: N802
        if self.full:
            raise RuntimeError("QuotaExceededError")
        self.items[key] = value

    def removeItem(self, key: str) -> None:  # noqa: N802
        self.items.pop(key, None)


def entry(message_id: str, state=OutboxState.PENDING, error=None) -> Outgoing:
    return Outgoing(id=message_id, content=f"text of {message_id}", state=state, error=error)


def test_an_outbox_comes_back_whole_to_its_user_and_only_once():
    storage = Storage()
    kept = [entry("m1"), entry("m2", OutboxState.SENDING),
            entry("m3", OutboxState.FAILED, "Not sent: refused")]
    OutboxStore(storage, URL, "tab-1").save("u-alice", kept)
    later = OutboxStore(storage, URL, "tab-2")
    assert later.tabs("u-alice") == ["tab-1"]
    assert later.tabs("u-bob") == []
    back = later.take("u-alice", "tab-1")
    assert back == [entry("m1"), entry("m2"),  # sending again waits: nothing is lost
                    entry("m3", OutboxState.FAILED, "Not sent: refused")]
    assert later.take("u-alice", "tab-1") == [] and later.tabs("u-alice") == []


def test_each_page_keeps_its_own_outbox_and_an_empty_one_leaves_nothing():
    storage = Storage()
    one, two = OutboxStore(storage, URL, "tab-1"), OutboxStore(storage, URL, "tab-2")
    one.save("u-alice", [entry("m1")])
    two.save("u-alice", [entry("m2")])
    assert one.tabs("u-alice") == ["tab-1", "tab-2"]
    one.save("u-alice", [])
    assert one.tabs("u-alice") == ["tab-2"]


def test_another_directus_or_a_damaged_entry_gives_nothing():
    storage = Storage()
    OutboxStore(storage, "http://elsewhere.test", "tab-1").save("u-alice", [entry("m1")])
    store = OutboxStore(storage, URL, "tab-2")
    assert store.tabs("u-alice") == []
    for text in ("not json", '{"version": 2, "entries": []}', '{"version": 1}',
                 '{"version": 1, "entries": [{"id": 5, "content": "x"}, "row"]}'):
        storage.items[f"chat.outbox {URL} u-alice tab-9"] = text
        assert store.take("u-alice", "tab-9") == []


def test_a_full_storage_keeps_what_it_had():
    storage = Storage()
    store = OutboxStore(storage, URL, "tab-1")
    store.save("u-alice", [entry("m1")])
    storage.full = True
    store.save("u-alice", [entry("m1"), entry("m2")])
    assert [e.id for e in store.take("u-alice", "tab-1")] == ["m1"]


def test_drafts_are_kept_per_user():
    storage = Storage()
    drafts = DraftStore(storage, URL)
    drafts.save("u-alice", "half a thought")
    assert drafts.load("u-alice") == "half a thought" and drafts.load("u-bob") == ""
    drafts.save("u-alice", "   ")  # emptied: nothing kept
    assert drafts.load("u-alice") == "" and storage.items == {}
    drafts.save("u-bob", "bob's")
    drafts.forget("u-bob")
    assert storage.items == {}


def test_a_draft_kept_by_the_other_kind_of_session_is_found_and_moves_when_typed_on():
    device, tab = Storage(), Storage()
    DraftStore(device, URL).save("u-alice", "typed while kept signed in")
    drafts = DraftStore(tab, URL, other=device)  # signed in again, for this tab only
    assert drafts.load("u-alice") == "typed while kept signed in"
    drafts.save("u-alice", "typed on")
    assert device.items == {} and list(tab.items.values()) == ["typed on"]
    drafts.forget("u-alice")
    assert tab.items == {}

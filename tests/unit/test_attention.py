"""chat/ui/attention.py: which new messages notify, and their preview."""

from chat.core.protocol import Message
from chat.ui.attention import Settings, preview, should_notify

ON = Settings(on=True)
MUTED = Settings(on=True, everything=False)


def message(user="u-bob", mentions=()) -> Message:
    return Message(id="m1", content="hi", created=1.0, user_id=user, user_name="Bob",
                      mentions=mentions)


def test_only_after_opting_in_only_while_hidden_never_for_own():
    assert should_notify(message(), user_id="u-alice", settings=ON, hidden=True)
    assert not should_notify(message(), user_id="u-alice", settings=Settings(), hidden=True)
    assert not should_notify(message(), user_id="u-alice", settings=ON, hidden=False)
    assert not should_notify(message(user="u-alice"), user_id="u-alice", settings=ON,
                             hidden=True)


def test_muted_others_still_notify_mentions_of_the_user():
    assert not should_notify(message(), user_id="u-alice", settings=MUTED, hidden=True)
    assert should_notify(message(mentions=("u-carol", "u-alice")), user_id="u-alice",
                         settings=MUTED, hidden=True)
    assert not should_notify(message(mentions=("u-carol",)), user_id="u-alice",
                             settings=MUTED, hidden=True)


def test_the_preview_is_one_short_line():
    assert preview("two\nlines") == "two lines"
    long = preview("x" * 500)
    assert len(long) == 120 and long.endswith("…")

"""No password or token in any repr of what the core hands out, in logs of it, or in
pytest's report of a failed comparison."""

from __future__ import annotations

import logging
import pprint
import subprocess
import sys
import textwrap
import typing

from chat import core as c

from .driver import WITH_PEOPLE, Driver, item, token
from .test_conversation import FEATURE_FIELDS, FEATURE_PERMISSIONS

PASSWORD = "hunter2-password"


def session_with_every_secret() -> tuple[Driver, list[str]]:
    """Sign in, refresh, edit, send (into the rate limit), sign out: every kind of action and
    event goes through, with every password and token. Returns the driver and the
    secrets it saw."""
    features = FEATURE_PERMISSIONS["data"]
    d = Driver(fields={"data": [*FEATURE_FIELDS["data"], *WITH_PEOPLE["fields"]["data"][-1:]]},
               permissions={"data": {
                   **features, **WITH_PEOPLE["permissions"]["data"],
                   "messages": {**features["messages"], "create": {
                       "access": "full", "fields": ["content", "id", "mentions", "reply_to"]}}}})
    d.sign_in("alice@example.com", PASSWORD)
    d.answer_http(200, d.tokens_body())
    d.connect(history=[item("m1", "hello", user="u-alice") | {"reply_to": "m0"}])
    d.frame({"type": "items", "uid": d.frames()[-1]["uid"], "data": [  # reactions
        {"id": "r1", "message": "m1", "emoji": "👍", "user_created": "u-bob"}]})
    d.frame({"type": "items", "uid": d.frames()[-1]["uid"], "data": []})  # quotes
    d.read_up_to("m1")
    d.ask("find", "hello")  # search, open a hit, reach the first message
    d.answer_read([item("m1", "hello", user="u-alice")])
    d.ask("open_hit", "m1")
    d.answer_read([])
    d.advance(720)  # the refresh falls due
    d.answer_http(200, d.tokens_body())
    d.edit("m1", "changed")
    d.send("hello")
    d.frame({"type": "server", "status": "error", "error": {"code": "REQUESTS_EXCEEDED"}})
    d.sign_out()
    secrets = [PASSWORD, token("u-alice", 1), token("u-alice", 2), "refresh-1", "refresh-2"]
    return d, secrets


def test_every_action_and_event_carrying_a_secret_has_a_masked_repr(caplog):
    d, secrets = session_with_every_secret()
    carriers = [x for x in d.history + d.events if any(s in str(vars(x)) for s in secrets)]
    kinds = {type(x) for x in carriers}
    assert kinds == {c.HttpRequest, c.SendFrame, c.SaveSession}, kinds
    paths = {x.path for x in carriers if isinstance(x, c.HttpRequest)}
    # The schema's questions, the people's read and the edit window's carry the access
    # token as their bearer.
    assert {p.partition("?")[0] for p in paths} == {
        "/auth/login", "/auth/refresh", "/auth/logout", "/fields/messages",
        "/permissions/me", "/users", "/permissions"}
    caplog.set_level(logging.DEBUG)
    for x in carriers:
        logging.getLogger("chat").info("did %s, %r", x, x)
    shown = "\n".join([repr(x) for x in carriers] + [str(x) for x in carriers]
                      + [f"{x}" for x in carriers] + [pprint.pformat(carriers), caplog.text])
    for secret in secrets:
        assert secret not in shown
    # What is not secret still shows, to debug with.
    assert "/auth/login" in shown and "alice@example.com" in shown and '"type":"auth"' in shown


def test_no_kind_of_action_or_event_shows_a_secret():
    d, secrets = session_with_every_secret()
    everything = d.history + d.events
    kinds = set(typing.get_args(c.Action)) | set(typing.get_args(c.Event))
    assert {type(x) for x in everything} == kinds  # a new kind must come through here
    shown = "\n".join(repr(x) + str(x) for x in everything)
    for secret in secrets:
        assert secret not in shown


def test_masked_actions_still_compare_by_value():
    d, _ = session_with_every_secret()
    for x in d.history + d.events:
        assert x == type(x)(**vars(x))
    assert c.SendFrame(conn=1, text="a") != c.SendFrame(conn=1, text="b")
    assert c.SaveSession(refresh_token="x") != c.SaveSession(refresh_token="y")


def test_a_failed_comparison_in_pytest_does_not_print_the_secrets(tmp_path):
    test = tmp_path / "test_leak.py"
    # The objects come from calls, as actions do in the tests: pytest then names the
    # call instead of quoting source text.
    test.write_text(textwrap.dedent(f"""
        from chat.core import HttpRequest, SaveSession, SendFrame

        def frame(t):
            return SendFrame(conn=1, text='{{"type":"auth","access_token":"tok-' + t + '"}}')

        def login(t):
            return HttpRequest(id=1, path="/auth/login",
                               body={{"password": "{PASSWORD}"[:-1] + t}})

        def saved(t):
            return SaveSession(refresh_token="rt-" + t)

        def test_frame():
            assert frame("A") == frame("B")

        def test_request():
            assert login("d") == login("x")

        def test_saved():
            assert saved("A") == saved("B")
    """))
    result = subprocess.run([sys.executable, "-m", "pytest", "-vv", "-p", "no:cacheprovider",
                             str(test)], capture_output=True, text=True, cwd=tmp_path,
                            env={"PYTHONPATH": str(c.__file__).rsplit("/chat/", 1)[0]})
    assert "3 failed" in result.stdout, result.stdout + result.stderr
    # pytest's explanations (its "E" lines); the source lines it quotes are the test's own.
    explained = "\n".join(line for line in result.stdout.splitlines() if line.startswith("E "))
    assert "SendFrame(" in explained and "HttpRequest(" in explained
    for secret in ("tok-A", "tok-B", PASSWORD, "rt-A", "rt-B"):
        assert secret not in explained, explained

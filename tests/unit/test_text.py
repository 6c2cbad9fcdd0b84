"""Message text as parts: only http(s) URLs become links, only picked names mentions."""

from __future__ import annotations

import json

import pytest

from chat.ui.text import Kind, Part, encoded, parts


def kinds(text, names=None):
    return [(p.kind, p.text, p.value) for p in parts(text, names)]


def test_http_and_https_urls_become_links_without_the_sentence_punctuation():
    assert kinds("see https://x.org/a?b=1#c. and http://y.io, ok") == [
        (Kind.TEXT, "see ", ""), (Kind.LINK, "https://x.org/a?b=1#c", "https://x.org/a?b=1#c"),
        (Kind.TEXT, ". and ", ""), (Kind.LINK, "http://y.io", "http://y.io"),
        (Kind.TEXT, ", ok", "")]


def test_a_closing_bracket_stays_only_if_the_url_opened_it():
    wiki = "https://en.wikipedia.org/wiki/Foo_(bar)"
    assert kinds(f"({wiki})")[1] == (Kind.LINK, wiki, wiki)
    assert kinds("(https://x.org)")[1][1] == "https://x.org"


@pytest.mark.parametrize("text", [
    "javascript:alert(1)", "JAVASCRIPT://%0aalert(1)", "data:text/html,<script>x</script>",
    "ftp://x.org", "![img](x.png)", "www.x.org",
    "vbscript:msgbox", "https://", "<script>alert(1)</script>",
])
def test_nothing_else_is_interpreted(text):
    assert parts(text) == [Part(Kind.TEXT, text)]
    assert encoded(parts(text)) == ""


def test_html_around_a_link_stays_text_and_quotes_end_the_url():
    got = kinds('<a href="https://evil.example/x" onclick="go()">')
    assert (Kind.LINK, "https://evil.example/x", "https://evil.example/x") in got
    assert "".join(t for _, t, _ in got) == '<a href="https://evil.example/x" onclick="go()">'


def test_a_markdown_image_is_not_an_image_but_its_url_is_a_link():
    got = kinds("![pic](https://x.org/p.png)")
    assert got[0] == (Kind.TEXT, "![pic](", "")
    assert got[1][0] is Kind.LINK and got[1][1] == "https://x.org/p.png"


def test_mentions_are_the_picked_names_only_and_unknown_names_stay_text():
    names = {"u-bob": "Bob", "u-ann": "Ann", "u-anna": "Anna"}
    assert kinds("@Bob hi @Carol and @Anna, @Ann! mail bob@Bob.org @Bobby", names) == [
        (Kind.MENTION, "@Bob", "u-bob"), (Kind.TEXT, " hi @Carol and ", ""),
        (Kind.MENTION, "@Anna", "u-anna"), (Kind.TEXT, ", ", ""),
        (Kind.MENTION, "@Ann", "u-ann"), (Kind.TEXT, "! mail bob@Bob.org @Bobby", "")]
    assert kinds("@Bob hi") == [(Kind.TEXT, "@Bob hi", "")]  # not in mentions


def test_the_parts_join_back_to_the_text_and_encode_for_dom_js():
    text = "@Bob look https://x.org/é 🎉"
    got = parts(text, {"u-bob": "Bob"})
    assert "".join(p.text for p in got) == text
    assert json.loads(encoded(got)) == [["m", "@Bob", "u-bob"], ["t", " look ", ""],
                                        ["a", "https://x.org/é", "https://x.org/é"],
                                        ["t", " 🎉", ""]]
    assert encoded(parts("plain")) == "" and parts("") == [Part(Kind.TEXT, "")]

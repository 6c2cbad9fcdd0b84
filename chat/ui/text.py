"""A message's text as parts to draw: plain text, links and mentions. Pure (no js), so it
is unit-tested in CPython; static/dom.js turns the parts into text nodes, ``<a>`` and
``<span>``, never into HTML.

Only ``http://`` and ``https://`` URLs become links; nothing else in a message is
interpreted (no HTML, no markdown, no other scheme). A mention is an ``@`` followed by
the first name of one of the message's ``mentions`` (user ids stored with it): a name
typed without picking its person stays plain text::

    parts("hi @Bob, see https://x.org.", {"u-bob": "Bob"})
    -> [Part(TEXT, "hi "), Part(MENTION, "@Bob", "u-bob"), Part(TEXT, ", see "),
        Part(LINK, "https://x.org", "https://x.org"), Part(TEXT, ".")]
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import Enum

# A URL runs to the next space or a character that cannot be in one unescaped.
_URL = re.compile(r"\bhttps?://[^\s<>\"'`\\]+", re.IGNORECASE)
_TRAILING = ".,;:!?*'\""  # punctuation after a URL, not part of it
_CLOSERS = {")": "(", "]": "[", "}": "{"}


class Kind(Enum):
    TEXT = "t"
    LINK = "a"
    MENTION = "m"


@dataclass(frozen=True)
class Part:
    kind: Kind
    text: str
    value: str = ""  # LINK: the address; MENTION: the user's id


def _trim(url: str) -> str:
    """``url`` without the punctuation that ends the sentence around it; a closing
    bracket stays only if the URL opened it (Wikipedia's "Foo_(bar)")."""
    while url:
        last = url[-1]
        if last in _TRAILING:
            url = url[:-1]
        elif last in _CLOSERS and url.count(_CLOSERS[last]) < url.count(last):
            url = url[:-1]
        else:
            break
    return url


def links(text: str) -> list[tuple[int, int]]:
    """(start, end) of each http(s) URL in ``text``, in order."""
    spans = []
    for match in _URL.finditer(text):
        url = _trim(match.group())
        if len(url) > url.index("//") + 2:  # something after the scheme
            spans.append((match.start(), match.start() + len(url)))
    return spans


def mentions(text: str, names: dict[str, str]) -> list[tuple[int, int, str]]:
    """(start, end, user id) of each ``@Name`` in ``text`` for the given ids' names
    (the longest name first where one starts another: "@Anna" over "@Ann")."""
    found: list[tuple[int, int, str]] = []
    by_length = sorted(((n, i) for i, n in names.items() if n), key=lambda p: -len(p[0]))
    for name, user_id in by_length:
        pattern = re.compile(r"(?<![\w@])@" + re.escape(name) + r"(?!\w)")
        for match in pattern.finditer(text):
            start, end = match.span()
            if all(end <= s or start >= e for s, e, _ in found):
                found.append((start, end, user_id))
    return sorted(found)


def parts(text: str, names: dict[str, str] | None = None) -> list[Part]:
    """The parts of ``text``: links, mentions of ``names`` (id -> first name), text."""
    spans: list[tuple[int, int, Part]] = []
    for start, end in links(text):
        url = text[start:end]
        spans.append((start, end, Part(Kind.LINK, url, url)))
    for start, end, user_id in mentions(text, names or {}):
        if all(end <= s or start >= e for s, e, _ in spans):  # a link wins
            spans.append((start, end, Part(Kind.MENTION, text[start:end], user_id)))
    result, at = [], 0
    for start, end, part in sorted(spans, key=lambda s: s[0]):
        if start > at:
            result.append(Part(Kind.TEXT, text[at:start]))
        result.append(part)
        at = end
    if at < len(text) or not result:
        result.append(Part(Kind.TEXT, text[at:]))
    return result


def encoded(parts_: list[Part]) -> str:
    """The parts for static/dom.js: "" when it is all plain text (drawn as one text
    node), else JSON ``[[kind, text, value], ...]``."""
    if all(p.kind is Kind.TEXT for p in parts_):
        return ""
    return json.dumps([[p.kind.value, p.text, p.value] for p in parts_], ensure_ascii=False)

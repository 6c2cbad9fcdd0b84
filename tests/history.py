"""The queries a client sends for scrollback and search (docs/SCHEMA.md), for the tests:

    page = older_than(loaded)        # the filter of the page before the messages loaded
    search_filter("50% off")         # the server-side part of a search for that text
    matches("50% off", content)      # the client-side check each hit must also pass
"""

from __future__ import annotations

import re

from tests.wire import ask, rest, socket

NEWEST_FIRST = ["-date_created", "-id"]
PAGE = 50


def older_than(loaded: list[dict]) -> dict:
    """Messages before those `loaded` (newest first, as pages come), in the history's order
    (date_created, then id), for a query sorted NEWEST_FIRST: the keyset of scrollback.
    The tie-break excludes the ids already loaded at the oldest date rather than asking for
    smaller ids, as Directus refuses `_lt` on a uuid (INVALID_QUERY: "uuid" field type does
    not contain the "_lt" filter operator); so the same filter serves integer and uuid ids,
    the values going back exactly as the server sent them."""
    date = loaded[-1]["date_created"]
    seen = [m["id"] for m in loaded if m["date_created"] == date]
    return {"_or": [{"date_created": {"_lt": date}},
                    {"_and": [{"date_created": {"_eq": date}}, {"id": {"_nin": seen}}]}]}


# Values Directus turns into something else in any filter (utils/shared parseFilter):
# these three become true, false and null, and a value starting with $NOW or $CURRENT_...
# a date or the user's id (lower case never does).
_COERCED = ("null", "true", "false")


def search_filter(text: str) -> dict | None:
    """The server-side part of a search for `text` in content: case-insensitive, every
    piece between the characters LIKE treats specially (% and _ anywhere, backslash on
    PostgreSQL), lower-cased, with "null", "true" and "false" capitalised so that Directus
    keeps them text. None when nothing is left (then every message is a candidate)."""
    pieces = [p for p in re.split(r"[%_\\]+", text.lower()) if p]
    parts = [{"content": {"_icontains": p.capitalize() if p in _COERCED else p}}
             for p in pieces]
    return None if not parts else parts[0] if len(parts) == 1 else {"_and": parts}


def matches(text: str, content: str) -> bool:
    """The client-side check of a hit: the server's answer is a superset."""
    return text.lower() in content.lower()


# What the integration tests use to prove them against a real Directus.

FIELDS = ["id", "content", "date_created"]


def read(ws, query_filter, limit=PAGE):
    reply = ask(ws, {"type": "items", "collection": "messages", "action": "read", "uid": "h",
                     "query": {"filter": query_filter, "sort": NEWEST_FIRST, "limit": limit,
                               "fields": FIELDS}})
    if reply.get("status") == "error":
        return reply["error"]["code"]
    return reply["data"]


def all_pages(ws, base_filter, limit=PAGE):
    """Every message matching `base_filter`, page by page, newest first."""
    pages, query_filter = [], base_filter
    while True:
        page = read(ws, query_filter, limit)
        assert isinstance(page, list), page
        if not page:
            return pages
        pages.append(page)
        query_filter = {"_and": [base_filter, older_than([m for p in pages for m in p])]}


def post_many(directus, token, contents) -> list[str]:
    status, body = rest(directus, "POST", "/items/messages",
                        [{"content": c} for c in contents], token)
    assert status == 200
    by_content = {m["content"]: m["id"] for m in body["data"]}  # (the reply is by id)
    return [by_content[c] for c in contents]


def same_date(directus, ids, source_id) -> None:
    """Give messages `ids` the date_created of `source_id` (as the admin): a tie."""
    date = rest(directus, "GET", f"/items/messages/{source_id}", token=directus.admin_token
                )[1]["data"]["date_created"]
    status, _ = rest(directus, "PATCH", "/items/messages",
                     {"keys": ids, "data": {"date_created": date}}, directus.admin_token)
    assert status == 200


def check_scrollback(directus, token, tag: str) -> None:
    """120 messages, 21 of them one instant across the first page boundary: pages of 50
    reach the first message, each message once, in the server's order."""
    ids = post_many(directus, token, [f"{tag} {n}" for n in range(120)])
    same_date(directus, ids[59:80], ids[69])  # newest-first places 40 to 60 (about)
    base = {"content": {"_starts_with": tag}}
    with socket(directus, token) as ws:
        pages = all_pages(ws, base)
        whole = read(ws, base, limit=-1)
    assert [len(p) for p in pages] == [50, 50, 20]
    assert [m["id"] for p in pages for m in p] == [m["id"] for m in whole]
    assert sorted(m["id"] for m in whole) == sorted(ids)
    tied = {m["id"] for m in pages[0] + pages[1]
            if m["date_created"] == pages[0][-1]["date_created"]}
    assert tied >= set(ids[59:80]) and pages[1][0]["id"] in tied  # it straddles the boundary

"""Several tabs of one browser, coordinated through Web Locks (page-only).

- Each page holds a lock of its own (``chat.tab <url> <tab id>``) for as long as it
  lives, so another page can tell whether the page that kept an outbox is gone: it
  takes that outbox over only if it gets the lock (``take_over``), which two pages
  cannot both do.
- Refreshing the kept session is done under one lock shared by all tabs
  (``refreshing``): the refresh token is single-use and rotated by every refresh, so
  only one tab refreshes at a time, and with the newest token kept (the adapter reads
  it once it holds the lock). The others learn the new token from the storage event
  (chat.browser feeds ``session_elsewhere``).

Without Web Locks (an old browser, a page not in a secure context) the work is done at
once, as a single tab would.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable

import js
from pyodide.ffi import create_once_callable
from pyscript.ffi import is_none, to_js


def _locks():
    return getattr(js.navigator, "locks", None)


class Tabs:
    def __init__(self, directus_url: str) -> None:
        self.id = str(uuid.uuid4())
        self._tab_prefix = f"chat.tab {directus_url} "
        self._refresh_lock = f"chat.refresh {directus_url}"
        locks = _locks()
        if locks is not None:  # held until the page goes: a promise that never settles
            forever = js.Promise.new(create_once_callable(lambda resolve, reject: None))
            locks.request(self._tab_prefix + self.id, create_once_callable(lambda lock: forever))

    async def take_over(self, tab_id: str, work: Callable[[], None]) -> None:
        """Run ``work`` (synchronous) if page ``tab_id`` is this one or gone, while
        holding its lock; skip it if that page is still open."""
        locks = _locks()
        if tab_id == self.id or locks is None:
            work()
            return

        def held(lock):
            if not is_none(lock):
                work()

        await locks.request(self._tab_prefix + tab_id,
                            to_js({"ifAvailable": True}, dict_converter=js.Object.fromEntries),
                            create_once_callable(held))

    async def refreshing(self, work: Callable[[], Awaitable[None]]) -> None:
        """Run ``work`` while holding the lock all tabs refresh under."""
        locks = _locks()
        if locks is None:
            await work()
            return

        def held(lock):
            def executor(resolve, reject):
                task = asyncio.ensure_future(work())
                task.add_done_callback(lambda done: resolve())
            return js.Promise.new(create_once_callable(executor))

        await locks.request(self._refresh_lock, create_once_callable(held))

"""The browser adapter: feeds the chat core from the page's I/O and does what it asks.

    config = await load_config()
    app = App(config)
    app.start(View(app, max_length=config.max_length))

Sockets are the browser's own ``WebSocket`` with handlers we attach and destroy
ourselves (chat.sockets); REST goes through ``fetch`` with a timeout (chat.rest); timers
are asyncio's ``call_later``. Every handler is synchronous: it feeds the core through the
adapter loop (chat.loop), which performs the actions with the effect methods below and
hands the events to the view. The refresh token is written to localStorage only when the
user ticked "stay signed in"; so are, then, the newest messages seen (chat.cache), shown
on the next visit until the live history replaces them, and forgotten with the session.
Several tabs kept signed in refresh the session one at a time, with the newest token
(chat.tabs), and follow each other through storage events. The outbox and the draft are
kept per user in the browser (chat.store): in localStorage with "stay signed in", else
in the tab's sessionStorage; what a closed page left is sent after the next sign-in of
the same user, by one page only.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid
from dataclasses import replace

import js
from pyscript.ffi import create_proxy

from chat.cache import MessageCache
from chat.core import (
    SIGNED_IN,
    CancelTimer,
    ChatClient,
    CloseSocket,
    Config,
    Features,
    HttpRequest,
    InvalidState,
    OpenSocket,
    OutboxChanged,
    Phase,
    PhaseChanged,
    ReadPositionChanged,
    SaveSession,
    SendFrame,
    SetTimer,
    TimelineChanged,
)
from chat.loop import AsyncioTimers, Loop
from chat.rest import Rest, options
from chat.sockets import Sockets
from chat.store import DraftStore, NotifyStore, OutboxStore, PositionStore
from chat.tabs import Tabs

DEFAULT_URL = "http://127.0.0.1:8055"  # what `make run` starts
KEEP_AFTER = 2.0  # seconds: the messages seen are written to the cache at most this often

log = logging.getLogger("chat")


async def load_config() -> Config:
    """The Directus URL from config.json next to the page, else the local default."""
    url = DEFAULT_URL
    try:
        response = await js.fetch("config.json", options(cache="no-store"))
        if response.ok:
            url = str((await response.json()).directus_url or DEFAULT_URL)
    except Exception as error:  # a missing or broken file means the default
        log.warning("config.json not read (%s): using %s", error, url)
    return Config(directus_url=url.rstrip("/"))


class _ConsoleHandler(logging.Handler):
    """Log records to the browser console. (stderr would raise PyScript's error banner.)"""

    def emit(self, record: logging.LogRecord) -> None:
        text = self.format(record)
        if record.levelno >= logging.ERROR:
            js.console.error(text)
        elif record.levelno >= logging.WARNING:
            js.console.warn(text)
        else:
            js.console.info(text)


class App:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.client = ChatClient(config, new_id=lambda: str(uuid.uuid4()),
                                 random=random.random)
        self.view = None
        self._event_loop = asyncio.get_event_loop()
        self._loop = Loop(self.client, self, clock=time.monotonic)
        self._timers = AsyncioTimers(self._loop, lambda: self._event_loop)
        self._sockets = Sockets(self.client, self._loop.feed, self._event_loop.call_soon)
        self._rest = Rest(config, self.client, self._loop.feed)
        self._tasks: set[asyncio.Task] = set()
        self._storage_key = f"chat.refresh_token {config.directus_url}"
        self._remember = False
        self._listeners: list[object] = []
        self._cache = MessageCache(js.localStorage, config.directus_url)
        self._cached = False  # the cache's messages on screen, until the live history
        self._ended = False  # the session ended in this input (see save_session)
        self._keeping: asyncio.TimerHandle | None = None
        self._tabs = Tabs(config.directus_url)
        self._restored_for: str | None = None  # whose kept outboxes this page took over

    def start(self, view) -> None:
        """Wire the window's events, then resume a saved session or wait for the form."""
        handler = _ConsoleHandler()
        handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
        logging.getLogger().addHandler(handler)
        logging.getLogger().setLevel(logging.INFO)
        self.view = view
        for kind, handler in (("online", lambda event: self._network(True)),
                              ("offline", lambda event: self._network(False))):
            self._listen(js.window, kind, handler)
        self._listen(js.document, "visibilitychange", self._on_visibility)
        self._listen(js.window, "pagehide", lambda event: self._keep_messages())
        self._listen(js.window, "storage", self._on_storage)
        if not js.navigator.onLine:
            self._network(False)
        saved = js.localStorage.getItem(self._storage_key)
        view.ready()  # may submit the form filled in before Python was ready
        if saved and self.client.phase == Phase.SIGNED_OUT:
            self._remember = True
            view.resuming()
            user = self._cache.last_user()
            cached = self._cache.load(user)
            if cached:
                self._cached = True
                view.apply([TimelineChanged(upserted=tuple(cached), reset=True)])
            self._loop.feed(self.client.resume, saved, user_id=user)

    # --- The user, through the view --------------------------------------------------

    def sign_in(self, email: str, password: str, remember: bool) -> None:
        self._remember = remember
        self._loop.feed(self.client.sign_in, email, password)

    def send(self, text: str, mentions: tuple[str, ...] = (),
             reply_to: str | None = None) -> str | None:
        """Queue a message (``mentions``: ids of the people picked; ``reply_to``: the
        message it answers); returns a sentence for people if it cannot be sent."""
        return self._try(self.client.send, text, mentions=mentions, reply_to=reply_to)

    def features(self) -> Features:
        return self.client.features

    def edit(self, message_id: str, text: str) -> str | None:
        return self._try(self.client.edit, message_id, text)

    def delete(self, message_id: str) -> str | None:
        return self._try(self.client.delete, message_id)

    def react(self, message_id: str, emoji: str) -> str | None:
        return self._try(self.client.react, message_id, emoji)

    def show_original(self, message_id) -> str | None:
        return self._try(self.client.show_original, message_id)

    def _try(self, method, *args, **kwargs) -> str | None:
        """Feed a user's input; a sentence for people if the core refused it."""
        try:
            self._loop.feed(method, *args, **kwargs)
        except ValueError as error:
            return str(error)
        except InvalidState:
            return "You are not signed in: sign in again to send."
        return None

    def retry(self, message_id: str) -> None:
        self._loop.feed(self.client.retry, message_id)

    def discard(self, message_id: str) -> None:
        self._loop.feed(self.client.discard, message_id)

    def retry_now(self) -> None:
        self._loop.feed(self.client.retry_now)

    def sign_out(self) -> None:
        self._loop.feed(self.client.sign_out)

    # Scrollback and search (the core's client.history).

    def load_older(self) -> None:
        self._loop.feed(self.client.history.load_older)

    def find(self, text: str) -> None:
        self._loop.feed(self.client.history.find, text)

    def more_results(self) -> None:
        self._loop.feed(self.client.history.more_results)

    def jump_to_unread(self) -> None:
        self._loop.feed(self.client.jump_to_unread)

    def open_hit(self, message_id: str) -> None:
        self._loop.feed(self.client.history.open_hit, message_id)

    def end_search(self) -> None:
        self._loop.feed(self.client.history.end_search)

    def fetch_avatar(self, file_id: str, done) -> None:
        """Fetch an avatar (chat.rest) and call ``done`` with a blob URL of it, or None."""
        self._spawn(self._rest.avatar(file_id, done))

    def _network(self, online: bool) -> None:
        self._loop.feed(self.client.network_changed, online)

    def _on_visibility(self, event) -> None:
        # Back to a tab that waits to reconnect: the user is looking, try now.
        if js.document.visibilityState == "visible" and self.client.phase == Phase.WAITING:
            self._loop.feed(self.client.retry_now)

    def _on_storage(self, event) -> None:
        """Another tab saved or forgot the kept session."""
        if self._remember and event.key == self._storage_key:
            value = event.newValue
            self._loop.feed(self.client.session_elsewhere,
                            value if isinstance(value, str) and value else None)

    # --- What is kept in the browser -------------------------------------------------

    def _storage(self):
        """Where this session keeps things: the device, or only this tab's session."""
        return js.localStorage if self._remember else js.sessionStorage

    @property
    def drafts(self) -> DraftStore:
        other = js.sessionStorage if self._remember else js.localStorage
        return DraftStore(self._storage(), self.config.directus_url, other=other)

    @property
    def notify_settings(self) -> NotifyStore:
        return NotifyStore(js.localStorage, self.config.directus_url)  # this device's

    def _keep(self, events) -> None:
        user_id = self.client.user_id
        for event in events:
            if isinstance(event, OutboxChanged) and user_id is not None:
                OutboxStore(self._storage(), self.config.directus_url, self._tabs.id).save(
                    user_id, event.entries)
            elif (isinstance(event, ReadPositionChanged) and user_id is not None
                  and event.message_id is not None and event.created is not None):
                PositionStore(self._storage(), self.config.directus_url).save(
                    user_id, event.message_id, event.created)
            elif isinstance(event, PhaseChanged):
                if event.phase not in SIGNED_IN:
                    self._restored_for = None
                elif event.user_id is not None and event.user_id != self._restored_for:
                    self._restored_for = event.user_id
                    self._spawn(self._restore(event.user_id))
                    kept = PositionStore(self._storage(), self.config.directus_url).load(
                        event.user_id)
                    if kept is not None:
                        self._event_loop.call_soon(self._feed, self.client.read_position_kept,
                                                   event.user_id, *kept)

    async def _restore(self, user_id: str) -> None:
        """Send what closed pages of this user left unsent, each outbox by one page."""
        for storage in (js.localStorage, js.sessionStorage):
            store = OutboxStore(storage, self.config.directus_url, self._tabs.id)
            for tab_id in store.tabs(user_id):
                def take(store=store, tab_id=tab_id) -> None:
                    if self.client.user_id == user_id and self.client.phase in SIGNED_IN:
                        entries = store.take(user_id, tab_id)
                        self._loop.feed(self.client.restore_outbox, user_id, entries)
                await self._tabs.take_over(tab_id, take)

    def read_up_to(self, message_id) -> None:
        self._loop.feed(self.client.read_up_to, message_id)

    def _feed(self, method, *args) -> None:
        self._loop.feed(method, *args)

    def _spawn(self, coroutine) -> None:
        task = self._event_loop.create_task(coroutine)
        self._tasks.add(task)  # asyncio keeps only weak references to tasks
        task.add_done_callback(self._tasks.discard)

    def _listen(self, target, kind: str, handler) -> None:
        proxy = create_proxy(handler)
        self._listeners.append(proxy)  # kept for the page's life
        target.addEventListener(kind, proxy)

    # --- Effects: what the core asks for (see chat.loop) -----------------------------

    def show(self, events) -> None:
        self._keep(events)
        ended, self._ended = self._ended, False
        changed = any(isinstance(event, TimelineChanged) for event in events)
        if self._cached and (ended or changed):
            # The live history is in, or the session is over: the cache's messages go.
            self._cached = False
            events = [event for event in events if not isinstance(event, TimelineChanged)]
            events.append(TimelineChanged(upserted=tuple(self.client.timeline.messages()),
                                          reset=True))
        if changed and self._remember and self._keeping is None:
            self._keeping = self._event_loop.call_later(KEEP_AFTER, self._keep_messages)
        self.view.apply(events)

    def _keep_messages(self) -> None:
        """The newest messages seen, for the next visit (a session kept on this device)."""
        self._stop_keeping()
        user = self.client.user_id
        if self._remember and user and self.client.phase != Phase.SIGNED_OUT:
            self._cache.save(user, self.client.timeline.messages())

    def _stop_keeping(self) -> None:
        if self._keeping is not None:
            self._keeping.cancel()
            self._keeping = None

    def set_timer(self, action: SetTimer) -> None:
        self._timers.set(action)

    def cancel_timer(self, action: CancelTimer) -> None:
        self._timers.cancel(action.timer)

    def save_session(self, action: SaveSession) -> None:
        if action.refresh_token and self._remember:
            js.localStorage.setItem(self._storage_key, action.refresh_token)
        else:  # signed out, or not kept on this device: nothing of the session stays
            js.localStorage.removeItem(self._storage_key)
            self._stop_keeping()
            self._cache.forget()
            self._ended = action.refresh_token is None

    def request(self, action: HttpRequest) -> None:
        if action.path == "/auth/refresh" and self._remember:
            self._spawn(self._tabs.refreshing(lambda: self._rest.send(self._newest(action))))
        else:
            self._spawn(self._rest.send(action))

    def _newest(self, refresh: HttpRequest) -> HttpRequest:
        """The refresh with the newest token kept: another tab may have rotated it (under
        the same lock, which this tab holds now) before the storage event came."""
        saved = js.localStorage.getItem(self._storage_key)
        if isinstance(saved, str) and saved and refresh.body is not None:
            return replace(refresh, body={**refresh.body, "refresh_token": saved})
        return refresh

    def open_socket(self, action: OpenSocket) -> None:
        self._sockets.open(action)

    def send_frame(self, action: SendFrame) -> None:
        self._sockets.send(action)

    def close_socket(self, action: CloseSocket) -> None:
        self._sockets.close(action)

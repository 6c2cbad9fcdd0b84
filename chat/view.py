"""The page: draws the core's events and passes the user's actions to the app.

    view = View(app)       # app has sign_in, send, retry, discard, retry_now, sign_out
    view.ready()           # Python is up: the form now works without boot.js
    view.apply(events)     # after every input to the core

User text reaches the DOM only as text (``textContent``), never as HTML.
The first change after a quiet spell is drawn at once (a message shows as soon
as it arrives); changes that come while that frame is still on its way are drawn
together in it, so a burst costs at most two layouts per frame. Only a window of
messages is in the DOM (the newest WINDOW while the list is at its end); scrolling
near either edge brings back more, so a long chat keeps the page light. The phase
is shown at once: tests and screen readers wait on it.
"""

from __future__ import annotations

import asyncio
import math
import time
from bisect import bisect_left, bisect_right, insort
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import js
from pyscript import document, window
from pyscript.ffi import create_proxy, to_js

from chat.client import Notice, OutboxChanged, Outgoing, Phase, PhaseChanged, TimelineChanged
from chat.protocol import Message

AT_BOTTOM = 48  # pixels from the end of the list that still count as "at the bottom"
RECENT = 3600  # seconds a time is shown relative ("5 min ago") before it shows the clock
TICK = 30  # seconds between refreshes of relative times
NOTICE_FOR = 6  # seconds a notice stays up
COUNTER_FROM = 0.8  # share of the maximum length from which the counter shows
WINDOW = 200  # messages kept in the DOM while the list is at its end
MAX_WINDOW = 400  # ... and while scrolling through older ones
PAGE = 100  # messages brought back when scrolling near an edge of the window
EDGE = 800  # pixels from an edge of the list that count as near it

_IN_SESSION = {Phase.CONNECTING, Phase.AUTHENTICATING, Phase.SYNCING, Phase.LIVE,
               Phase.WAITING, Phase.OFFLINE, Phase.GAVE_UP}
_DOWN = {Phase.WAITING, Phase.OFFLINE, Phase.GAVE_UP}


def _options(**values):
    return to_js(values, dict_converter=js.Object.fromEntries)


# Formats in the browser's own locale and time zone (None is the default locale).
_CLOCK = js.Intl.DateTimeFormat.new(None, _options(hour="numeric", minute="2-digit"))
_DAY = js.Intl.DateTimeFormat.new(None, _options(weekday="long", day="numeric",
                                                 month="long", year="numeric"))


def _el(tag: str, cls: str = "", text: str | None = None, **attrs: str):
    """A new element; ``text`` goes in as a text node, attributes as plain values."""
    node = document.createElement(tag)
    if cls:
        node.className = cls
    if text is not None:
        node.textContent = text
    for name, value in attrs.items():
        node.setAttribute(name.replace("_", "-"), value)
    return node


def _when(created: float, now: float) -> str:
    age = now - created
    if age < 60:
        return "just now"
    if age < RECENT:
        return f"{int(age // 60)} min ago"
    return _CLOCK.format(created * 1000)


def _day_label(day: date, today: date) -> str:
    if day == today:
        return "Today"
    if day == today - timedelta(days=1):
        return "Yesterday"
    return _DAY.format(js.Date.new(day.year, day.month - 1, day.day))


@dataclass
class _Day:
    """One day's group in the list: a heading and its messages in order."""

    day: date
    node: object
    label: object
    items: object
    keys: list[tuple[float, str]] = field(default_factory=list)


class View:
    def __init__(self, app, *, max_length: int) -> None:
        self._app = app
        self._max_length = max_length
        by_id = document.getElementById
        self._root = document.documentElement
        self._sign_in_view, self._chat_view = by_id("sign-in-view"), by_id("chat-view")
        self._form, self._email = by_id("sign-in-form"), by_id("email")
        self._password, self._remember = by_id("password"), by_id("remember")
        self._sign_in_button = by_id("sign-in-button")
        self._sign_in_error, self._sign_in_status = by_id("sign-in-error"), by_id("sign-in-status")
        self._status, self._dot = by_id("status"), by_id("status-dot")
        self._countdown, self._retry_now = by_id("countdown"), by_id("retry-now")
        self._problem, self._notice = by_id("problem"), by_id("notice")
        self._log, self._days_node = by_id("messages"), by_id("days")
        self._outbox_node, self._empty = by_id("outbox"), by_id("empty")
        self._new_messages = by_id("new-messages")
        self._composer, self._draft = by_id("composer"), by_id("draft")
        self._counter, self._composer_error = by_id("counter"), by_id("composer-error")

        self._loop = asyncio.get_event_loop()
        self._phase = Phase.SIGNED_OUT
        self._user_id: str | None = None
        self._my_name: str | None = None
        self._draft_owner: str | None = None
        # What is shown: every message by id and their keys in order; the nodes of
        # those in the window, from _lo to _hi (None: from the first, to the newest);
        # the day groups of the window in order.
        self._shown: dict[str, Message] = {}
        self._keys: list[tuple[float, str]] = []
        self._lo: tuple[float, str] | None = None
        self._hi: tuple[float, str] | None = None
        self._nodes: dict[str, object] = {}
        self._days: dict[date, _Day] = {}
        self._day_order: list[date] = []
        self._recent: dict[str, tuple[object, float]] = {}  # nodes with relative times
        # What waits for the next draw.
        self._pending: dict[str, Message | None] = {}
        self._dirty = False
        self._applying = False
        self._extend: str | None = None  # "older" or "newer": scrolled near that edge
        self._reset = False
        self._outgoing: tuple[Outgoing, ...] = ()
        self._outbox_dirty = False
        self._stick = False  # scroll to the end after the next draw (the user just sent)
        self._pinned = True  # the list was at its end when last scrolled
        self._frame_requested = False
        self._resuming = False
        self._retry_at: float | None = None
        self._countdown_handle = None
        self._notice_handle = None

        # Proxies live as long as the page: they are never destroyed.
        self._frame_proxy = create_proxy(self._on_frame)
        listen = [
            (self._form, "submit", self._on_sign_in),
            (self._composer, "submit", self._on_send),
            (self._draft, "keydown", self._on_key),
            (self._draft, "input", self._on_input),
            (self._outbox_node, "click", self._on_outbox_click),
            (self._log, "scroll", self._on_scroll),
            (self._new_messages, "click", lambda event: self._show_newest()),
            (self._retry_now, "click", lambda event: self._app.retry_now()),
            (by_id("sign-out"), "click", lambda event: self._app.sign_out()),
        ]
        self._listeners = [create_proxy(handler) for _, _, handler in listen]
        for (node, kind, _), proxy in zip(listen, self._listeners, strict=True):
            node.addEventListener(kind, proxy)
        # The list shrinks when the draft grows or a phone keyboard opens: keep its end
        # in view if it was.
        self._resized = create_proxy(self._on_resize)
        js.ResizeObserver.new(self._resized).observe(self._log)
        self._loop.call_later(TICK, self._tick)

    # --- Called by the app -----------------------------------------------------------

    def ready(self) -> None:
        """Python is running: mark the page signed out and act on a submit made before."""
        self._root.setAttribute("data-phase", Phase.SIGNED_OUT.value)
        boot = getattr(window, "chatBoot", None)
        if boot is not None:
            boot.ready = True
            if boot.pending:
                boot.pending = False
                self._submit_sign_in()

    @property
    def remember(self) -> bool:
        return bool(self._remember.checked)

    def resuming(self) -> None:
        """A saved session is being resumed: say so instead of asking for a password."""
        self._remember.checked = True
        self._resuming = True

    def apply(self, events) -> None:
        self._applying = True  # draw once, after all of them
        try:
            self._apply(events)
        finally:
            self._applying = False
        self._request_frame()

    def _apply(self, events) -> None:
        for event in events:
            match event:
                case PhaseChanged():
                    self._show_phase(event)
                case TimelineChanged():
                    if event.reset:
                        self._reset = True
                        self._pending.clear()
                    for message in event.upserted:
                        self._pending[message.id] = message
                    for message_id in event.removed:
                        self._pending[message_id] = None
                    self._request_frame()
                case OutboxChanged():
                    self._outgoing = event.entries
                    self._outbox_dirty = True
                    self._request_frame()
                case Notice():
                    self._show_notice(event.text)

    # --- Phase -----------------------------------------------------------------------

    def _show_phase(self, event: PhaseChanged) -> None:
        was = self._phase
        self._phase = event.phase
        self._root.setAttribute("data-phase", event.phase.value)
        if event.user_id != self._user_id:
            self._set_user(event.user_id)

        in_session = event.phase in _IN_SESSION
        self._sign_in_view.hidden = in_session
        self._chat_view.hidden = not in_session
        if in_session:
            self._show_connection(event)
            if was not in _IN_SESSION:
                self._resuming = False
                self._password.value = ""
                self._sign_in_error.hidden = True
                self._sign_in_status.textContent = ""
                self._draft.focus()
        else:
            self._show_sign_in(event, came_from_session=was in _IN_SESSION)
        # "Waiting to send" and "Sending…" depend on the connection.
        if self._outgoing:
            self._outbox_dirty = True
            self._request_frame()

    def _set_user(self, user_id: str | None) -> None:
        self._user_id = user_id
        if user_id is None:
            return
        if self._draft_owner not in (None, user_id):
            self._draft.value = ""  # the previous account's draft is not this one's
            self._on_input(None)
        self._draft_owner = user_id
        self._my_name = None
        if not self._reset:  # own messages are drawn differently: redraw them all
            self._pending = {**{m.id: m for m in self._shown.values()}, **self._pending}
            self._reset = True
        self._request_frame()

    def _show_sign_in(self, event: PhaseChanged, *, came_from_session: bool) -> None:
        busy = event.phase == Phase.SIGNING_IN
        self._sign_in_button.textContent = "Signing in…" if busy else "Sign in"
        self._sign_in_button.setAttribute("aria-busy", "true" if busy else "false")
        if busy:
            self._sign_in_error.hidden = True
            self._sign_in_status.textContent = ("Resuming your session…" if self._resuming
                                                else "Signing in…")
            return
        self._resuming = False
        self._sign_in_status.textContent = ""
        self._stop_countdown()
        self._set_status("Signed out", "off")
        if event.reason:
            self._sign_in_error.textContent = event.reason
            self._sign_in_error.hidden = False
        if came_from_session and event.reason is None:
            # Signed out on purpose: leave nothing of this account's typing behind.
            self._draft.value = ""
            self._draft_owner = None
            self._on_input(None)
        (self._email if not self._email.value else self._password).focus()

    def _show_connection(self, event: PhaseChanged) -> None:
        phase = event.phase
        if phase == Phase.LIVE:
            self._set_status("Connected", "ok")
        elif phase == Phase.WAITING:
            self._set_status(f"Reconnecting — attempt {event.attempt}", "warn")
        elif phase == Phase.OFFLINE:
            self._set_status("You're offline: messages will be sent when you're back", "warn")
        elif phase == Phase.GAVE_UP:
            self._set_status("Not connected", "bad")
        elif event.attempt:
            self._set_status(f"Reconnecting — attempt {event.attempt}…", "busy")
        else:
            self._set_status("Connecting…", "busy")
        self._retry_now.hidden = phase not in _DOWN
        if event.reason:
            self._problem.textContent = event.reason
            self._problem.hidden = False
        elif phase == Phase.LIVE:
            self._problem.hidden = True
        if phase == Phase.WAITING and event.retry_in is not None:
            self._retry_at = time.monotonic() + event.retry_in
            self._count_down()
        else:
            self._stop_countdown()

    def _set_status(self, text: str, tone: str) -> None:
        # Only real changes: the region is announced to screen readers.
        if self._status.textContent != text:
            self._status.textContent = text
        self._dot.className = f"dot {tone}"

    def _count_down(self) -> None:
        self._stop_countdown()
        left = math.ceil(self._retry_at - time.monotonic())
        self._countdown.textContent = f"next try in {left} s" if left > 0 else "trying now…"
        if left > 0:
            self._countdown_handle = self._loop.call_later(1, self._count_down)

    def _stop_countdown(self) -> None:
        if self._countdown_handle is not None:
            self._countdown_handle.cancel()
            self._countdown_handle = None
        self._countdown.textContent = ""

    def _show_notice(self, text: str) -> None:
        self._notice.textContent = text
        self._notice.hidden = False
        if self._notice_handle is not None:
            self._notice_handle.cancel()
        self._notice_handle = self._loop.call_later(NOTICE_FOR, self._hide_notice)

    def _hide_notice(self) -> None:
        self._notice.hidden = True
        self._notice_handle = None

    # --- User actions ----------------------------------------------------------------

    def _on_sign_in(self, event) -> None:
        event.preventDefault()
        self._submit_sign_in()

    def _submit_sign_in(self) -> None:
        if self._phase != Phase.SIGNED_OUT:
            return
        self._sign_in_error.hidden = True
        self._app.sign_in(self._email.value.strip(), self._password.value, self.remember)

    def _on_key(self, event) -> None:
        # Enter sends, Shift+Enter adds a line; never while an input method composes text.
        if event.key == "Enter" and not event.shiftKey and not event.isComposing:
            event.preventDefault()
            self._send()

    def _on_send(self, event) -> None:
        event.preventDefault()
        self._send()

    def _send(self) -> None:
        text = self._draft.value
        if not text.strip():
            return
        error = self._app.send(text)
        if error:
            self._composer_error.textContent = error
            self._composer_error.hidden = False
            return
        self._draft.value = ""
        self._on_input(None)
        self._stick = True
        self._request_frame()

    def _on_input(self, event) -> None:
        length = len(self._draft.value.strip())
        over = length > self._max_length
        self._counter.hidden = length < self._max_length * COUNTER_FROM
        self._counter.textContent = f"{length:,} / {self._max_length:,}"
        self._counter.classList.toggle("over", over)
        if over:
            self._composer_error.textContent = (
                f"Too long by {length - self._max_length:,} characters: messages can be "
                f"at most {self._max_length:,}.")
        self._composer_error.hidden = not over
        self._draft.setAttribute("aria-invalid", "true" if over else "false")

    def _on_outbox_click(self, event) -> None:
        button = event.target.closest("button[data-action]")
        if button is None:
            return
        message_id = button.getAttribute("data-id")
        if button.getAttribute("data-action") == "retry":
            self._app.retry(message_id)
        else:
            self._app.discard(message_id)

    def _on_scroll(self, event) -> None:
        self._pinned = self._at_bottom()
        if self._pinned:
            self._new_messages.hidden = True
        log = self._log
        if log.scrollTop < EDGE and self._lo is not None:
            self._extend = "older"
        elif log.scrollHeight - log.scrollTop - log.clientHeight < EDGE and self._hi is not None:
            self._extend = "newer"
        else:
            return
        self._request_frame()

    def _show_newest(self) -> None:
        """The "new messages" button: back to the end of the list."""
        if self._hi is None:
            self._scroll_to_end()
        else:  # the newest are out of the window: bring them in first
            self._hi = None
            self._stick = True
            self._request_frame()

    def _on_resize(self, entries, observer) -> None:
        if self._pinned:
            self._scroll_to_end()

    def _scroll_to_end(self) -> None:
        self._log.scrollTop = self._log.scrollHeight
        self._pinned = True
        self._new_messages.hidden = True

    def _at_bottom(self) -> bool:
        log = self._log
        return log.scrollHeight - log.scrollTop - log.clientHeight <= AT_BOTTOM

    # --- Drawing ----------------------------------------------------------------------

    def _request_frame(self) -> None:
        """Draw now, unless a frame is on its way: then it draws what changed since."""
        self._dirty = True
        if self._applying or self._frame_requested:
            return
        self._draw()
        self._frame_requested = True
        js.requestAnimationFrame(self._frame_proxy)

    def _on_frame(self, *_) -> None:
        self._frame_requested = False
        if self._dirty:
            self._request_frame()

    def _draw(self) -> None:
        self._dirty = False
        pinned = self._at_bottom() or self._stick
        if self._reset:
            self._reset = False
            self._clear()
        added = False
        for message_id, message in self._pending.items():
            if message is None:
                self._forget(message_id)
            else:
                added = self._keep(message) or added
        self._pending = {}
        # Growing the window moves what the reader looks at: keep a node that stays
        # (the oldest drawn when growing upwards, the newest downwards) where it was.
        anchor = self._edge_node(self._extend) if self._extend and not pinned else None
        top = anchor.getBoundingClientRect().top if anchor else 0
        self._move_window(pinned)
        now = time.time()
        outside = self._sync_window(now)
        if anchor:
            self._log.scrollTop += anchor.getBoundingClientRect().top - top
        if self._outbox_dirty:
            self._outbox_dirty = False
            self._outbox_node.replaceChildren(*[self._outgoing_node(e) for e in self._outgoing])
        self._empty.hidden = bool(self._shown or self._outgoing)
        if pinned:
            self._stick = False
            self._scroll_to_end()
        elif added or outside:
            self._new_messages.hidden = False

    def _clear(self) -> None:
        self._days_node.replaceChildren()
        self._shown.clear()
        self._keys.clear()
        self._lo = self._hi = None
        self._nodes.clear()
        self._days.clear()
        self._day_order.clear()
        self._recent.clear()

    def _keep(self, message: Message) -> bool:
        """Take a new or changed message into the list; True if it is new."""
        old = self._shown.get(message.id)
        if old is not None and old.sort_key == message.sort_key:
            self._shown[message.id] = message
            if message.id in self._nodes:
                self._unrender(message.id, old)  # drawn again by _sync_window
            return False
        if old is not None:
            self._forget(message.id, old)
        self._shown[message.id] = message
        insort(self._keys, message.sort_key)
        return old is None

    def _forget(self, message_id: str, old: Message | None = None) -> None:
        old = old or self._shown.get(message_id)
        if old is None:
            return
        del self._shown[message_id]
        del self._keys[bisect_left(self._keys, old.sort_key)]
        if message_id in self._nodes:
            self._unrender(message_id, old)

    def _move_window(self, pinned: bool) -> None:
        """Follow the newest while at the end; grow towards an edge scrolled near;
        then trim the far side to the window's size."""
        keys, extend = self._keys, None if pinned else self._extend
        self._extend = None
        if pinned:
            self._hi = None
        if extend == "older" and self._lo is not None:
            first = max(0, bisect_left(keys, self._lo) - PAGE)
            self._lo = keys[first] if first > 0 else None
        elif extend == "newer" and self._hi is not None:
            last = bisect_right(keys, self._hi) + PAGE
            self._hi = keys[last - 1] if last < len(keys) else None
        first = bisect_left(keys, self._lo) if self._lo is not None else 0
        end = bisect_right(keys, self._hi) if self._hi is not None else len(keys)
        size = WINDOW if pinned else MAX_WINDOW
        if end - first <= size:
            return
        if extend == "older":  # the user reads upwards: drop the newest
            self._hi = keys[first + size - 1]
        else:
            self._lo = keys[end - size]

    def _edge_node(self, side: str):
        """The oldest ("older") or newest drawn message's node, if any."""
        keys = self._keys
        if side == "older":
            edge = keys[bisect_left(keys, self._lo) if self._lo is not None else 0:]
        else:
            edge = reversed(keys[:bisect_right(keys, self._hi) if self._hi is not None else None])
        return next((self._nodes[key[1]] for key in edge if key[1] in self._nodes), None)

    def _sync_window(self, now: float) -> bool:
        """Make the DOM hold exactly the window; True if newer messages are outside it."""
        keys = self._keys
        first = bisect_left(keys, self._lo) if self._lo is not None else 0
        end = bisect_right(keys, self._hi) if self._hi is not None else len(keys)
        inside = {key[1] for key in keys[first:end]}
        for message_id in [i for i in self._nodes if i not in inside]:
            self._unrender(message_id, self._shown[message_id])
        for key in keys[first:end]:
            if key[1] not in self._nodes:
                self._render(self._shown[key[1]], now)
        return end < len(keys)

    def _render(self, message: Message, now: float) -> None:
        day = self._day(datetime.fromtimestamp(message.created).date())
        index = bisect_left(day.keys, message.sort_key)
        day.keys.insert(index, message.sort_key)
        node = self._message_node(message, now)
        if index + 1 < len(day.keys):
            day.items.insertBefore(node, self._nodes[day.keys[index + 1][1]])
        else:
            day.items.append(node)
        self._nodes[message.id] = node

    def _unrender(self, message_id: str, message: Message) -> None:
        self._nodes.pop(message_id).remove()
        self._recent.pop(message_id, None)
        day = self._days[datetime.fromtimestamp(message.created).date()]
        day.keys.remove(message.sort_key)
        if not day.keys:
            day.node.remove()
            del self._days[day.day]
            self._day_order.remove(day.day)

    def _day(self, day: date) -> _Day:
        """The group for ``day``, made and put in order if new."""
        if day in self._days:
            return self._days[day]
        label = _el("span", "", _day_label(day, date.today()))
        heading = _el("h2", "day-label")
        heading.append(label)
        items = _el("div", "day-items")
        node = _el("section", "day")
        node.append(heading, items)
        index = bisect_left(self._day_order, day)
        if index < len(self._day_order):
            self._days_node.insertBefore(node, self._days[self._day_order[index]].node)
        else:
            self._days_node.append(node)
        self._day_order.insert(index, day)
        self._days[day] = _Day(day=day, node=node, label=label, items=items)
        return self._days[day]

    def _message_node(self, message: Message, now: float):
        own = message.user_id is not None and message.user_id == self._user_id
        if own and message.user_name:
            self._my_name = message.user_name
        node = js.chatDom.message(message.id, own, message.user_name or "Unknown user",
                                  message.created * 1000, _when(message.created, now),
                                  bool(message.updated), message.content)
        if now - message.created < RECENT:
            self._recent[message.id] = (node, message.created)
        return node

    def _outgoing_node(self, entry: Outgoing):
        node = _el("article", f"msg own {entry.state}", data_id=entry.id)
        meta = _el("p", "meta")
        meta.append(_el("span", "author", self._my_name or "You"))
        if entry.state == "failed":
            state = entry.error or "Not sent."
        elif entry.state == "sending" or self._phase == Phase.LIVE:
            state = "Sending…"
        else:
            state = "Waiting for the connection…"
        meta.append(_el("span", "state", state))
        node.append(meta, _el("p", "text", entry.content))
        if entry.state == "failed":
            actions = _el("p", "actions")
            short = entry.content[:40]
            for action, label in (("retry", "Retry"), ("discard", "Discard")):
                actions.append(_el("button", "link", label, type="button", data_action=action,
                                   data_id=entry.id, aria_label=f"{label}: {short}"))
            node.append(actions)
        return node

    def _tick(self) -> None:
        """Refresh relative times ("5 min ago") and day labels (midnight passes)."""
        self._loop.call_later(TICK, self._tick)
        now = time.time()
        for message_id, (node, created) in list(self._recent.items()):
            node.querySelector(".when").textContent = _when(created, now)
            if now - created >= RECENT:
                del self._recent[message_id]
        today = date.today()
        for day in self._days.values():
            day.label.textContent = _day_label(day.day, today)

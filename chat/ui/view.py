"""The page: draws the core's events and passes the user's actions to the app.

    view = View(app, max_length=config.max_length)  # app: sign_in, send, retry, ...
    view.ready()           # Python is up: the form now works without boot.js
    view.apply(events)     # after every input to the core

The parts of the page are drawn by the modules beside this one (sign_in, status,
composer, messages, outbox); this one wires them to the app and to the events, and
decides when to draw the list. User text reaches the DOM only as text, never as HTML.
The first change after a quiet spell is drawn at once (a message shows as soon as it
arrives); changes that come while that frame is still on its way are drawn together in
it, so a burst costs at most two layouts per frame. Only a window of messages is in the
DOM (chat.ui.window says which); scrolling near either edge brings back more. The phase
is shown at once: tests and screen readers wait on it.
"""

from __future__ import annotations

import asyncio
import time

import js
from pyscript import document
from pyscript.ffi import create_proxy

from chat.core import (
    SIGNED_IN,
    ChangesWaiting,
    Notice,
    OutboxChanged,
    Outgoing,
    PeopleChanged,
    Person,
    Phase,
    PhaseChanged,
    QuotesChanged,
    ReactionsChanged,
    ReadPositionChanged,
    TimelineChanged,
)
from chat.core.events import Scrollback, ScrollbackChanged, SearchChanged, ShowMessage
from chat.core.protocol import Message
from chat.ui.account import Account
from chat.ui.avatars import Avatars
from chat.ui.composer import Composer
from chat.ui.conversation import TalkView
from chat.ui.day_bar import DayBar
from chat.ui.dom import listen, options
from chat.ui.mentions import MentionPicker
from chat.ui.messages import MessageList
from chat.ui.notify import Notify
from chat.ui.outbox import OutboxList
from chat.ui.search import SearchBox
from chat.ui.sign_in import SignIn
from chat.ui.status import Status
from chat.ui.unread import Unread
from chat.ui.window import Side, Window

AT_BOTTOM = 48  # pixels from the end of the list that still count as "at the bottom"
EDGE = 800  # pixels from an edge of the list that count as near it


class View:
    def __init__(self, app, *, max_length: int) -> None:
        by_id = document.getElementById
        loop = asyncio.get_event_loop()
        self._root = document.documentElement
        self._sign_in_view, self._chat_view = by_id("sign-in-view"), by_id("chat-view")
        self._log, self._new_messages = by_id("messages"), by_id("new-messages")
        self._empty = by_id("empty")
        self.sign_in = SignIn(by_id, app, phase=lambda: self._phase)
        self._status = Status(by_id, app, loop)
        self._people: tuple[Person, ...] = ()
        self._avatars = Avatars(fetch=app.fetch_avatar,
                                revoke=lambda url: js.URL.revokeObjectURL(url),
                                show=js.chatDom.showAvatar)
        self._account = Account(by_id, self._avatars)
        self._day_bar = DayBar(by_id("day-bar"), self._log)
        picker = MentionPicker(by_id, people=lambda: self._people, me=lambda: self._user_id)
        self._composer = Composer(by_id, app, max_length=max_length, sent=self._sent,
                                  picker=picker)
        self._messages = MessageList(by_id("days"), loop, self._avatars)
        self._outbox = OutboxList(by_id("outbox"), app)
        self._search = SearchBox(by_id, app, loop, closed=self._to_live)
        self._window = Window()
        self._talk = TalkView(by_id, app, self._messages, lambda: self._window.shown,
                              self._composer, self._status.notice)
        self._app, self._event_loop = app, loop
        self._history_status, self._history_text = by_id("history-status"), by_id("history-text")
        self._history_retry = by_id("history-retry")
        self._scrollback = Scrollback.MORE
        self._scrollback_error: str | None = None
        self._focus: str | None = None  # a hit to bring into view at the next draw
        self._hit: str | None = None  # the hit shown highlighted
        self._unread = Unread(by_id, app, self._log, loop)
        self._notify = Notify(by_id, app, show_message=self._show_message)

        self._phase = Phase.SIGNED_OUT
        self._redraw = False  # every message in the DOM to be drawn again at the next draw
        self._newest_seen = float("-inf")  # the newest message's time drawn or on its way
        self._user_id: str | None = None
        # What waits for the next draw.
        self._pending: dict[str, Message | None] = {}  # id -> message, None: removed
        self._reset = False  # redraw everything
        self._grow: Side | None = None  # scrolled near that edge of the window
        self._outgoing: tuple[Outgoing, ...] = ()
        self._outbox_dirty = False
        self._dirty = False
        self._applying = False
        self._frame_requested = False
        self._stick = False  # scroll to the end after the next draw (the user just sent)
        self._pinned = True  # the list was at its end when last scrolled

        # Proxies live as long as the page: they are never destroyed.
        self._frame_proxy = create_proxy(self._on_frame)
        self._listeners = listen([
            (self._log, "scroll", self._on_scroll),
            (self._new_messages, "click", lambda event: self._show_newest()),
            (by_id("sign-out"), "click", lambda event: app.sign_out()),
            (js.document, "visibilitychange", lambda event: self._request_frame()),
            (self._history_retry, "click", lambda event: app.load_older()),
        ])
        # The list shrinks when the draft grows or a phone keyboard opens: keep its end
        # in view if it was.
        self._resized = create_proxy(self._on_resize)
        js.ResizeObserver.new(self._resized).observe(self._log)

    # --- Called by the app -----------------------------------------------------------

    def ready(self) -> None:
        """Python is running: mark the page signed out and act on a submit made before."""
        self._root.setAttribute("data-phase", Phase.SIGNED_OUT.value)
        self.sign_in.ready()

    def resuming(self) -> None:
        self.sign_in.resuming()

    def apply(self, events) -> None:
        self._applying = True  # draw once, after all of them
        try:
            for event in events:
                match event:
                    case PhaseChanged():
                        self._show_phase(event)
                    case TimelineChanged():
                        if event.reset:
                            self._reset = True
                            self._pending.clear()
                            self._newest_seen = float("-inf")
                        elif self._phase == Phase.LIVE:  # arrived live: not history, and
                            # newer than any seen (not an older page, gap or catch-up)
                            self._notify.arrived([
                                m for m in event.upserted
                                if m.created > self._newest_seen and m.id not in
                                self._window.shown and m.id not in self._pending])
                        self._newest_seen = max([self._newest_seen,
                                                 *(m.created for m in event.upserted)])
                        for message in event.upserted:
                            self._pending[message.id] = message
                        for message_id in event.removed:
                            self._pending[message_id] = None
                        self._request_frame()
                    case OutboxChanged():
                        self._outgoing = event.entries
                        self._outbox_dirty = True
                        self._request_frame()
                    case ReadPositionChanged():
                        self._unread.moved(event)
                        self._request_frame()
                    case Notice():
                        self._status.notice(event.text)
                    case ReactionsChanged() | QuotesChanged() | ChangesWaiting():
                        self._talk.apply(event)
                    case ScrollbackChanged():
                        self._scrollback, self._scrollback_error = event.state, event.error
                        self._request_frame()
                    case SearchChanged():
                        self._search.show(event)
                        if event.text is None:  # closed, or signed out: no hit marked
                            self._unmark_hit()
                            self._hit = None
                    case ShowMessage():
                        self._unmark_hit()
                        self._focus = event.message_id
                        if not self._unread.jumped(event.message_id):  # a hit, a quote
                            self._hit = event.message_id
                        self._request_frame()
                    case PeopleChanged():
                        self._show_people(event.people)
        finally:
            self._applying = False
        self._request_frame()

    # --- Phase -----------------------------------------------------------------------

    def _show_phase(self, event: PhaseChanged) -> None:
        was = self._phase
        self._phase = event.phase
        self._root.setAttribute("data-phase", event.phase.value)
        if event.user_id != self._user_id:
            self._set_user(event.user_id)
        in_session = event.phase in SIGNED_IN
        self._sign_in_view.hidden = in_session
        self._chat_view.hidden = not in_session
        if in_session:
            self._status.show(event)
            if was not in SIGNED_IN:
                self.sign_in.passed()
                self._composer.focus()
        else:
            self.sign_in.show(event)
            if event.phase == Phase.SIGNED_OUT:
                self._status.signed_out()
                self._unread.reset()
                if was in SIGNED_IN and event.reason is None:
                    self._composer.forget()
                    self._search.forget()
                self.sign_in.focus()
        # "Waiting to send" and "Sending…" depend on the connection.
        if self._outgoing:
            self._outbox_dirty = True
            self._request_frame()

    def _show_people(self, people: tuple[Person, ...]) -> None:
        """Names for mentions, avatars, who you are: redraw the messages with them."""
        self._people = people
        self._messages.people = {p.id: p for p in people}
        self._redraw_all()

    def _show_me(self) -> None:
        self._account.show(self._user_id, self._messages.people.get(self._user_id or ""),
                           self._messages.my_name)

    def _set_user(self, user_id: str | None) -> None:
        self._user_id = self._messages.user_id = self._unread.user_id = user_id
        self._talk.user_id = user_id
        self._talk.forget()
        self._notify.owned_by(user_id)
        if user_id is None:
            self._people, self._messages.people = (), {}
            self._show_me()
            return
        self._unread.reset()
        self._composer.owned_by(user_id)
        self._messages.my_name = None
        self._redraw_all()  # own messages are drawn differently

    def _redraw_all(self) -> None:
        """Draw every message in the DOM again (names, avatars, own ones changed), where
        the reader is: the window stays, and so does the scroll position."""
        self._redraw = True
        self._request_frame()

    # --- Scrolling -------------------------------------------------------------------

    def _sent(self) -> None:
        self._unread.sent()
        self._stick = True
        self._request_frame()

    def _on_scroll(self, event) -> None:
        self._day_bar.update(self._messages.days())
        self._pinned = self._at_bottom()
        if self._pinned:
            self._new_messages.hidden = True
        self._unread.update(self._window, self._messages, pinned=self._pinned)
        log = self._log
        self._read_older_if_near()
        if log.scrollTop < EDGE and self._window.can_grow(Side.OLDER):
            self._grow = Side.OLDER
        elif (log.scrollHeight - log.scrollTop - log.clientHeight < EDGE
              and self._window.can_grow(Side.NEWER)):
            self._grow = Side.NEWER
        else:
            return
        self._request_frame()

    def _read_older_if_near(self) -> None:
        """Near the top with the oldest loaded message drawn: read the page before it."""
        if (self._scrollback is Scrollback.MORE and self._log.scrollTop < EDGE
                and not self._window.can_grow(Side.OLDER) and self._phase in SIGNED_IN):
            self._app.load_older()

    def _show_newest(self) -> None:
        """The "new messages" button: back to the end of the list."""
        if self._window.follows_newest:
            self._scroll_to_end()
        else:  # the newest are out of the window: bring them in first
            self._window.follow_newest()
            self._stick = True
            self._request_frame()

    def _show_message(self, message_id) -> None:
        """A notification was clicked: that message, in view."""
        node = self._messages.node(message_id)
        if node is not None:
            node.scrollIntoView(options(block="center"))

    def _to_live(self) -> None:
        """The search closed (Escape): back to the newest messages, typing."""
        self._focus = None
        self._show_newest()
        self._composer.focus()

    def _unmark_hit(self) -> None:
        node = self._messages.node(self._hit)
        if node is not None:
            node.classList.remove("hit")
            node.removeAttribute("aria-current")

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
        window, messages = self._window, self._messages
        if self._reset:
            self._reset = False
            window.clear()
            messages.clear()
        added = older = False  # new messages after the newest shown, before the oldest
        shown = window.shown
        newest, oldest = shown.newest(), shown.get(shown.key_at(0)[1]) if len(shown) else None
        changed = self._pending
        for message_id, message in self._pending.items():
            if message is None:
                window.remove(message_id)
            elif window.upsert(message):
                added = added or newest is None or message.sort_key > newest.sort_key
                older = older or (oldest is not None and message.sort_key < oldest.sort_key)
        self._pending = {}
        for message_id in window.take_stale():
            messages.drop(message_id)
        for message_id in changed:  # replies quote it
            self._talk.original_changed(message_id)
        # Growing the window moves what the reader looks at: keep a node that stays
        # (the oldest drawn when growing upwards, the newest downwards) where it was.
        # An older page read while the oldest is drawn grows it upwards too.
        if older and not window.can_grow(Side.OLDER):
            self._grow = Side.OLDER
        focus, self._focus = self._focus, None
        if focus is not None and focus in shown:
            window.around(focus)  # a hit opened: the messages around it, not the newest
            pinned = self._stick = self._pinned = False
            self._grow = None
        grow, self._grow = (None if pinned else self._grow), None
        anchor_id = window.edge(grow) if grow else None
        anchor = messages.node(anchor_id) if anchor_id is not None else None
        top = anchor.getBoundingClientRect().top if anchor else 0
        kept_at = None
        if self._redraw:  # every node drawn again, in place
            self._redraw, kept_at = False, self._log.scrollTop
            for message_id in window.redraw():
                messages.drop(message_id)
        window.move(pinned=pinned, grow=grow)
        redraw = window.sync()
        for message_id in redraw.drop:
            messages.drop(message_id)
        now = time.time()
        for message in redraw.add:
            messages.add(message, now)
        self._show_scrollback()
        if kept_at is not None and not pinned:
            self._log.scrollTop = kept_at  # drawn again: the same place
        if anchor and (anchor := messages.node(anchor_id)):  # (a new node if drawn again)
            self._log.scrollTop += anchor.getBoundingClientRect().top - top
        if self._outbox_dirty:
            self._outbox_dirty = False
            self._outbox.draw(self._outgoing, live=self._phase == Phase.LIVE,
                              my_name=messages.my_name)
        self._empty.hidden = bool(len(window.shown) or self._outgoing)
        if focus is not None and (node := messages.node(focus)) is not None:
            node.scrollIntoView(options(block="center"))
        if (node := messages.node(self._hit)) is not None:
            node.classList.add("hit")
            node.setAttribute("aria-current", "true")
        if pinned:
            self._stick = False
            self._scroll_to_end()
        elif added or redraw.newer_outside:
            self._new_messages.hidden = False
        self._unread.update(window, messages, pinned=pinned)
        self._event_loop.call_soon(self._read_older_if_near)
        self._show_me()  # (the day bar follows scroll events, which every move of the list fires)

    def _show_scrollback(self) -> None:
        """Above the oldest message drawn, if it is the oldest loaded: loading, failed, or
        the beginning of the conversation."""
        state = self._scrollback
        at_oldest = len(self._window.shown) and not self._window.can_grow(Side.OLDER)
        self._history_text.textContent = "" if not at_oldest else {
            Scrollback.LOADING: "Loading older messages…",
            Scrollback.BEGINNING: "This is the beginning of the conversation.",
            Scrollback.FAILED: self._scrollback_error or "Could not load older messages.",
        }.get(state, "")
        self._history_retry.hidden = not (at_oldest and state is Scrollback.FAILED)

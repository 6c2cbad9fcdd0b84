"""ChatClient, the core's one public face: inputs in (each with the current monotonic
time), actions and events out through ``take_actions`` and ``take_events``.

It composes the parts, one concern each, which share one ``Output``: the session
(tokens), the schema (what the server has, learned once per session before the socket
opens), the connection (the socket and its attempts), the requests (items requests,
one in flight), sync (the subscription, merging into the timeline) and the outbox. Here
is what decides between them; the phase moves only by a trigger through the table in
phases.py. Some of its inputs and handlers are mixed in from modules of their own, to
keep each small: talk.py (edit, delete, react), shared.py (other tabs, earlier pages),
frames.py (each socket frame: ``socket_message``, the answers to auth and to items
requests) and tokens.py (the answers to sign-in and refresh).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from chat.core import texts
from chat.core.actions import Action, Failure, Timer
from chat.core.config import Config
from chat.core.connection import Connection
from chat.core.conversation import Conversation
from chat.core.events import Event, Notice, Outgoing, PhaseChanged
from chat.core.frames import FrameInputs
from chat.core.history import History
from chat.core.outbox import Outbox, content_of
from chat.core.output import Output, Purpose
from chat.core.people import People
from chat.core.phases import SIGNED_IN, InvalidState, Phase, Trigger, next_phase
from chat.core.protocol import MessageId
from chat.core.requests import Requests
from chat.core.schema import Capabilities, Schema
from chat.core.session import Session
from chat.core.shared import SharedInputs
from chat.core.sync import Sync
from chat.core.talk import TalkInputs
from chat.core.timeline import Timeline
from chat.core.tokens import TokenAnswers
from chat.core.unread import ReadPosition

log = logging.getLogger("chat")

MAX_MENTIONS = 50  # the server's limit of ids in a message's mentions


class ChatClient(TalkInputs, SharedInputs, FrameInputs, TokenAnswers):
    def __init__(self, config: Config, *, new_id: Callable[[], str],
                 random: Callable[[], float]) -> None:
        self.config = config
        self.phase = Phase.SIGNED_OUT
        self._new_id = new_id
        self._out = Output(http_timeout=config.http_timeout)
        self._session = Session(config, self._out, random)
        self._connection = Connection(config, self._out, random)
        self._outbox = Outbox(self._out)
        self._schema = Schema(self._out)
        self._unread = ReadPosition(self._out, self._schema)
        self._talk = Conversation(self._out, lambda: self._sync.timeline,
                                  lambda: self.user_id, lambda: self._schema.caps)
        self._sync = Sync(config, self._out, self._schema, stored=self._stored,
                          merged=self._talk.merged, deleted=self._talk.removed)
        self._history = History(self._out, self._sync, pump=self._pump)
        self._requests = Requests(config, self._out, self._outbox, self._sync, self._schema,
                                  self._history, self._talk, self._connection.send)
        self._people = People(self._out)

    # --- Drains, and what may be read -------------------------------------------------------

    def take_actions(self) -> list[Action]:
        """What the adapter must do now, in order. Call after every input."""
        actions, self._out.actions = self._out.actions, []
        return actions

    def take_events(self) -> list[Event]:
        """What the view must show now, in order. Call after every input."""
        self._flush()
        events, self._out.events = self._out.events, []
        return events

    @property
    def timeline(self) -> Timeline:
        return self._sync.timeline

    @property
    def history(self) -> History:
        """Scrollback and search: its inputs (``load_older``, ``find``, ...) are the
        user's, fed like the client's own."""
        return self._history

    @property
    def outbox(self) -> tuple[Outgoing, ...]:
        return self._outbox.snapshot()

    @property
    def capabilities(self) -> Capabilities:
        """What the server has (final once the phase is past CONNECTING)."""
        return self._schema.caps

    @property
    def user_id(self) -> str | None:
        return self._session.user_id

    def bearer(self) -> str | None:
        """The access token, for the adapter's requests that carry it in the
        Authorization header (avatars from /assets); never put it in a URL."""
        return self._session.access_token

    # --- Inputs: the user -------------------------------------------------------------------

    def sign_in(self, email: str, password: str, *, now: float) -> None:
        """Sign in with a password over REST. Answer the HttpRequest it asks for."""
        self._fire(Trigger.SIGN_IN)
        self._session.login(email, password)

    def resume(self, refresh_token: str, *, now: float, user_id: str | None = None) -> None:
        """Resume a saved session from its refresh token, without the password.
        ``user_id``: whose session it was when saved, if the adapter kept that: messages
        typed before the server is reached (offline) then wait in the outbox as theirs;
        if the tokens name another account, those are dropped, never sent as it."""
        self._fire(Trigger.RESUME)
        self._session.resume(refresh_token, user_id)
        if user_id is not None:
            self._outbox.own(user_id)

    def sign_out(self, *, now: float) -> None:
        """Revoke the session and close the socket cleanly. Never reconnects."""
        self._session.sign_out()
        self._outbox.clear()
        self._sync.clear()
        self._talk.clear()
        self._history.clear()
        self._end_session(Trigger.SIGN_OUT, None)

    def send(self, text: str, *, mentions: tuple[str, ...] = (), now: float,
             reply_to: str | None = None) -> str:
        """Queue a message and return its id; ``mentions``: ids of the users picked
        (sent where the server has mentions, at most MAX_MENTIONS); ``reply_to``: the id
        of the one it answers (where the server has replies). Raises ValueError
        with a sentence for people if the text is empty or too long, or if the session's
        user is not known yet (a resumed session that has not reached the server): every
        message waiting in the outbox has an owner, so it is never sent as another
        account."""
        if self.phase not in SIGNED_IN:
            raise InvalidState(f"cannot send while {self.phase.value}")
        if self.user_id is None:
            raise ValueError(texts.NOT_RESUMED)
        content = content_of(text, min(self.config.max_length,
                                       self._schema.caps.max_length or self.config.max_length))
        message_id = self._new_id()
        picked = tuple(dict.fromkeys(m for m in mentions if isinstance(m, str) and m))
        self._outbox.add(message_id, content, picked[:MAX_MENTIONS],
                         reply_to if self.features.replies else None)
        self._pump()
        return message_id

    def retry(self, message_id: str, *, now: float) -> None:
        """Send a failed message again, after the others waiting."""
        if self._outbox.retry(message_id):
            self._pump()

    def discard(self, message_id: str, *, now: float) -> None:
        """Drop a failed message from the outbox."""
        self._outbox.discard(message_id)

    def retry_now(self, *, now: float) -> None:
        """The user asked to reconnect now (after giving up, or while waiting)."""
        if self.phase is Phase.GAVE_UP:
            self._connection.restart_count()
        self._connect(Trigger.RETRY_NOW, now)

    def network_changed(self, online: bool, *, now: float) -> None:
        """The browser's online/offline signal. Online again retries at once."""
        self._connection.online = online
        if online:
            self._connect(Trigger.ONLINE, now)
        elif self._fire(Trigger.OFFLINE):
            self._out.cancel_timer(Timer.RECONNECT)
            self._connection.stop_probing()

    # --- Inputs: the adapter ----------------------------------------------------------------

    def http_response(self, request_id: int, status: int, body: Any, *, now: float) -> None:
        """A REST answer: ``body`` is the parsed JSON (or None)."""
        if self._session.revoking(request_id, status, body):
            return
        match self._out.answered(request_id):
            case Purpose.LOGIN:
                self._on_login(status, body, now)
            case Purpose.REFRESH:
                self._on_refresh(status, body, now)
            case Purpose.PROBE:
                self._on_probe(200 <= status < 300, now)
            case Purpose.PEOPLE:
                self._people.answered(status, body, self._session.access_token)
            case Purpose.FIELDS | Purpose.PERMISSIONS as purpose:
                if self._schema.answer(purpose, status, body):
                    self._learned(now)
            case Purpose.EDIT_WINDOW:
                self._talk.window_answer(status, body)
            case Purpose.READ_POSITION | Purpose.SAVE_POSITION as purpose:
                self._unread.answered(purpose, status, body, self._session.access_token, now)

    def http_failed(self, request_id: int, failure: Failure = Failure.NETWORK, *,
                    now: float) -> None:
        """A REST request got no answer."""
        self._session.unanswered(request_id)
        why = (texts.CORS_REFUSED if failure is Failure.CORS
               else texts.UNREACHABLE_SIGN_IN).format(url=self.config.directus_url)
        match self._out.answered(request_id):
            case Purpose.LOGIN:
                self._end_session(Trigger.SESSION_ENDED, why if self._connection.online
                                  else texts.OFFLINE_SIGN_IN)
            case Purpose.REFRESH:
                self._refresh_failed(why, now)
            case Purpose.PROBE:
                self._on_probe(False, now)
            case Purpose.FIELDS | Purpose.PERMISSIONS:
                self._schema.unanswered()
                self._lost(self._unreachable, now)
            case Purpose.READ_POSITION | Purpose.SAVE_POSITION as purpose:
                self._unread.unanswered(purpose)

    def socket_opened(self, conn: int, *, now: float) -> None:
        if not self._connection.is_current(conn) or not self._fire(Trigger.SOCKET_OPEN):
            return
        self._connection.heard(now)
        self._send_auth()

    def socket_closed(self, conn: int, code: int = 1006, reason: str = "", *,
                      now: float) -> None:
        if not self._connection.is_current(conn):
            return
        self._connection.closed()  # the adapter closed it already: send no CloseSocket
        log.info("socket closed (code %s)", code)
        self._lost(self._unreachable, now)

    def timer_fired(self, timer: Timer, *, now: float) -> None:
        if not self._out.fired(timer):
            return
        match timer:
            case Timer.RECONNECT:
                self._connect(Trigger.RECONNECT_DUE, now)
            case Timer.REFRESH:
                self._session.start_refresh()
            case Timer.WATCHDOG:
                self._watch(now)
            case Timer.BUSY:  # the rate limit's wait is over
                self._requests.release()
                self._pump()
            case Timer.READ_POSITION:
                self._unread.save(self._session.access_token, now)
            case Timer.PROBE:
                self._connection.probe_due(self.phase)

    # --- The session ------------------------------------------------------------------------

    def _end_session(self, trigger: Trigger, reason: str | None) -> None:
        """Signed out: by the user (reason None) or because the session cannot go on."""
        self._drop_socket(code=1000, reason="signed out")
        self._out.cancel_timers()
        self._out.forget_requests()
        self._session.end(forget=reason is None)
        self._people.reset()
        self._schema.reset()
        self._unread.reset()
        self._connection.reset()
        self._fire(trigger, reason=reason)

    # --- The connection ---------------------------------------------------------------------

    def _connect(self, trigger: Trigger, now: float) -> None:
        if not self._fire(trigger):
            return
        self._out.cancel_timer(Timer.RECONNECT)
        if self._session.expires_soon(now):
            self._session.start_refresh()  # its answer connects
        elif not self._schema.known:
            self._schema.learn(self._session.access_token)  # its answers connect
        else:
            self._connection.open(now)

    def _learned(self, now: float) -> None:
        """What the server has is known: connect, unless the chat cannot work there."""
        if (problem := self._schema.problem(self.config.directus_url)) is not None:
            return self._end_session(Trigger.SESSION_ENDED, problem)
        for text in self._schema.notices(self.config.directus_url):
            self._out.emit(Notice(text=text))
        if self.phase is Phase.CONNECTING and self._connection.conn is None:
            self._connection.open(now)
        self._talk.ask_window(self._session.access_token)

    def _lost(self, reason: str, now: float) -> None:
        """Drop the socket (if any) and schedule the next attempt."""
        self._drop_socket(code=4000, reason="reconnecting")
        trigger, retry_in = self._connection.lost(now)
        if trigger is Trigger.GIVE_UP:
            reason = texts.GAVE_UP.format(n=self.config.max_attempts) + " " + reason
        self._fire(trigger, retry_in=retry_in, reason=reason)

    @property
    def _unreachable(self) -> str:
        return texts.UNREACHABLE.format(url=self.config.directus_url)

    def _drop_socket(self, *, code: int, reason: str) -> None:
        self._connection.close(code=code, reason=reason)
        self._requests.clear()
        self._sync.unsubscribe()
        self._outbox.unsend()
        self._talk.unsend()

    def _watch(self, now: float) -> None:
        live = self.phase is Phase.LIVE
        if not self._connection.healthy(now, live=live):
            return self._lost(self._unreachable, now)
        if live and not self._connection.paused:
            if self._requests.expire(now):
                return self._lost(self._unreachable, now)
            self._pump()  # the next may go, if a create was given up
        self._connection.watch_later()

    def _on_probe(self, up: bool, now: float) -> None:
        if self._connection.probe_answered(up, self.phase):
            self._connect(Trigger.SERVER_BACK, now)

    # --- Requests ---------------------------------------------------------------------------

    def _pump(self) -> None:
        """Send the next items request if the socket may take one."""
        if self._sync.subscribed and self._connection.ready:
            self._requests.pump()

    def _caught_up(self, now: float) -> None:
        """A read after the subscription's init was answered: live once none is left."""
        if not self._requests.reading and self._fire(Trigger.SYNCED):
            self._connection.went_live(now)
            self._unread.live(self._session.access_token)
            if self._schema.caps.users.allowed:
                self._people.load(self._session.access_token, avatars=self._schema.caps.avatars)

    def _stored(self, key: MessageId) -> None:
        """The server shows a message stored (by its client key): if it is ours, it
        leaves the outbox."""
        if isinstance(key, str) and self._outbox.stored(key):
            self._requests.forget(key)

    # --- Phases -----------------------------------------------------------------------------

    def _fire(self, trigger: Trigger, *, retry_in: float | None = None,
              reason: str | None = None) -> bool:
        """Move to the phase the table gives for ``trigger`` (InvalidState if it has
        none); False if the trigger changes nothing in this phase."""
        phase = next_phase(self.phase, trigger)
        if phase is None:
            return False
        self.phase = phase
        self._flush()
        self._out.emit(PhaseChanged(phase=phase, attempt=self._connection.attempt,
                                    retry_in=retry_in, reason=reason, user_id=self.user_id))
        return True

    def _flush(self) -> None:
        """Turn the changes collected since the last flush into events."""
        self._sync.flush()
        self._outbox.flush()
        self._talk.flush()
        self._history.flush()


"""The chat core: the Directus protocol and the client as a state machine, in plain
Python with no I/O, clock or randomness of its own (inputs in, actions and events out).
This is its public face: ``ChatClient`` (client.py), its ``Config``, the actions for an
adapter and the events for a view. It imports nothing of the browser, so the same core
runs in the page (chat.browser) and in CPython (chat.headless). An adapter calls an
input, then performs the actions and hands the events to the view (chat.loop does this
for every adapter)::

    client = ChatClient(Config(directus_url="http://127.0.0.1:8055"),
                        new_id=lambda: str(uuid.uuid4()), random=random.random)
    client.sign_in("alice@example.com", "secret", now=time.monotonic())
    for action in client.take_actions():
        ...  # OpenSocket, SendFrame, CloseSocket, HttpRequest, SetTimer, CancelTimer, SaveSession
    for event in client.take_events():
        ...  # PhaseChanged, TimelineChanged, OutboxChanged, Notice, ScrollbackChanged,
             # SearchChanged, ShowMessage, and where the server
             # has them: ReactionsChanged, QuotesChanged, ChangesWaiting
    client.history.load_older(now=...)    # scrollback and search: the user's inputs there

What the client guarantees (docs/RELIABILITY.md has the tests and figures):
- one owner for the single-use refresh token, refreshed over REST before the access
  token expires, a failed refresh retried on a backoff; nothing is sent between
  ``TOKEN_EXPIRED`` and the next ``auth`` ``ok``;
- sign-out revokes the session, also when a refresh in flight rotates its token (the
  token it brings is logged out too);
- exactly one live subscription per socket, uids never reused;
- what the server has is learned once per session, before the socket opens
  (``ChatClient.capabilities``, chat/core/schema.py), and only fields that exist and may
  be read are asked for; ids are uuids or, on the tutorial's collection, integers;
- every message typed is sent exactly once where the collection has a client key (a
  uuid ``id``, or ``client_id``): it has a client-made UUID in that field, waits in the
  outbox across disconnects and is confirmed by its reply, its own create event or,
  after ``RECORD_NOT_UNIQUE``, by reading it back by that key. Without a key (an integer
  collection not upgraded by server.provision) only its reply confirms it, and one
  retried after a lost reply may be stored twice;
- the user is known from every token taken, however the session started, and nothing
  is queued before it is: a message waiting in the outbox is only ever sent as the
  account that typed it;
- tabs of one browser kept signed in share the session: one refreshes at a time, with
  the newest token (the adapter's lock), and the others take the token it brings
  (``session_elsewhere``); an outbox a closed page left comes back only to its account
  (``restore_outbox``, shared.py);
- no password or token in any repr of an action or event (so in no log line or test
  report either);
- edits, deletes and reactions made here wait in order across disconnects and are done
  exactly once (conversation.py); one reactions subscription per socket, and the
  reactions of every page read, so nothing done while away is missing;
- at most one ``items`` request in flight, because Directus 11 sends error frames for
  them without the uid;
- after every (re)connect the newest page is merged and any larger gap read from where
  the timeline was complete (as pages, reads and the subscription's events showed it,
  never the replies to our own creates, which overtake a busy server's queued events),
  then what is newer than the page read once more (Directus reads the page before it
  registers the subscription), all before the outbox goes and the phase is live:
  nothing created while away or while subscribing is missing, and nothing shows twice;
- scrollback reads the page before the oldest message loaded with a keyset on
  ``date_created`` (the ids loaded at that date excluded), so the timeline stays one
  unbroken stretch up to the newest message, each message once; a search sends its text
  only as a value in a filter object, and a read the user asked for that fails or goes
  unanswered fails alone (the socket stays), and one lost with the socket is sent again;
- back within seconds of the server answering again, however long it was down: while
  waiting, a cheap probe (``GET /server/ping``, every ~2 s, jittered) decides when to
  reconnect; the socket's backoff still spaces the attempts when the server answers but
  the socket fails.
"""

from chat.core.actions import (
    Action,
    CancelTimer,
    CloseSocket,
    Failure,
    HttpRequest,
    Method,
    OpenSocket,
    SaveSession,
    SendFrame,
    SetTimer,
    Timer,
)
from chat.core.client import ChatClient
from chat.core.config import Config
from chat.core.events import (
    ChangesWaiting,
    Event,
    Notice,
    OutboxChanged,
    OutboxState,
    Outgoing,
    PeopleChanged,
    Person,
    PhaseChanged,
    Quote,
    QuotesChanged,
    Reaction,
    ReactionsChanged,
    ReadPositionChanged,
    Scrollback,
    ScrollbackChanged,
    SearchChanged,
    SearchState,
    ShowMessage,
    TimelineChanged,
)
from chat.core.features import Features
from chat.core.phases import (
    CONNECTED,
    DOWN,
    IGNORED,
    SIGNED_IN,
    TRANSITIONS,
    InvalidState,
    Phase,
    Trigger,
)
from chat.core.protocol import Message
from chat.core.texts import (
    CORS_REFUSED,
    ENDED_ELSEWHERE,
    GAVE_UP,
    NO_ACCESS,
    NO_ANSWER,
    NOT_RESUMED,
    OFFLINE_SIGN_IN,
    SERVER_BUSY,
    SESSION_EXPIRED,
    UNREACHABLE,
    UNREACHABLE_SIGN_IN,
    WRONG_PASSWORD,
)

__all__ = [
    "CONNECTED", "CORS_REFUSED", "DOWN", "ENDED_ELSEWHERE", "GAVE_UP", "IGNORED",
    "NO_ACCESS", "NO_ANSWER", "NOT_RESUMED", "OFFLINE_SIGN_IN", "SERVER_BUSY",
    "SESSION_EXPIRED", "SIGNED_IN", "TRANSITIONS", "UNREACHABLE", "UNREACHABLE_SIGN_IN",
    "WRONG_PASSWORD",
    "Action", "CancelTimer", "ChangesWaiting", "ChatClient", "CloseSocket", "Config",
    "Event", "Failure", "Features",
    "HttpRequest", "InvalidState", "Message", "Method", "Notice", "OpenSocket",
    "OutboxChanged", "OutboxState", "Outgoing", "PeopleChanged", "Person", "Phase",
    "PhaseChanged", "Quote", "QuotesChanged", "Reaction", "ReactionsChanged",
    "ReadPositionChanged", "SaveSession", "Scrollback", "ScrollbackChanged",
    "SearchChanged", "SearchState", "SendFrame", "SetTimer", "ShowMessage", "TimelineChanged",
    "Timer", "Trigger",
]

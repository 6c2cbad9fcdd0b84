"""The chat core: the Directus protocol and the client as a state machine, in plain
Python with no I/O, clock or randomness of its own (inputs in, actions and events out).

This is its public face; the modules behind it are free to change.
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
    CORS_REFUSED,
    GAVE_UP,
    NO_ACCESS,
    NO_ANSWER,
    NOT_RESUMED,
    SERVER_BUSY,
    SESSION_EXPIRED,
    UNREACHABLE,
    UNREACHABLE_SIGN_IN,
    WRONG_PASSWORD,
    Event,
    Notice,
    OutboxChanged,
    OutboxState,
    Outgoing,
    PhaseChanged,
    TimelineChanged,
)
from chat.core.phases import CONNECTED, DOWN, SIGNED_IN, InvalidState, Phase
from chat.core.protocol import Message

__all__ = [
    "CONNECTED", "CORS_REFUSED", "DOWN", "GAVE_UP", "NO_ACCESS", "NO_ANSWER", "NOT_RESUMED",
    "SERVER_BUSY", "SESSION_EXPIRED", "SIGNED_IN", "UNREACHABLE", "UNREACHABLE_SIGN_IN",
    "WRONG_PASSWORD",
    "Action", "CancelTimer", "ChatClient", "CloseSocket", "Config", "Event", "Failure",
    "HttpRequest", "InvalidState", "Message", "Method", "Notice", "OpenSocket",
    "OutboxChanged", "OutboxState", "Outgoing", "Phase", "PhaseChanged", "SaveSession",
    "SendFrame", "SetTimer", "TimelineChanged", "Timer",
]

"""The chat core: the Directus protocol and the client as a state machine, in plain
Python with no I/O, clock or randomness of its own (inputs in, actions and events out).

This is its public face; the modules behind it are free to change.
"""

from chat.core.client import (
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
    Action,
    CancelTimer,
    ChatClient,
    CloseSocket,
    Config,
    Event,
    HttpRequest,
    InvalidState,
    Method,
    Notice,
    OpenSocket,
    OutboxChanged,
    Outgoing,
    Phase,
    PhaseChanged,
    SendFrame,
    SessionSaved,
    SetTimer,
    TimelineChanged,
)
from chat.core.protocol import Message

__all__ = [
    "CORS_REFUSED", "GAVE_UP", "NO_ACCESS", "NO_ANSWER", "NOT_RESUMED", "SERVER_BUSY",
    "SESSION_EXPIRED", "UNREACHABLE", "UNREACHABLE_SIGN_IN", "WRONG_PASSWORD",
    "Action", "CancelTimer", "ChatClient", "CloseSocket", "Config", "Event", "HttpRequest",
    "InvalidState", "Message", "Method", "Notice", "OpenSocket", "OutboxChanged", "Outgoing",
    "Phase", "PhaseChanged", "SendFrame", "SessionSaved", "SetTimer", "TimelineChanged",
]

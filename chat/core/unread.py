"""The read position: how far the user has read, kept on the server in their own row
of ``read_positions`` (docs/SCHEMA.md, "Read position") so that another device or a
reload comes back to it; where the server has no such collection, only in the browser.

It only moves forward. Read once the session is live (``live``); a move is saved at
most every ``SAVE_EVERY`` seconds (the newest move wins), by creating the row the first
time (``RECORD_NOT_UNIQUE``: another device made it just now, so read it again) and
updating it by id after. Where the server has channels, it is general's row (a create
without ``channel`` is general's). Every change is a ``ReadPositionChanged`` event, and so is
the moment the server's is known (or known to be missing): the view draws the unread
marks from them, and marks messages read only after that one, so that a page opened
at the end of the list cannot move the position past what was unread before the
server said where it was. The adapter keeps the position in the browser, and gives it
back at the next sign-in with ``kept``.
"""

from __future__ import annotations

import logging
from typing import Any

from chat.core import protocol
from chat.core.actions import Method, Timer
from chat.core.events import ReadPositionChanged
from chat.core.output import Output, Purpose
from chat.core.schema import Schema

log = logging.getLogger("chat")

COLLECTION = "read_positions"
SAVE_EVERY = 3.0  # seconds between saves of the position
# The channel every message without one is in (docs/CHANNELS.md): this client shows
# general, so its position is general's row, where the server has channels.
GENERAL = "06f75805-89de-4dcd-baf9-8c14401aeb44"
_FIELDS = "id,last_read,last_read_date"

Position = tuple[float, str]  # (date_created, str(id)) of the newest message read


class ReadPosition:
    def __init__(self, out: Output, schema: Schema) -> None:
        self._out = out
        self._schema = schema
        self.reset()

    def reset(self) -> None:
        """No session: nothing known."""
        self.position: Position | None = None
        self._message_id: protocol.MessageId | None = None
        self._row: Any = None  # the id of the user's row, once known
        self._loaded = False  # the server's row was read this session
        self.settled = False  # what the server has is known (or that it has none)
        self._loading = False
        self._saving = False
        self._saved: Position | None = None  # what the server has, as far as we know
        self._sent: Position | None = None  # what the save in flight brings it
        self._saved_at = float("-inf")

    @property
    def message_id(self) -> protocol.MessageId | None:
        """The id of the newest message read, as the server sent it, if known."""
        return self._message_id

    def kept(self, message_id: protocol.MessageId, created: float) -> None:
        """The position the browser kept for this user (from an earlier page)."""
        self._move(message_id, created)

    def read_up_to(self, message_id: protocol.MessageId, created: float, token: str | None,
                   now: float) -> None:
        """The user has seen everything up to this message."""
        if self._move(message_id, created):
            self.save(token, now)

    def live(self, token: str | None) -> None:
        """The session is live: read the server's row, once a session."""
        if not self._schema.caps.read_positions:
            return self._settle()
        if self._loaded or self._loading:
            return
        self._loading = True
        general = f"&filter[channel][_eq]={GENERAL}" if self._schema.caps.has("channel") else ""
        self._out.request(Purpose.READ_POSITION,
                          f"/items/{COLLECTION}?fields={_FIELDS}&limit=1{general}",
                          None, method=Method.GET, token=token)

    def save(self, token: str | None, now: float) -> None:
        """Save the position if it moved, unless too soon (then when it is due)."""
        if (not self._loaded or self._saving or self.position is None
                or self.position == self._saved):
            return
        wait = self._saved_at + SAVE_EVERY - now
        if wait > 0:
            self._out.set_timer(Timer.READ_POSITION, wait)
            return
        self._saving, self._saved_at = True, now
        data = {"last_read": self._message_id,
                "last_read_date": protocol.format_time(self.position[0])}
        if self._row is None:
            self._out.request(Purpose.SAVE_POSITION, f"/items/{COLLECTION}", data, token=token)
        else:
            self._out.request(Purpose.SAVE_POSITION, f"/items/{COLLECTION}/{self._row}", data,
                              method=Method.PATCH, token=token)
        self._sent = self.position

    def answered(self, purpose: Purpose, status: int, body: Any, token: str | None,
                 now: float) -> None:
        data = body.get("data") if isinstance(body, dict) else None
        if purpose is Purpose.READ_POSITION:
            self._loading = False
            if status != 200 or not isinstance(data, list):
                log.warning("the read position was not read (%s)", status)
                return self._settle()
            self._loaded = True
            row = data[0] if data and isinstance(data[0], dict) else None
            if row is not None:
                self._row = row.get("id")
                created = protocol.parse_time(row.get("last_read_date"))
                if created is not None and row.get("last_read") is not None:
                    self._saved = (created, str(row["last_read"]))
                    self._move(row["last_read"], created)
            self._settle()
        else:
            self._saving = False
            if status == 200 and isinstance(data, dict):
                self._row, self._saved = data.get("id", self._row), self._sent
            elif _code(body) == "RECORD_NOT_UNIQUE":  # another device made the row just now
                self._loaded = False
                return self.live(token)
            else:
                log.warning("the read position was not saved (%s)", status)
                return
        self.save(token, now)

    def unanswered(self, purpose: Purpose) -> None:
        if purpose is Purpose.READ_POSITION:
            self._loading = False
            self._settle()
        else:
            self._saving = False

    def _settle(self) -> None:
        if not self.settled:
            self.settled = True
            known = self.position is not None
            self._out.emit(ReadPositionChanged(
                message_id=self._message_id if known else None,
                created=self.position[0] if self.position is not None else None))

    def _move(self, message_id: protocol.MessageId, created: float) -> bool:
        position = (created, str(message_id))
        if self.position is not None and position <= self.position:
            return False
        self.position, self._message_id = position, message_id
        self._out.emit(ReadPositionChanged(message_id=message_id, created=created))
        return True


def _code(body: Any) -> str | None:
    try:
        return body["errors"][0]["extensions"]["code"]
    except (TypeError, KeyError, IndexError):
        return None

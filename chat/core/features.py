"""What the conversation around messages may offer: edit, delete, replies, reactions
and the edit window, from what the server has (schema.py's Capabilities; docs/SCHEMA.md,
"Telling what the server has"). A tutorial database has none of these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from chat.core import protocol
from chat.core.schema import Capabilities

# The reactions field's choices on a provisioned server, in order (docs/SCHEMA.md).
EMOJI = ("👍", "👎", "❤️", "😂", "😮", "😢", "😡", "🎉", "🙏", "👀", "🔥", "✅", "❌", "💯",
         "🚀", "🤔", "👏", "🙌", "😄", "😍", "😅", "💡", "⭐", "👋")
EDIT_WINDOW = 15 * 60.0  # seconds, when the server's rule cannot be read


@dataclass(frozen=True, kw_only=True)
class Features:
    edit: bool = False
    delete: bool = False
    replies: bool = False
    reactions: bool = False
    edit_window: float | None = EDIT_WINDOW  # seconds after sending; None: no window
    emoji: tuple[str, ...] = EMOJI

    def changeable(self, message: protocol.Message, user_id: str | None,
                   wall_now: float) -> bool:
        """May ``user_id`` still edit or delete ``message`` (at ``wall_now``, seconds
        since the epoch)? The server decides; this only says whether to offer it."""
        if not (self.edit or self.delete) or user_id is None or message.user_id != user_id:
            return False
        return self.edit_window is None or wall_now - message.created < self.edit_window


_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_NOW = re.compile(r"^\$NOW\(-\s*(\d+)\s*(second|minute|hour|day)s?\s*\)$")
UNKNOWN = -1.0  # the window was not read: assume EDIT_WINDOW


@lru_cache(maxsize=8)
def features_of(caps: Capabilities, edit_window: float | None = UNKNOWN) -> Features:
    features = Features(edit=caps.can_edit, delete=caps.can_delete, replies=caps.replies,
                        reactions=caps.reactions)
    return features if edit_window == UNKNOWN else replace(features, edit_window=edit_window)


def edit_window(status: int, body: Any) -> float | None:
    """The edit window in seconds from ``GET /permissions`` (the update rules of
    messages readable by their own policies): the ``date_created`` ``_gte``
    ``$NOW(-N minutes)`` part of the rule; None if the rule has none; UNKNOWN if the
    answer shows no update rule (or is not 200)."""
    rows = body.get("data") if status == 200 and isinstance(body, dict) else None
    rules = [row.get("permissions") for row in rows if isinstance(row, dict)
             and row.get("collection") == "messages" and row.get("action") == "update"
             ] if isinstance(rows, list) else []
    if not rules:
        return UNKNOWN
    windows = [w for rule in rules for w in _windows(rule)]
    return min(windows) if windows else None


def _windows(rule: Any):
    """Every ``date_created`` ``_gte`` ``$NOW(-N unit)`` in a rule, in seconds."""
    if isinstance(rule, list):
        for part in rule:
            yield from _windows(part)
    elif isinstance(rule, dict):
        for name, value in rule.items():
            gte = value.get("_gte") if name == "date_created" and isinstance(value, dict) else None
            if isinstance(gte, str) and (match := _NOW.match(gte.strip())):
                yield int(match.group(1)) * _UNITS[match.group(2)]
            else:
                yield from _windows(value)

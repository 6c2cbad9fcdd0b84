"""What the conversation around messages may offer: edit, delete, replies, reactions
and the edit window, from what the server has (schema.py's Capabilities; docs/SCHEMA.md,
"Telling what the server has"). A tutorial database has none of these.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

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


@lru_cache(maxsize=4)
def features_of(caps: Capabilities) -> Features:
    """The window is the default: the server's rule is not read yet (a FORBIDDEN on
    one's own message then says the window has passed)."""
    return Features(edit=caps.can_edit, delete=caps.can_delete, replies=caps.replies,
                    reactions=caps.reactions)

"""What the server offers beyond the tutorial's send and read, as the client uses it:
edit, delete, replies, reactions and the edit window (docs/SCHEMA.md, "Telling what the
server has"). Nothing is offered until the adapter says what the server has: a tutorial
database has none of these, and asking it for a field it lacks fails the whole query.
"""

from __future__ import annotations

from dataclasses import dataclass

from chat.core import protocol

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

    @property
    def message_fields(self) -> tuple[str, ...]:
        """What to ask for of a message: ``reply_to`` only where it exists."""
        return protocol.REPLY_FIELDS if self.replies else protocol.MESSAGE_FIELDS

    def changeable(self, message: protocol.Message, user_id: str | None,
                   wall_now: float) -> bool:
        """May ``user_id`` still edit or delete ``message`` (at ``wall_now``, seconds
        since the epoch)? The server decides; this only says whether to offer it."""
        if not (self.edit or self.delete) or user_id is None or message.user_id != user_id:
            return False
        return self.edit_window is None or wall_now - message.created < self.edit_window


NONE = Features()
PROVISIONED = Features(edit=True, delete=True, replies=True, reactions=True)

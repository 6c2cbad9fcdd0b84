"""The client's inputs for the conversation around messages (edit, delete, react), and
what of it the server offers: a part of ChatClient (client.py), kept here so that each
module stays small. The work is conversation.py's."""

from __future__ import annotations

from chat.core import texts
from chat.core.conversation import Conversation
from chat.core.features import Features
from chat.core.history import History
from chat.core.outbox import content_of
from chat.core.phases import SIGNED_IN, InvalidState, Phase
from chat.core.protocol import MessageId


class TalkInputs:
    config: object
    phase: Phase
    _talk: Conversation
    _history: History

    def _pump(self) -> None: ...

    @property
    def features(self) -> Features:
        return self._talk.features

    def edit(self, message_id: str, text: str, *, now: float) -> None:
        """Change the text of one of the user's stored messages. Raises ValueError with
        a sentence for people if the text is empty or too long, or the message cannot be
        changed from here (the server decides the rest: a refusal comes as a Notice)."""
        self._signed_in()
        self._talk.edit(message_id, content_of(text, self.config.max_length))  # type: ignore[attr-defined]
        self._pump()

    def delete(self, message_id: str, *, now: float) -> None:
        """Delete one of the user's stored messages."""
        self._signed_in()
        self._talk.delete(message_id)
        self._pump()

    def react(self, message_id: str, emoji: str, *, now: float) -> None:
        """Toggle the user's ``emoji`` under a message."""
        self._signed_in()
        self._talk.react(message_id, emoji)
        self._pump()

    def show_original(self, message_id: MessageId, *, now: float) -> None:
        """Bring the message a reply quotes into view, reading older history back to it
        if needed (a ShowMessage event follows). ValueError if it is gone."""
        message = self._talk.original(message_id)
        if message is None:
            raise ValueError(texts.ORIGINAL_GONE)
        self._history.reach(message)

    def _signed_in(self) -> None:
        if self.phase not in SIGNED_IN:
            raise InvalidState(f"cannot change messages while {self.phase.value}")
        if getattr(self, "user_id", None) is None:
            raise ValueError(texts.NOT_RESUMED)

"""The reactions under a message: one button per emoji with its count, pressed when one
of them is the reader's, naming who reacted on hover (title) and on focus (its label,
and a tooltip drawn from ``data-who``). All user text goes in as text."""

from __future__ import annotations

from chat.core import Reaction
from chat.ui.dom import el

QUICK = ("👍", "❤️", "😂", "🎉", "😮", "🙏")  # offered first in the menu


def who(reactions: tuple[Reaction, ...], user_id: str | None) -> str:
    names = ["you" if r.user_id == user_id else (r.user_name or "someone") for r in reactions]
    return ", ".join(names)


def row(reactions: tuple[Reaction, ...], user_id: str | None):
    """The node of a message's reactions (None if it has none), emoji in first-use order."""
    if not reactions:
        return None
    by_emoji: dict[str, list[Reaction]] = {}
    for reaction in reactions:
        by_emoji.setdefault(reaction.emoji, []).append(reaction)
    node = el("div", "reactions", role="group", aria_label="Reactions")
    for emoji, these in by_emoji.items():
        names = who(tuple(these), user_id)
        mine = any(r.user_id == user_id for r in these)
        button = el("button", "reaction", f"{emoji} {len(these)}", type="button",
                    title=f"{emoji} {names}", aria_pressed="true" if mine else "false",
                    aria_label=f"{emoji} {len(these)}: {names}")
        button.dataset.emoji = emoji
        button.dataset.who = names
        node.append(button)
    return node

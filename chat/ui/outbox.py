"""The messages typed here and not yet stored, under the list: waiting for the
connection, sending, or failed with Retry and Discard."""

from __future__ import annotations

from chat.core import OutboxState, Outgoing
from chat.ui.dom import el, listen


class OutboxList:
    def __init__(self, node, app) -> None:
        self._node = node
        self._app = app
        self._listeners = listen([(node, "click", self._on_click)])

    def draw(self, entries: tuple[Outgoing, ...], *, live: bool, my_name: str | None) -> None:
        self._node.replaceChildren(*[self._entry(e, live, my_name) for e in entries])

    def _entry(self, entry: Outgoing, live: bool, my_name: str | None):
        node = el("article", f"msg own {entry.state.value}", data_id=entry.id)
        meta = el("p", "meta")
        meta.append(el("span", "author", my_name or "You"))
        if entry.state == OutboxState.FAILED:
            state = entry.error or "Not sent."
        elif entry.state == OutboxState.SENDING or live:
            state = "Sending…"
        else:
            state = "Waiting for the connection…"
        meta.append(el("span", "state", state))
        node.append(meta, el("p", "text", entry.content))
        if entry.state == OutboxState.FAILED:
            actions = el("p", "actions")
            short = entry.content[:40]
            for action, label in (("retry", "Retry"), ("discard", "Discard")):
                actions.append(el("button", "link", label, type="button", data_action=action,
                                  data_id=entry.id, aria_label=f"{label}: {short}"))
            node.append(actions)
        return node

    def _on_click(self, event) -> None:
        button = event.target.closest("button[data-action]")
        if button is None:
            return
        message_id = button.getAttribute("data-id")
        if button.getAttribute("data-action") == "retry":
            self._app.retry(message_id)
        else:
            self._app.discard(message_id)

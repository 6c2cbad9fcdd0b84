"""The day of the messages at the top of the list, in a bar above it (not over it: a
sticky label inside the list covered the first line of the message under it). It shows
only once that day's own heading has scrolled out of view."""

from __future__ import annotations


class DayBar:
    def __init__(self, node, log) -> None:
        self._node, self._log = node, log
        self._text: str | None = None

    def update(self, days) -> None:
        """``days``: the (section, heading) nodes of the days drawn, in order."""
        top = self._log.getBoundingClientRect().top
        text = ""
        for section, heading in days:
            if section.getBoundingClientRect().top > top:
                break
            # This day is at the top of the list: named here once its heading is gone.
            text = heading.textContent if heading.getBoundingClientRect().bottom <= top else ""
        if text != self._text:
            self._text = text
            self._node.textContent = text
            self._node.classList.toggle("shown", bool(text))

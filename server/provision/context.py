"""What every step gets: the Directus, the options, and one way to change or report.

A step looks at Directus and calls `ctx.change(...)` for each thing it must add or fix.
Applying (the default), the change is made and its `done` sentence printed; checking
(`--check`), nothing is made and the `missing` sentence is recorded with the command that
fixes it. `ctx.risk()` and `ctx.note()` report what the tool leaves to the admin.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from server.provision.api import Directus

T = TypeVar("T")


@dataclass(frozen=True)
class Options:
    lock_down: bool = False          # remove the Public policy's grants on the chat
    demo_users: bool = False         # create alice, bob and carol
    assign_chat_role: bool = False   # give users without a role the Chat User role
    check: bool = False              # change nothing; report what is missing
    edit_window: int | None = None   # minutes; None keeps the current one (edits.py)


class Kind(enum.Enum):
    MISSING = "Missing"   # the app needs it; applying adds it; --check fails on it
    RISK = "Risk"         # a grant wider than the app needs; removed only on request
    NOTE = "Note"         # worth knowing; nothing to fix for the app itself


@dataclass(frozen=True)
class Finding:
    kind: Kind
    text: str
    flags: tuple[str, ...] = ()   # the flags of the command that fixes it
    how: str = ""                 # or, when this tool cannot fix it, what to do instead


@dataclass
class Report:
    changes: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def of(self, kind: Kind) -> list[Finding]:
        return [f for f in self.findings if f.kind is kind]


class Context:
    def __init__(self, api: Directus, options: Options, steps: tuple,
                 out: Callable[[str], None]):
        self.api = api
        self.options = options
        self.steps = steps  # the step modules, in order (server/provision/steps.py)
        self.report = Report()
        self._out = out
        self._fields: dict[str, dict | None] = {}

    def change(self, done: str, missing: str, apply: Callable[[], T],
               flags: tuple[str, ...] = ()) -> T | None:
        """Make one change (print `done`), or when checking record `missing` instead."""
        if self.options.check:
            self.report.findings.append(Finding(Kind.MISSING, missing, flags))
            return None
        result = apply()
        self._fields.clear()  # the schema may have changed
        self.report.changes.append(done)
        self._out(done)
        return result

    def risk(self, text: str, flags: tuple[str, ...] = ()) -> None:
        self.report.findings.append(Finding(Kind.RISK, text, flags))

    def note(self, text: str, flags: tuple[str, ...] = (), how: str = "") -> None:
        self.report.findings.append(Finding(Kind.NOTE, text, flags, how))

    def fields(self, collection: str) -> dict[str, dict] | None:
        """The collection's fields by name, as GET /fields answers; None if it is missing."""
        if collection not in self._fields:
            names = {c["collection"] for c in self.api.get("/collections")}
            self._fields[collection] = (
                {f["field"]: f for f in self.api.get(f"/fields/{collection}")}
                if collection in names else None)
        return self._fields[collection]

    def find_one(self, path: str, **equal) -> dict | None:
        query = {f"filter[{k}][_eq]": v for k, v in equal.items()}
        rows = self.api.get(path, limit=1, **query)
        return rows[0] if rows else None

"""pyscript.toml's [files] table is the one list of the page's Python files: it names
every file of chat/ the page needs and nothing else, and the snapshot takes the core
from it (tools/vendor.py)."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

from tools import vendor

ROOT = Path(__file__).resolve().parent.parent.parent
NOT_FOR_THE_PAGE = {"chat/headless.py"}  # the CPython adapter


def page_files(root: Path) -> dict[str, str]:
    return tomllib.loads((root / "pyscript.toml").read_text(encoding="utf-8"))["files"]


def listing_problems(files: dict[str, str], root: Path) -> list[str]:
    """What is wrong with a [files] table for the chat package under ``root``."""
    problems = []
    listed = set()
    for source, target in files.items():
        path = source.removeprefix("./")
        listed.add(path)
        if source != target:
            problems.append(f"{source} is written to {target}: the page imports it from "
                            "where it lies")
        if not (root / path).is_file():
            problems.append(f"{path} is listed but does not exist")
        if path in NOT_FOR_THE_PAGE:
            problems.append(f"{path} is listed but is not for the page")
    package = {p.relative_to(root).as_posix() for p in (root / "chat").rglob("*.py")}
    for path in sorted(package - NOT_FOR_THE_PAGE - listed):
        problems.append(f"{path} is missing from the list")
    return problems


def imported_chat_files(root: Path, start: str = "main.py") -> set[str]:
    """The files of chat/ that ``start`` imports, directly or through each other."""
    def file_of(module: str) -> str | None:
        base = module.replace(".", "/")
        for candidate in (f"{base}/__init__.py", f"{base}.py"):
            if (root / candidate).is_file():
                return candidate
        return None

    found: set[str] = set()
    todo = [start]
    while todo:
        tree = ast.parse((root / todo.pop()).read_text(encoding="utf-8"))
        names = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names += [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for name in names:
            if name != "chat" and not name.startswith("chat."):
                continue
            parts = name.split(".")
            for depth in range(1, len(parts) + 1):  # chat.core.client needs chat, chat.core
                file = file_of(".".join(parts[:depth]))
                if file is not None and file not in found:
                    found.add(file)
                    todo.append(file)
    return found


def test_pyscript_toml_lists_every_page_file_of_chat_and_nothing_else():
    assert listing_problems(page_files(ROOT), ROOT) == []


def test_everything_the_page_imports_is_listed_and_the_cpython_adapter_is_not_imported():
    imported = imported_chat_files(ROOT)
    assert {"chat/__init__.py", "chat/browser.py", "chat/core/client.py"} <= imported
    listed = {source.removeprefix("./") for source in page_files(ROOT)}
    assert imported - listed == set()
    assert imported & NOT_FOR_THE_PAGE == set()


def test_the_listing_check_catches_a_missing_an_extra_and_a_wrong_file(tmp_path):
    for name in ("chat/__init__.py", "chat/core/__init__.py", "chat/new.py",
                 "chat/headless.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    files = {"./chat/__init__.py": "./chat/__init__.py",
             "./chat/core/__init__.py": "./chat/core/init.py",
             "./chat/gone.py": "./chat/gone.py",
             "./chat/headless.py": "./chat/headless.py"}
    assert listing_problems(files, tmp_path) == [
        "./chat/core/__init__.py is written to ./chat/core/init.py: the page imports it "
        "from where it lies",
        "chat/gone.py is listed but does not exist",
        "chat/headless.py is listed but is not for the page",
        "chat/new.py is missing from the list",
    ]


def test_the_snapshot_holds_the_core_as_pyscript_toml_lists_it():
    core = {p.relative_to(ROOT).as_posix() for p in (ROOT / "chat" / "core").glob("*.py")}
    assert set(vendor.snapshot_files()) == {"chat/__init__.py", *core}

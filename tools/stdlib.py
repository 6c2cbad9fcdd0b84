"""The standard library the page needs: Pyodide's zip cut down to what can be imported.

Run inside Pyodide (tools/snapshot.mjs, under Node) so that the sources parse with the
page's own Python; the logic is plain Python and unit-tested in CPython too.

    sources, packages = sources_of(zip_bytes)
    needed = closure(roots, sources, packages, page_sources)
    trimmed = trim(zip_bytes, needed)    # the same zip, only those modules' files

`roots` are the modules Python has imported once Pyodide has started; `page_sources`
the page's own Python (main.py, chat/, PyScript's package). The closure adds every
module any of those imports, anywhere in its source (inside functions, under `try`,
behind `if`): a module imported only on an error path is kept too. Not followed: what
only runs from the command line (`if __name__ == "__main__":`, COMMAND_LINE) and what
is of no use in a page (UNUSABLE). What no source names is dropped, except the codecs
in CODECS (looked up by name at run time).
"""

from __future__ import annotations

import ast
import io
import zipfile
from collections.abc import Iterable, Mapping

# Codecs Python looks up by name when text is encoded or decoded, beyond those imported
# at start-up (encodings.utf_8): the ones a browser page may meet.
CODECS = ("ascii", "latin_1", "utf_8_sig", "utf_16", "utf_32", "unicode_escape",
          "raw_unicode_escape")
# Module-level functions that only `python -m <module>` calls (random._main, ...).
COMMAND_LINE = ("main", "_main", "_test", "test")
# What cannot work in a browser page (processes, sockets, terminals) or is a tool for a
# person at a prompt (the REPL, help(), the debugger, test runners): not followed, not
# kept. Some modules keep an import of one of these in a function the page never calls
# (site -> _pyrepl for the REPL, _sitebuiltins -> pydoc for help(), concurrent.futures ->
# multiprocessing for process pools).
UNUSABLE = ("_pyrepl", "pydoc", "pydoc_data", "pdb", "bdb", "doctest", "unittest",
            "multiprocessing", "concurrent.futures.process", "concurrent.interpreters",
            "http.server", "socketserver", "webbrowser", "tkinter", "turtle", "idlelib",
            "ensurepip", "venv", "curses", "tty", "pty", "xmlrpc", "ftplib", "smtplib",
            "imaplib", "poplib", "urllib.request", "http.client", "http.cookiejar")


def module_entries(names: Iterable[str]) -> dict[str, str]:
    """The zip's Python files by module name: "a/b.py" and "a/b/__init__.py" -> "a.b"."""
    modules = {}
    for name in names:
        if not name.endswith(".py"):
            continue
        parts = name[:-3].split("/")
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = name
    return modules


def imported_by(source: str | bytes, module: str, is_package: bool) -> set[str]:
    """Every module name `source` (the text of `module`) may import, and their parents;
    not those imported only when it runs as a script (`if __name__ == "__main__":` and
    module-level functions named as COMMAND_LINE)."""
    names = set()
    package = module if is_package else module.rpartition(".")[0]
    todo = [node for node in ast.parse(source).body if not _command_line(node)]
    while todo:
        node = todo.pop()
        todo.extend(ast.iter_child_nodes(node))
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".") if package else []
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            names.add(base)
            # `from package import name` may name a submodule.
            names.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
        elif (isinstance(node, ast.Call) and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
              and _called(node.func) in ("__import__", "import_module")):
            names.add(node.args[0].value)
    return {".".join(name.split(".")[:i]) for name in names if name
            for i in range(1, name.count(".") + 2)}


def _command_line(node: ast.stmt) -> bool:
    """`if __name__ == "__main__":` or a function the command line calls (COMMAND_LINE)."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return node.name in COMMAND_LINE
    if isinstance(node, ast.If) and isinstance(node.test, ast.Compare) and not node.orelse:
        sides = [node.test.left, *node.test.comparators]
        return (any(isinstance(side, ast.Name) and side.id == "__name__" for side in sides)
                and any(isinstance(side, ast.Constant) and side.value == "__main__"
                        for side in sides))
    return False


def _called(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def closure(roots: Iterable[str], sources: Mapping[str, bytes], packages: set[str],
            extra_sources: Iterable[str | bytes] = ()) -> set[str]:
    """The modules of `sources` ({name: source}; `packages` are those that are) that
    `roots`, `extra_sources` (the page's own files) and the codecs in CODECS lead to,
    following imports."""
    todo = set(roots) | {f"encodings.{codec}" for codec in CODECS}
    for source in extra_sources:
        todo |= imported_by(source, "__main__", is_package=False)
    needed: set[str] = set()
    while todo:
        name = todo.pop()
        if name in needed or name not in sources or _unusable(name):
            continue  # built in, frozen, not Python at all, or of no use here
        needed.add(name)
        parents = {name.rsplit(".", i)[0] for i in range(1, name.count(".") + 1)}
        todo |= (imported_by(sources[name], name, name in packages) | parents) - needed
    return needed


def _unusable(name: str) -> bool:
    return any(name == other or name.startswith(other + ".") for other in UNUSABLE)


def trim(zip_bytes: bytes, modules: Iterable[str]) -> bytes:
    """The zip with only the files of `modules`, stored uncompressed: the server
    compresses the whole zip better than zip compresses each file, and imports need no
    inflating."""
    keep = set(modules)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target:
        entries = module_entries(source.namelist())
        for name in sorted(keep & entries.keys()):
            info = source.getinfo(entries[name])
            copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            copy.external_attr = info.external_attr
            target.writestr(copy, source.read(info))
    return out.getvalue()


def sources_of(zip_bytes: bytes) -> tuple[dict[str, bytes], set[str]]:
    """The zip's modules' sources by name, and which of them are packages."""
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
        entries = module_entries(archive.namelist())
        return ({name: archive.read(entry) for name, entry in entries.items()},
                {name for name, entry in entries.items() if entry.endswith("/__init__.py")})

"""tools/stdlib.py keeps every module the page can import and drops the rest.

The real cut is made inside Pyodide at install time (tools/snapshot.mjs); here the same
logic runs on small made-up libraries. tests/e2e/test_runtime.py starts the page on the
real trimmed zip with the snapshot bypassed.
"""

import io
import zipfile

from tools.stdlib import closure, imported_by, module_entries, sources_of, trim


def library(files: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return out.getvalue()


def needed(files: dict[str, str], roots=(), page=()) -> set[str]:
    sources, packages = sources_of(library(files))
    return closure(roots, sources, packages, page) - {m for m in sources
                                                      if m.startswith("encodings")}


def test_module_names_come_from_file_names():
    assert module_entries(["a.py", "b/__init__.py", "b/c.py", "b/data.txt"]) == {
        "a": "a.py", "b": "b/__init__.py", "b.c": "b/c.py"}


def test_imports_anywhere_in_a_module_are_followed_with_their_parents():
    source = """
import a.b.c
from d import e
def f():
    import g
try:
    import h
except ImportError:
    pass
if False:
    from i import *
importlib.import_module("j")
__import__("k")
"""
    assert imported_by(source, "m", is_package=False) == {
        "a", "a.b", "a.b.c", "d", "d.e", "g", "h", "i", "j", "k"}


def test_relative_imports_resolve_against_the_package():
    assert imported_by("from . import x\nfrom .y import z\nfrom .. import w",
                       "p.q.mod", is_package=False) == {
        "p", "p.q", "p.q.x", "p.q.y", "p.q.y.z", "p.w"}
    assert imported_by("from . import x", "p", is_package=True) == {"p", "p.x"}


def test_what_runs_only_from_the_command_line_is_not_followed():
    source = """
import kept
def main():
    import argparse
def _test():
    import doctest
if __name__ == "__main__":
    import unittest
"""
    assert imported_by(source, "m", is_package=False) == {"kept"}


def test_the_closure_follows_imports_through_the_library_and_the_page():
    files = {"a.py": "import b", "b.py": "from c import d", "c/__init__.py": "",
             "c/d.py": "import e", "e.py": "", "unused.py": "import a",
             "p/__init__.py": "from . import q", "p/q.py": "", "p/r.py": ""}
    assert needed(files, roots=["a"]) == {"a", "b", "c", "c.d", "e"}
    assert needed(files, page=["import p"]) == {"p", "p.q"}


def test_modules_of_no_use_in_a_page_are_dropped_even_when_imported():
    """site imports the REPL and _sitebuiltins pydoc for help(); no page runs those."""
    files = {"site.py": "def interactive():\n    import _pyrepl.main", "_pyrepl/__init__.py": "",
             "_pyrepl/main.py": "import big", "big.py": "", "_sitebuiltins.py": "import pydoc",
             "pydoc.py": "import big"}
    assert needed(files, roots=["site", "_sitebuiltins"]) == {"site", "_sitebuiltins"}


def test_the_codecs_looked_up_by_name_are_kept():
    sources, packages = sources_of(library({"encodings/__init__.py": "",
                                            "encodings/latin_1.py": "",
                                            "encodings/cp1252.py": ""}))
    assert closure([], sources, packages) == {"encodings", "encodings.latin_1"}


def test_the_trimmed_zip_holds_exactly_the_needed_files_uncompressed():
    data = library({"a.py": "import b", "b.py": "x = 1", "c.py": "", "d/__init__.py": "",
                    "d/e.py": "", "README.txt": "not Python"})
    with zipfile.ZipFile(io.BytesIO(trim(data, {"a", "b", "d"}))) as archive:
        assert archive.namelist() == ["a.py", "b.py", "d/__init__.py"]
        assert archive.read("b.py") == b"x = 1"
        assert {info.compress_type for info in archive.infolist()} == {zipfile.ZIP_STORED}

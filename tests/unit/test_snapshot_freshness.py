"""chat.forget_if_changed(): the core restored from Pyodide's snapshot is used only while
its files are unchanged."""

import sys
import types
import zlib

import chat


def _fake_core(tmp_path, monkeypatch, text: bytes, snapshotted: bytes) -> None:
    source = tmp_path / "fake.py"
    source.write_bytes(text)
    module = types.ModuleType("chat.fake")
    module.__file__ = str(source)
    monkeypatch.setitem(sys.modules, "chat.fake", module)
    monkeypatch.setattr(chat, "SNAPSHOT", {"chat.fake": zlib.crc32(snapshotted)})


def test_unchanged_files_keep_the_snapshot_modules(tmp_path, monkeypatch):
    _fake_core(tmp_path, monkeypatch, b"x = 1\n", snapshotted=b"x = 1\n")
    chat.forget_if_changed()
    assert "chat.fake" in sys.modules


def test_a_changed_file_drops_all_snapshot_modules_so_they_import_fresh(tmp_path, monkeypatch):
    _fake_core(tmp_path, monkeypatch, b"x = 2\n", snapshotted=b"x = 1\n")
    chat.forget_if_changed()
    assert "chat.fake" not in sys.modules

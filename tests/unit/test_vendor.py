"""tools/vendor.py keeps the runtime's compressed copies true to their files: the static
server sends a copy only if it is not older than its file."""

from __future__ import annotations

import os

from tools import vendor


def test_a_file_made_again_with_the_same_bytes_keeps_the_one_in_place(tmp_path, monkeypatch):
    monkeypatch.setattr(vendor, "VENDOR", tmp_path)
    first = tmp_path / "first.zip"
    first.write_bytes(b"the library")
    name = vendor.place_file("stdlib", first, ".zip")
    os.utime(tmp_path / name, (1000, 1000))
    again = tmp_path / "again.zip"
    again.write_bytes(b"the library")
    assert vendor.place_file("stdlib", again, ".zip") == name
    assert (tmp_path / name).stat().st_mtime == 1000


def test_copies_older_than_their_file_are_made_again_and_current_ones_left(tmp_path,
                                                                           monkeypatch):
    monkeypatch.setattr(vendor, "VENDOR", tmp_path)
    asked = []
    monkeypatch.setattr(vendor, "run_node", lambda script, *files, what: asked.extend(files))
    for name, copies_at in (("stale.zip", 1000), ("current.zip", 3000), ("half.zip", 3000)):
        (tmp_path / name).write_bytes(b"x")
        os.utime(tmp_path / name, (2000, 2000))
        for suffix in (".br", ".gz"):
            if name == "half.zip" and suffix == ".gz":
                continue  # never made
            copy = tmp_path / f"{name}{suffix}"
            copy.write_bytes(b"y")
            os.utime(copy, (copies_at, copies_at))
    vendor.compress(["stale.zip", "current.zip", "half.zip"])
    assert sorted(path.name for path in asked) == ["half.zip", "stale.zip"]

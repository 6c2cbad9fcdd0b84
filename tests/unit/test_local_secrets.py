"""`make run` keeps the local admin token, admin password and JWT secret (data/local.json)
readable by their owner only, from the moment the file exists."""

import json
import os
import stat

import pytest

from tools import run


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    """The loosest umask, so nothing below relies on the user's umask being strict."""
    old = os.umask(0)
    yield
    os.umask(old)


def test_secrets_are_written_owner_only_from_creation(tmp_path, monkeypatch, open_umask):
    created, renamed = [], []
    real_open, real_replace = os.open, os.replace

    def spy_open(path, flags, mode=0o777, **kwargs):
        if flags & os.O_CREAT:
            created.append((flags & os.O_EXCL, mode))
        return real_open(path, flags, mode, **kwargs)

    def spy_replace(source, target):
        renamed.append(stat.S_IMODE(os.stat(source).st_mode))
        real_replace(source, target)

    monkeypatch.setattr(os, "open", spy_open)
    monkeypatch.setattr(os, "replace", spy_replace)
    secrets_file = tmp_path / "data" / "local.json"
    run.write_secrets(secrets_file, {"admin_token": "t0ken"})

    # Created as a new file (never reusing an old one's mode) with 0600, and only then
    # given its name.
    assert created == [(os.O_EXCL, 0o600)]
    assert renamed == [0o600]
    assert mode(secrets_file) == 0o600
    assert mode(secrets_file.parent) == 0o700
    assert json.loads(secrets_file.read_text()) == {"admin_token": "t0ken"}
    assert [p.name for p in secrets_file.parent.iterdir()] == ["local.json"]


def test_rewriting_a_world_readable_file_leaves_it_owner_only(tmp_path, open_umask):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    (data / "local.json").write_text("{}")
    (data / "local.json").chmod(0o644)
    run.write_secrets(data / "local.json", {"secret": "s"})
    assert (mode(data), mode(data / "local.json")) == (0o700, 0o600)


def test_reading_tightens_a_file_and_folder_others_can_read(tmp_path, open_umask):
    data = tmp_path / "data"
    data.mkdir(mode=0o777)
    (data / "local.json").write_text('{"admin_token": "t"}')
    (data / "local.json").chmod(0o666)
    assert run.read_secrets(data / "local.json") == {"admin_token": "t"}
    assert (mode(data), mode(data / "local.json")) == (0o700, 0o600)


def test_make_run_says_where_the_secrets_are(capsys):
    run._show("http://127.0.0.1:8000", "http://127.0.0.1:8055", {"admin_password": "pw"})
    assert str(run.SECRETS_FILE) in capsys.readouterr().out

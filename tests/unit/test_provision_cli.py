"""The provision tool's command line, without a server."""

import pytest

from server.provision import fix_command
from server.provision.__main__ import main
from server.provision.api import Directus


def test_the_token_is_never_shown():
    assert "s3cret" not in repr(Directus("http://127.0.0.1:8055/", "s3cret"))
    assert fix_command("http://d:8055", ("--lock-down",)) == (
        "python -m server.provision --url http://d:8055 --token ADMIN_TOKEN --lock-down")


def test_missing_arguments_exit_with_2_and_say_which(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--url", "http://127.0.0.1:8055"])
    assert exited.value.code == 2
    assert "the following arguments are required: --token" in capsys.readouterr().err


def test_edit_window_must_be_a_whole_number_of_minutes(capsys):
    for value in ("0", "-5", "1.5", "soon"):
        with pytest.raises(SystemExit) as exited:
            main(["--url", "http://127.0.0.1:9", "--token", "x", "--edit-window", value])
        assert exited.value.code == 2
        assert "is not a whole number of minutes, 1 or more" in capsys.readouterr().err

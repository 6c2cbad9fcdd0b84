"""docker-compose.yml is valid and parallel to the local setup (no Docker engine needed)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKER_COMPOSE = shutil.which("docker-compose")

# As root, .ci/run installs docker-compose, so a missing one is a failure, not a skip.
pytestmark = pytest.mark.skipif(DOCKER_COMPOSE is None and os.geteuid() != 0,
                                reason="docker-compose is not installed")


def compose_config(admin_token: str | None) -> subprocess.CompletedProcess:
    assert DOCKER_COMPOSE, "docker-compose is missing: apt-get install -y docker-compose"
    env = {k: v for k, v in os.environ.items() if k != "ADMIN_TOKEN"}
    if admin_token:
        env["ADMIN_TOKEN"] = admin_token
    return subprocess.run([DOCKER_COMPOSE, "-f", str(ROOT / "docker-compose.yml"), "config"],
                          env=env, capture_output=True, text=True, timeout=60)


def test_docker_compose_config_is_valid_and_matches_the_local_setup():
    result = compose_config("test-token")
    assert result.returncode == 0, result.stderr
    for expected in (
        "image: directus/directus:11.17.4",
        'WEBSOCKETS_ENABLED: "true"',
        'CORS_ENABLED: "true"',
        'CORS_CREDENTIALS: "true"',
        "DB_CLIENT: pg",
        "REDIS: redis://redis:6379",
        "/server/extensions:/directus/extensions:ro",
        "- server.provision",
        "- test-token",
    ):
        assert expected in result.stdout, expected


def test_docker_compose_refuses_to_start_without_an_admin_token():
    result = compose_config(None)
    assert result.returncode != 0 and "set ADMIN_TOKEN" in result.stderr

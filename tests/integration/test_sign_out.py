"""Sign-out revokes the session on the real Directus, even while a refresh is in flight."""

from __future__ import annotations

import random
import time
import uuid

from chat import core
from chat.core import ChatClient, Config
from chat.headless import http_json


def rest(directus, path: str, **body) -> tuple[int, dict | None]:
    return http_json(directus.url + path, {**body, "mode": "json"})


def test_directus_logout_with_the_token_from_before_a_rotation_leaves_the_session_alive(
        directus):
    """What the client must allow for: Directus rotates a refresh token in place, so a
    logout with the one from before the rotation finds no session (and says nothing)."""
    email, password = directus.users["alice"]
    _, login = rest(directus, "/auth/login", email=email, password=password)
    old = login["data"]["refresh_token"]
    _, refreshed = rest(directus, "/auth/refresh", refresh_token=old)
    newest = refreshed["data"]["refresh_token"]
    status, _ = rest(directus, "/auth/logout", refresh_token=old)
    assert status in (200, 204)  # no error: the client cannot tell
    status, _ = rest(directus, "/auth/refresh", refresh_token=newest)
    assert status == 200, "the rotated session should have stayed alive"


def perform(client: ChatClient, directus, *, hold: str | None = None):
    """Perform the core's REST requests against Directus; sockets and timers are left
    alone. A request to ``hold`` is performed but its answer returned, not delivered."""
    held = None
    for action in client.take_actions():
        if isinstance(action, core.HttpRequest):
            status, body = http_json(directus.url + action.path, action.body)
            if action.path == hold:
                held = (action, status, body)
            else:
                client.http_response(action.id, status, body, now=time.monotonic())
    return held


def test_sign_out_while_a_refresh_is_in_flight_revokes_the_rotated_session(directus):
    """The server has rotated the token but its answer has not reached the client when
    the user signs out: the session must still end."""
    client = ChatClient(Config(directus_url=directus.url), new_id=lambda: str(uuid.uuid4()),
                        random=random.random)
    client.sign_in(*directus.users["alice"], now=time.monotonic())
    perform(client, directus)
    client.timer_fired(core.Timer.REFRESH, now=time.monotonic())  # the refresh falls due
    refresh, status, body = perform(client, directus, hold="/auth/refresh")
    assert status == 200
    newest = body["data"]["refresh_token"]
    client.sign_out(now=time.monotonic())
    perform(client, directus)  # the logout, with the token from before the rotation
    client.http_response(refresh.id, status, body, now=time.monotonic())  # arrives late
    perform(client, directus)
    status, _ = rest(directus, "/auth/refresh", refresh_token=newest)
    assert status == 401, "the session outlived sign-out"

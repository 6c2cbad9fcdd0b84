"""The session's tokens: sign-in, resume, the refresh before the access token expires
(on a backoff when it fails), sign-out's revocation, and whose session it is.

The single owner of the refresh token: Directus rotates it on every refresh, so it is
used once, one refresh at a time, and only the newest is ever kept.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from chat.core import protocol
from chat.core.actions import SaveSession, Timer
from chat.core.backoff import backoff
from chat.core.config import Config
from chat.core.output import Output, Purpose
from chat.core.phases import Refresh

DEFAULT_LIFETIME = 900.0  # seconds, Directus' default ACCESS_TOKEN_TTL
SOON = 5.0  # an access token expiring sooner is refreshed before connecting


def user_id_from_token(access_token: str) -> str | None:
    """The user id in a Directus access token (a JWT). Not verified: the server does that."""
    try:
        payload = access_token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return None
    user_id = claims.get("id") if isinstance(claims, dict) else None
    return user_id if isinstance(user_id, str) else None


class Session:
    def __init__(self, config: Config, out: Output, random: Callable[[], float]) -> None:
        self._config = config
        self._out = out
        self._random = random
        self._revoke: set[int] = set()  # refreshes in flight at sign-out: revoke their token
        self.reset()

    def reset(self) -> None:
        """No session: forget the tokens and the user."""
        self.user_id: str | None = None
        self.refresh = Refresh.IDLE
        self._access: str | None = None
        self._expires_at = 0.0
        self._refresh: str | None = None
        self._delays = backoff(random=self._random)

    # --- Starting and refreshing --------------------------------------------------------

    def login(self, email: str, password: str) -> None:
        self._out.request(Purpose.LOGIN, "/auth/login",
                          {"email": email, "password": password, "mode": "json"})

    def resume(self, refresh_token: str, user_id: str | None = None) -> None:
        """Start from a saved refresh token; ``user_id``, if given, is whose it was
        (known before the server confirms it: the next tokens taken say for sure)."""
        self._refresh = refresh_token
        self.user_id = user_id
        self.start_refresh()

    def start_refresh(self) -> None:
        if self.refresh is Refresh.IN_FLIGHT or not self._refresh:
            return
        self.refresh = Refresh.IN_FLIGHT
        self._out.request(Purpose.REFRESH, "/auth/refresh",
                          {"refresh_token": self._refresh, "mode": "json"})

    def take(self, body: Any, now: float) -> str | None:
        """Take the tokens of a login or refresh answer; returns whose they are, or None
        if the answer holds none."""
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            return None
        access, refresh, expires = (data.get(k) for k in ("access_token", "refresh_token",
                                                          "expires"))
        user_id = user_id_from_token(access) if isinstance(access, str) else None
        if user_id is None or not isinstance(refresh, str):
            return None
        lifetime = (expires / 1000 if isinstance(expires, (int, float)) and expires > 0
                    else DEFAULT_LIFETIME)
        self._access, self._refresh = access, refresh
        self._expires_at = now + lifetime
        self._delays = backoff(random=self._random)
        self._out.act(SaveSession(refresh_token=refresh))
        self._out.set_timer(Timer.REFRESH, lifetime * self._config.refresh_at)
        self.user_id = user_id
        return user_id

    def adopt(self, refresh_token: str) -> None:
        """Another tab refreshed this session: its token is the newest, the one to use."""
        if self._refresh is not None:
            self._refresh = refresh_token

    def retry_refresh(self, now: float) -> None:
        """The socket may still be fine: try the refresh again after the next delay of
        its own backoff, sooner while the token is valid (never sooner than a second)."""
        delay = next(self._delays)
        left = self.token_left(now)
        if left > 0:
            delay = min(delay, max(1.0, left / 2))
        self._out.set_timer(Timer.REFRESH, delay)

    def expires_soon(self, now: float) -> bool:
        return self.token_left(now) < SOON

    def token_left(self, now: float) -> float:
        return self._expires_at - now if self._access else 0.0

    @property
    def access_token(self) -> str | None:
        return self._access

    def forget_access(self) -> None:
        """The server refused the access token: connect only after a refresh."""
        self._access = None

    def auth_frame(self, uid: str) -> str:
        return protocol.encode_auth(self._access or "", uid)

    # --- Ending -------------------------------------------------------------------------

    def sign_out(self) -> None:
        """Revoke the session. Directus rotates the token in place: if a refresh in
        flight got there first, the logout finds nothing, and only the token it brings
        can end the session, so that one is revoked too when it comes."""
        if self._refresh:
            self._logout(self._refresh)
        self._revoke.update(self._out.awaiting(Purpose.REFRESH))

    def revoking(self, request_id: int, status: int, body: Any) -> bool:
        """An answer to a refresh in flight at sign-out: revoke what it brings. True if
        it was one."""
        if request_id not in self._revoke:
            return False
        self._revoke.discard(request_id)
        data = body.get("data") if isinstance(body, dict) else None
        refresh = data.get("refresh_token") if isinstance(data, dict) else None
        if status == 200 and isinstance(refresh, str):
            self._logout(refresh)
        return True

    def unanswered(self, request_id: int) -> None:
        self._revoke.discard(request_id)

    def end(self, *, forget: bool) -> None:
        """The session is over; ``forget`` the saved token even if none was taken."""
        if self._refresh is not None or forget:
            self._out.act(SaveSession(refresh_token=None))
        self.reset()

    def _logout(self, refresh_token: str) -> None:
        self._out.request(Purpose.LOGOUT, "/auth/logout",
                          {"refresh_token": refresh_token, "mode": "json"})

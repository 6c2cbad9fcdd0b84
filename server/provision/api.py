"""A tiny REST client for Directus (JSON in, the response's `data` out) and its errors."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request


class ProvisionError(Exception):
    """What is wrong, in a sentence for the person running the tool, and what to do."""


class HttpError(ProvisionError):
    """Directus answered with an error; `status` and `code` (e.g. FORBIDDEN) say which."""

    def __init__(self, method: str, path: str, status: int, code: str, message: str):
        super().__init__(f"{method} {path} failed: HTTP {status} {code}: {message}")
        self.status = status
        self.code = code


class Directus:
    """REST calls to the Directus at `url`, authenticated with `token` (never shown)."""

    def __init__(self, url: str, token: str):
        self.url = url.rstrip("/")
        self._token = token

    def __repr__(self) -> str:
        return f"Directus({self.url!r})"

    def request(self, method: str, path: str, body=None, query=None, auth: bool = True):
        url = self.url + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        headers = {"Content-Type": "application/json"}
        if auth:
            headers["Authorization"] = f"Bearer {self._token}"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                text = response.read()
        except urllib.error.HTTPError as error:
            raise _http_error(method, path, error) from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise ProvisionError(
                f"Cannot reach Directus at {self.url} ({reason}). Is it running, and is "
                "--url its address?") from None
        if not text:
            return None
        try:
            return json.loads(text)["data"]
        except (ValueError, KeyError, TypeError):
            raise ProvisionError(
                f"{self.url} answered {method} {path} with something that is not Directus' "
                "JSON. Is --url the address of Directus?") from None

    def get(self, path, **query):
        return self.request("GET", path, query=query)

    def post(self, path, body):
        return self.request("POST", path, body)

    def patch(self, path, body):
        return self.request("PATCH", path, body)

    def delete(self, path):
        return self.request("DELETE", path)

    def check_admin(self) -> None:
        """Raise ProvisionError unless Directus answers and the token is an admin's."""
        try:
            pong = urllib.request.urlopen(self.url + "/server/ping", timeout=15).read()
        except urllib.error.HTTPError:
            pong = b""
        except (urllib.error.URLError, OSError) as error:
            raise ProvisionError(
                f"Cannot reach Directus at {self.url} ({getattr(error, 'reason', error)}). "
                "Is it running, and is --url its address?") from None
        if pong.strip() != b"pong":
            raise ProvisionError(
                f"{self.url} is not a Directus: GET /server/ping did not answer pong. "
                "Is --url the address of Directus?")
        try:
            me = self.get("/users/me") or {}  # the fields this user may read of itself
        except HttpError as error:
            if error.status == 401:
                raise ProvisionError(
                    f"Directus at {self.url} refused the token ({error.code}). Pass the "
                    "static token of an admin user (Data Studio: User Directory, the user, "
                    "Token), or the ADMIN_TOKEN Directus was started with.") from None
            raise
        if not self.get("/policies/me/globals").get("admin_access"):
            who = me.get("email") or me.get("first_name") or f"the user {me.get('id')}"
            raise ProvisionError(
                f"The token belongs to {who}, who is not an administrator. "
                "Setting up the chat changes the schema and the access policies: pass an "
                "admin's token.")


def _http_error(method: str, path: str, error: urllib.error.HTTPError) -> HttpError:
    raw = error.read().decode(errors="replace")
    code, message = "ERROR", raw[:300]
    try:
        first = json.loads(raw)["errors"][0]
        code = first.get("extensions", {}).get("code", code)
        message = first.get("message", message)
    except (ValueError, KeyError, IndexError, TypeError):
        pass
    return HttpError(method, path.split("?")[0], error.code, code, message)

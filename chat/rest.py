"""The page's REST, through the browser's ``fetch`` (page-only): each request the core
asks for, always answered (``http_response`` or ``http_failed``, a hung one after its
timeout), and avatars from /assets with the token in the Authorization header, never
in the URL. Serves chat/browser.py.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import js
from pyscript.ffi import to_js

from chat.core import ChatClient, Config, Failure, HttpRequest, Method

PROBE_TIMEOUT = 5

log = logging.getLogger("chat")


def options(**values):
    """A JavaScript object of ``values``, for fetch and its options."""
    return to_js(values, dict_converter=js.Object.fromEntries)


class Rest:
    def __init__(self, config: Config, client: ChatClient, feed: Callable) -> None:
        self.config = config
        self.client = client
        self._feed = feed  # the adapter loop's: feeds the core its answers

    async def send(self, request: HttpRequest) -> None:
        """Fetch and always answer the core: ``http_response`` or ``http_failed``. A
        hung request still ends after its timeout, or sign-in and refresh would wedge."""
        url = self.config.directus_url + request.path
        fetching = {"method": request.method.value,
                    "signal": js.AbortSignal.timeout(request.timeout * 1000)}
        headers = {}
        if request.body is not None:
            fetching["body"] = json.dumps(request.body)
            headers["Content-Type"] = "application/json"
        if request.token is not None:
            headers["Authorization"] = f"Bearer {request.token}"
        if headers:
            fetching["headers"] = options(**headers)
        if request.method == Method.GET:
            fetching["cache"] = "no-store"  # never an answer from the cache
        try:
            response = await js.fetch(url, options(**fetching))
            text = await response.text()
            status = response.status
        except Exception as error:
            timed_out = getattr(error, "name", "") in ("TimeoutError", "AbortError")
            # Only sign-in says why; a probe (GET) fails often while the server is down,
            # and asking why would double its requests.
            failure = (Failure.NETWORK if timed_out or request.method == Method.GET
                       else await self._why_unanswered())
            log.info("%s %s failed (%s)", request.method.value, request.path, failure.value)
            self._feed(self.client.http_failed, request.id, failure)
            return
        try:
            body = json.loads(text) if text else None
        except ValueError:
            body = None
        self._feed(self.client.http_response, request.id, status, body)

    async def _why_unanswered(self) -> Failure:
        """After a fetch failed outright: CORS if the server answers a no-cors probe
        (so the browser hid its reply from us), else NETWORK."""
        try:
            await js.fetch(self.config.directus_url + "/server/ping",
                           options(mode="no-cors", cache="no-store",
                                   signal=js.AbortSignal.timeout(PROBE_TIMEOUT * 1000)))
        except Exception:
            return Failure.NETWORK
        return Failure.CORS

    async def avatar(self, file_id: str, done) -> None:
        """Fetch an avatar with the token in the Authorization header (never in the URL)
        and call ``done`` with a blob URL of it, or None."""
        token, url = self.client.bearer(), None
        if token is not None:
            path = f"/assets/{js.encodeURIComponent(file_id)}?key=system-small-cover"
            try:
                response = await js.fetch(self.config.directus_url + path, options(
                    headers=options(Authorization=f"Bearer {token}"),
                    signal=js.AbortSignal.timeout(self.config.http_timeout * 1000)))
                if response.ok:
                    url = js.URL.createObjectURL(await response.blob())
            except Exception as error:
                log.info("avatar not fetched (%s)", getattr(error, "name", "error"))
        done(url)

"""The CPython adapter answers the core for every request, whatever the server sends."""

from __future__ import annotations

import asyncio
import socket
import threading

import pytest

from chat.core import Phase
from chat.headless import HeadlessClient

ANSWERS = {
    # http.client: BadStatusLine (an HTTPException, not an OSError).
    "garbage": b"NOT HTTP AT ALL\r\n\r\n",
    # http.client: IncompleteRead, the body cut short of its Content-Length.
    "cut body": b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Content-Length: 1000\r\n\r\n{\"data\": {\"access_token\": ",
}


class BadServer:
    """Answers every connection with ``answer`` after reading the request, then closes."""

    def __init__(self, answer: bytes) -> None:
        self.answer = answer
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                conn.sendall(self.answer)

    def close(self) -> None:
        self.listener.close()


@pytest.fixture(params=list(ANSWERS))
def bad_server(request):
    server = BadServer(ANSWERS[request.param])
    yield server
    server.close()


def test_a_broken_answer_to_sign_in_reaches_the_core_as_a_failure(bad_server):
    async def scenario():
        async with HeadlessClient(bad_server.url) as client:
            with pytest.raises(RuntimeError, match="Can't reach the chat server"):
                await client.sign_in("alice@example.com", "pw", timeout=5)

    asyncio.run(scenario())


def test_a_broken_answer_to_a_refresh_reaches_the_core_as_a_failure(bad_server):
    async def scenario():
        async with HeadlessClient(bad_server.url) as client:
            client.resume("saved-refresh")
            await client.wait_for(lambda: client.phase == Phase.WAITING, 5, "waiting")

    asyncio.run(scenario())

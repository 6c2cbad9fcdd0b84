"""The core's read position (chat/core/unread.py) against a real Directus: two devices of
one user create its row at the same moment, and it ends as one row at the newer one."""

from __future__ import annotations

import asyncio
import json
import urllib.parse
import urllib.request

from chat.core import ReadPositionChanged
from chat.core.session import user_id_from_token
from chat.headless import HeadlessClient


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 240))


async def signed_in(directus, name: str) -> HeadlessClient:
    client = HeadlessClient(directus.url)
    await client.sign_in(*directus.users[name])
    return client


def rest_create(directus, name: str, content: str) -> dict:
    token = directus.login(name)["access_token"]
    request = urllib.request.Request(
        f"{directus.url}/items/messages", method="POST",
        data=json.dumps({"content": content}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["data"]


def admin(directus, method: str, path: str):
    request = urllib.request.Request(directus.url + path, method=method,
                                     headers={"Authorization": f"Bearer {directus.admin_token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read()
    return json.loads(text) if text else None


def rows_of(directus, user_id: str) -> list[dict]:
    query = urllib.parse.urlencode({"filter": json.dumps({"user_created": {"_eq": user_id}}),
                                    "fields": "id,last_read"})
    return admin(directus, "GET", f"/items/read_positions?{query}")["data"]


def settled(client: HeadlessClient) -> bool:
    return any(isinstance(e, ReadPositionChanged) for e in client.events)


def test_two_devices_creating_the_row_at_once_end_with_one_row_at_the_newer(directus):
    user = user_id_from_token(directus.login("carol")["access_token"])
    for row in rows_of(directus, user):  # none yet: both devices create it
        admin(directus, "DELETE", f"/items/read_positions/{row['id']}")
    older = rest_create(directus, "bob", "read up to here on one device")
    newer = rest_create(directus, "bob", "and up to here on the other")

    async def scenario():
        one, two = await asyncio.gather(signed_in(directus, "carol"),
                                        signed_in(directus, "carol"))
        async with one, two:
            for client in (one, two):
                await client.wait_for(lambda c=client: settled(c)
                                      and c.client.timeline.get(newer["id"]) is not None)
            one._input(one.client.read_up_to, older["id"])
            two._input(two.client.read_up_to, newer["id"])
            # The one refused RECORD_NOT_UNIQUE reads the row again, then updates it if
            # it is further on: the row ends at the newer, whichever won.
            await two.wait_for(lambda: [r["last_read"] for r in rows_of(directus, user)]
                               == [newer["id"]], timeout=20)

    run(scenario())

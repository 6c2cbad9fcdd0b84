"""Channel actions over REST as a chat client makes them (docs/CHANNELS.md), for tests.

    alice = Member(directus, "alice")
    room = alice.create_channel("plans", private=True, members=[bob.id])
    alice.post(room, "hello")          # the stored row
    carol.join(open_room)              # (status, body)
"""

from __future__ import annotations

import uuid

from server.provision import DEMO_USERS
from server.provision.channels import GENERAL
from tests.wire import rest

__all__ = ["GENERAL", "Member", "code", "dm_key"]


def code(reply) -> str | None:
    """The error code of a (status, body) REST answer, None on success."""
    status, body = reply
    return body["errors"][0]["extensions"]["code"] if status >= 400 else None


def dm_key(*user_ids: str) -> str:
    return ":".join(sorted(user_ids))


class Member:
    """A demo user signed in over REST (`directus` needs only `url`)."""

    def __init__(self, directus, name: str):
        self.directus = directus
        self.name = name
        email, password, _ = DEMO_USERS[name]
        status, body = rest(directus, "POST", "/auth/login", {"email": email,
                                                              "password": password})
        assert status == 200, body
        self.token = body["data"]["access_token"]
        self.id = self.call("GET", "/users/me")[1]["data"]["id"]

    def call(self, method: str, path: str, body=None):
        return rest(self.directus, method, path, body, self.token)

    def create_channel(self, name: str | None = None, *, private: bool = False,
                       members: tuple[str, ...] = ()) -> str:
        """A channel named `name` (unique per call) with the creator and `members` in it."""
        body = {"name": f"{name or 'room'}-{uuid.uuid4().hex[:6]}",
                "members": [{"user": self.id}, *({"user": m} for m in members)]}
        if private:
            body["open_to"] = None
        status, reply = self.call("POST", "/items/channels", body)
        assert status == 200, reply
        return reply["data"]["id"]

    def start_dm(self, other: str):
        return self.call("POST", "/items/channels", {
            "kind": "direct", "open_to": None, "dm_key": dm_key(self.id, other),
            "members": [{"user": self.id}, {"user": other}]})

    def dm_with(self, other: str) -> str:
        """The id of the DM with `other`, started if there is none."""
        status, body = self.start_dm(other)
        if status == 200:
            return body["data"]["id"]
        found = self.call("GET", f"/items/channels?filter[dm_key][_eq]={dm_key(self.id, other)}")
        return found[1]["data"][0]["id"]

    def post(self, channel: str | None, content: str):
        body = {"content": content} if channel is None else {"content": content,
                                                              "channel": channel}
        return self.call("POST", "/items/messages", body)

    def join(self, channel: str, user: str | None = None):
        body = {"channel": channel} if user is None else {"channel": channel, "user": user}
        return self.call("POST", "/items/channel_members", body)

    def membership(self, channel: str, user: str | None = None) -> str | None:
        rows = self.call("GET", f"/items/channel_members?filter[channel][_eq]={channel}"
                                f"&filter[user][_eq]={user or self.id}")[1]["data"]
        return rows[0]["id"] if rows else None

    def channel_names(self) -> set[str]:
        return {c["name"] for c in self.call("GET", "/items/channels?limit=-1")[1]["data"]}

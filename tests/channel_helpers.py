"""Channel actions over REST as a chat client makes them (docs/CHANNELS.md), for tests.

    alice = Member(directus, "alice")
    room = alice.create_channel("plans", private=True, members=[bob.id])
    alice.post(room, "hello")          # the stored row
    carol.join(open_room)              # (status, body)
"""

from __future__ import annotations

import json
import uuid

from server.provision import DEMO_USERS
from server.provision.access import ROLE_NAME
from server.provision.channels import (
    CHANNEL_SHAPE,
    GENERAL,
    LEAVABLE,
    MAY_ADD,
    READABLE,
    through,
)
from tests.wire import rest

__all__ = ["CHANNELS_ADDED", "GENERAL", "IN_READABLE_CHANNEL", "Member", "channels_allowed",
           "code", "dm_key", "policy_id", "rule"]

# What provisioning prints as it adds channels to a setup made before them.
CHANNELS_ADDED = [
    "Created collection channels (name, description, kind, open_to, dm_key, user_created, "
    "date_created).",
    "Created collection channel_members (channel, user, user_created, date_created).",
    "Added field directus_policies.chat_open_channels (the channels open to a policy, read by "
    "the checks on posting and joining).",
    "Linked channels.open_to to directus_policies.",
    "Added field directus_users.chat_created_channels (the channels a user created, read by "
    "the check on adding members).",
    "Linked channels.user_created to directus_users.",
    "Added field channels.members (a channel's members, read by the rules on who sees a "
    "channel).",
    "Linked channel_members.channel to channels.",
    "Added field directus_users.chat_memberships (a user's memberships, read by the check on "
    "posting).",
    "Linked channel_members.user to directus_users.",
    "Linked channel_members.user_created to directus_users.",
]

IN_READABLE_CHANNEL = through("channel", READABLE)
rule = json.dumps


def policy_id(server) -> str:
    path = "/policies?filter[name][_eq]=" + ROLE_NAME.replace(" ", "%20")
    return rest(server, "GET", path, token=server.admin_token)[1]["data"][0]["id"]


def channels_allowed(policy: str) -> list[str]:
    """What the channels step allows chat users (the rules themselves: channels.py)."""
    return [
        f"Allowed Chat User read on channels, rows where {rule(READABLE)} (fields *).",
        "Allowed Chat User create on channels (fields name, description, kind, open_to, "
        "dm_key, members), checked by {}, preset {}.".format(
            rule(CHANNEL_SHAPE), rule({"kind": "channel", "open_to": policy})),
        "Allowed Chat User update on channels, own rows only, rows where "
        '{"kind": {"_eq": "channel"}} (fields name, description).',
        f"Allowed Chat User read on channel_members, rows where {rule(IN_READABLE_CHANNEL)} "
        "(fields *).",
        "Allowed Chat User create on channel_members (fields channel, user), checked by "
        f'{rule(MAY_ADD)}, preset {{"user": "$CURRENT_USER"}}.',
        "Allowed Chat User delete on channel_members, rows where "
        f'{rule(LEAVABLE)} (fields *).']


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

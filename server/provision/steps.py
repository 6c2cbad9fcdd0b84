"""The setup's steps, in the order they run.

Each step is a module with `apply(ctx)`: it looks at Directus and calls `ctx.change()`
for each thing it adds or fixes (server/provision/context.py), so it prints nothing when
nothing changes and `--check` reports instead of changing. A step that needs permissions
for chat users also defines `permissions(ctx)`; the `access` step gives the Chat User
policy exactly the union of them, and `public` reports Public grants on those collections.

A new feature (reactions, replies, channels, files, read positions) adds one module with
its collection and fields and its `permissions()`, and lists it here before `access`.
"""

from __future__ import annotations

from server.provision import (
    access,
    avatars,
    channels,
    client_key,
    demo_users,
    edits,
    mentions,
    public,
    reactions,
    read_positions,
    replies,
    schema,
    signals,
    users,
)

STEPS = (
    schema,       # messages and its fields
    client_key,   # messages.client_id where the id is an integer
    channels,     # channels, memberships, messages.channel; general
    edits,        # the edit window on updates and deletes of messages (--edit-window)
    replies,      # messages.reply_to
    mentions,     # messages.mentions
    reactions,    # reactions, one per user, message and emoji
    read_positions,  # read_positions, one per user
    avatars,      # users' avatars and their files
    access,       # the Chat User policy, its permissions, the Chat User role
    users,        # users without a role (--assign-chat-role)
    public,       # the Public policy's grants on the chat (--lock-down)
    demo_users,   # alice, bob, carol (--demo-users)
    signals,      # whether the chat-signals extension (presence, typing) is loaded
)

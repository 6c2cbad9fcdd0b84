"""Step: avatars. Chat users may read each user's `avatar` and fetch the avatar files, and
no other file.

`directus_users.avatar` joins the user fields chat users read (id and first name, from
schema.py). Reading `directus_files` (which `/assets/<id>` checks) is allowed only on rows
some user has as avatar: the row rule follows the users' `avatar` link backwards
(Directus' `$FOLLOW(collection, field)`), so it needs no folder or naming convention and
covers an avatar the moment it is set. Of a file's fields only `id` is readable; the asset
itself comes with its type and size.
"""

from __future__ import annotations

from server.provision.context import Context

AVATARS_ONLY = {"$FOLLOW(directus_users,avatar)": {"_some": {"id": {"_nnull": True}}}}


def apply(ctx: Context) -> None:
    """Nothing of its own to add: avatars are a system field; the access is below."""


def permissions(ctx: Context) -> dict:
    return {("directus_users", "read"): {"fields": ["avatar"], "permissions": {}},
            ("directus_files", "read"): {"fields": ["id"], "permissions": AVATARS_ONLY}}

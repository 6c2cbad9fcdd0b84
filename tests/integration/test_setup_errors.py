"""What the app says when the chat cannot work on a Directus, against a real one: the
collection missing, a field it needs missing (named), the read permission missing; each
with the command that fixes it. "May not read the chat" only in the last case.

One server, in order: no collection yet; then the tutorial's collection made without the
optional date_created; then the Public policy's read taken away.
"""

from __future__ import annotations

import asyncio

import pytest

from chat.core import texts
from chat.headless import HeadlessClient
from server.provision.datastudio import PUBLIC_POLICY
from tests import tutorial_db
from tests.wire import rest

EVE = ("eve@example.com", "eve-pw-123")


@pytest.fixture(scope="module")
def server(bare_template, _module_servers):
    server = _module_servers(bare_template)
    rest(server, "POST", "/users", {"email": EVE[0], "password": EVE[1], "first_name": "Eve"},
         server.admin_token)
    return server


def refusal(server) -> str:
    """Sign eve in (no role: the Public policy is all she has) and return why it ended."""
    async def scenario():
        async with HeadlessClient(server.url) as eve:
            with pytest.raises(RuntimeError) as error:
                await eve.sign_in(*EVE)
            return str(error.value).removeprefix("sign-in failed: ")

    return asyncio.run(asyncio.wait_for(scenario(), 60))


def test_no_messages_collection_says_so_and_how_to_make_it(server):
    assert refusal(server) == texts.COLLECTION_MISSING.format(url=server.url)
    assert "has no messages collection" in texts.COLLECTION_MISSING
    assert "python3 -m server.provision --url" in texts.COLLECTION_MISSING


def test_a_needed_field_missing_is_named(server):
    """The tutorial's date_created is optional in the Data Studio; without it the
    subscription is FORBIDDEN naming the field."""
    tutorial_db.build(server.url, server.admin_token, tutorial_db.Variant(
        "integer", "input-multiline", ("user_created",)))
    reason = refusal(server)
    assert reason == texts.FIELD_REFUSED.format(url=server.url, field="date_created")
    assert "may not read the chat" not in reason


def test_without_the_read_permission_it_says_may_not_read_the_chat(server):
    query = (f"/permissions?filter[policy][_eq]={PUBLIC_POLICY}"
             "&filter[collection][_eq]=messages&filter[action][_eq]=read")
    (read,) = rest(server, "GET", query, token=server.admin_token)[1]["data"]
    assert rest(server, "DELETE", f"/permissions/{read['id']}", token=server.admin_token)[0] \
        == 204
    assert refusal(server) == texts.NO_ACCESS.format(url=server.url)

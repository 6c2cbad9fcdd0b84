"""Bring a Directus 11 to the chat app's state over REST with an admin token.

Standard library only (it runs in docker's python:alpine and with the system python).
Idempotent: running it again changes nothing and prints no change. It creates the chat on
a new Directus, and upgrades in place the `messages` collection people made by following
the tutorial, keeping every message and author:

    python -m server.provision --url http://127.0.0.1:8055 --token ADMIN_TOKEN [--demo-users]
    python -m server.provision ... --check             # report what is missing, change nothing
    python -m server.provision ... --lock-down         # also remove the Public policy's grants
    python -m server.provision ... --assign-chat-role  # give users without a role Chat User
    python -m server.provision ... --edit-window 30    # authors may edit for 30 minutes

What it sets up, one step per module (the order is in steps.py):
- schema.py: `messages` with id, content and the system fields user_created, date_created,
  user_updated, date_updated (filled by the server); missing ones are added to an existing
  collection, nothing is dropped or retyped;
- client_key.py: where id is an integer, a unique uuid `client_id` the client sends, so a
  retried send fails with RECORD_NOT_UNIQUE instead of being stored twice (a uuid id is
  its own key);
- channels.py: `channels` (open, private, direct messages), `channel_members`, and
  `messages.channel`; every existing message is put in the channel general;
- edits.py: the edit window, within which authors may edit and delete (--edit-window);
- replies.py, mentions.py: messages.reply_to (the id replied to), messages.mentions;
- reactions.py, read_positions.py: those collections, each kept one row per user (and
  message and emoji, or channel) by a unique key a flow fills (unique_key.py); both
  readable only where their channel is;
- avatars.py: users' avatars and their files readable, no other file;
- access.py: a "Chat User" policy and role with exactly what the steps ask for: read
  messages of the channels one may read; create with content, the client key, channel,
  reply_to and mentions, into a channel one is in or that is open; update content and
  delete only one's own within the edit window; read the id, first_name and avatar of
  users (never their email); read the field list of the chat's collections (the whole
  list: docs/SCHEMA.md);
- users.py: users without a role are named (they chat only through the Public policy);
  --assign-chat-role gives them Chat User;
- public.py: the Public policy's grants on the chat are reported as risks, and removed
  only with --lock-down; this tool never grants Public anything;
- demo_users.py: with --demo-users, the users in DEMO_USERS, with the Chat User role;
- signals.py: a note when the chat-signals extension (presence and typing) is not loaded.
"""

from __future__ import annotations

from server.provision.access import ROLE_NAME
from server.provision.api import Directus, ProvisionError
from server.provision.context import Context, Finding, Kind, Options, Report
from server.provision.demo_users import DEMO_USERS
from server.provision.schema import COLLECTION
from server.provision.steps import STEPS

__all__ = ["COLLECTION", "DEMO_USERS", "ROLE_NAME", "Kind", "Options", "ProvisionError",
           "Report", "fix_command", "provision"]


def fix_command(url: str, flags: tuple[str, ...] = ()) -> str:
    """The command that applies the setup (the token is left for the reader to fill in)."""
    return " ".join(("python -m server.provision --url", url, "--token ADMIN_TOKEN", *flags))


def provision(url: str, token: str, *, demo_users: bool = False, lock_down: bool = False,
              assign_chat_role: bool = False, check: bool = False,
              edit_window: int | None = None, quiet: bool = False) -> Report:
    """Apply the whole setup (or with `check`, only report); print each change unless
    `quiet`. Raises ProvisionError, with a sentence saying what is wrong."""
    out = (lambda _line: None) if quiet else (lambda line: print(line, flush=True))
    api = Directus(url, token)
    api.check_admin()
    options = Options(lock_down=lock_down, demo_users=demo_users,
                      assign_chat_role=assign_chat_role, check=check,
                      edit_window=edit_window)
    ctx = Context(api, options, STEPS, out)
    for step in STEPS:
        step.apply(ctx)
    report = ctx.report
    for finding in report.findings:
        out(_format(finding, api.url))
    if check:
        missing = len(report.of(Kind.MISSING))
        out(f"Check: {missing} missing; nothing was changed." if missing
            else "Check: nothing missing.")
    else:
        count = len(report.changes)
        out(f"Directus is set up for the chat: {count} change{'s' * (count != 1)}."
            if count else "Directus is set up for the chat: nothing changed.")
    return report


def _format(finding: Finding, url: str) -> str:
    label = {Kind.MISSING: "Fix", Kind.RISK: "To remove it", Kind.NOTE: "To do it"}
    return (f"{finding.kind.value}: {finding.text}\n"
            f"  {label[finding.kind]}: {finding.how or fix_command(url, finding.flags)}")

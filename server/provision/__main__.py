"""`python -m server.provision`: the chat setup from the command line (see __init__.py).

Exit codes: 0 done (or, with --check, nothing missing); 1 failed, with a sentence saying
why; 2 bad arguments; 3 --check found something missing (each listed with its fix).
"""

from __future__ import annotations

import argparse
import sys

from server.provision import DEMO_USERS, Kind, ProvisionError, provision

EXIT_MISSING = 3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m server.provision",
        description="Set up (or upgrade in place) a Directus 11 for the chat.")
    parser.add_argument("--url", required=True, help="Directus URL, e.g. http://127.0.0.1:8055")
    parser.add_argument("--token", required=True, help="a static admin token")
    parser.add_argument("--check", action="store_true",
                        help="change nothing: report what is missing and the command that "
                             "fixes each")
    parser.add_argument("--lock-down", action="store_true",
                        help="remove the Public policy's grants on the chat (the tutorial's "
                             "create and read: anyone can post, unauthenticated, as nobody)")
    parser.add_argument("--assign-chat-role", action="store_true",
                        help="give every active user without a role the Chat User role")
    parser.add_argument("--demo-users", action="store_true",
                        help="create the demo users " + ", ".join(DEMO_USERS))
    parser.add_argument("--edit-window", type=_minutes, metavar="MINUTES",
                        help="how long after sending a message its author may edit or "
                             "delete it (default: keep the current window; 15 minutes on a "
                             "first setup)")
    args = parser.parse_args(argv)
    try:
        report = provision(args.url, args.token, demo_users=args.demo_users,
                           lock_down=args.lock_down, assign_chat_role=args.assign_chat_role,
                           check=args.check, edit_window=args.edit_window)
    except ProvisionError as error:
        print(f"Setup failed: {error}", file=sys.stderr)
        return 1
    if args.check and report.of(Kind.MISSING):
        return EXIT_MISSING
    if args.demo_users and not args.check:
        print("Demo logins:")
        for email, password, _ in DEMO_USERS.values():
            print(f"  {email}  {password}")
    return 0


def _minutes(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of minutes, 1 or more")
    return int(text)


if __name__ == "__main__":
    sys.exit(main())

"""``commentbox admin …``: the moderator accounts that sign in to ``/admin``."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from commentbox.admin import moderators
from commentbox.cli.output import add_json_flag, emit
from commentbox.config import Settings
from commentbox.errors import InvalidInput
from commentbox.store.db import Database
from commentbox.store.models import Role

COMMANDS = frozenset({"admin"})
ROLES = [r.value for r in Role]


def add_parsers(commands: Any) -> None:
    admin = commands.add_parser("admin", help="moderator accounts for the /admin pages")
    actions = admin.add_subparsers(dest="admin_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="create an account (asks for its password)")
    add.add_argument("name")
    add.add_argument("--email", help="where moderator notifications go")
    add.add_argument("--superuser", action="store_true", help="owner of every site")
    add.add_argument("--site", action="append", default=[], help="a site it moderates (repeatable)")
    add.add_argument("--role", choices=ROLES, default="moderator")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add_json_flag(actions.add_parser("list", help="every account, its email and its roles per site"))
    remove = actions.add_parser("remove", help="delete an account (signs it out everywhere)")
    remove.add_argument("name")
    password = actions.add_parser("password", help="set an account's password (signs it out)")
    password.add_argument("name")
    password.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    grant = actions.add_parser("grant", help="make an account or a sign-in identity moderate a site")
    grant.add_argument("site")
    grant.add_argument("--account", help="an admin account name")
    grant.add_argument("--provider", choices=["google", "twitter", "facebook"])
    grant.add_argument("--provider-user-id", help="the provider's id of the user")
    grant.add_argument("--role", choices=ROLES, default="moderator")


def run(args: argparse.Namespace, db: Database, settings: Settings) -> int:
    if args.admin_command == "add":
        moderators.add_account(
            db,
            args.name,
            _password(args.password_stdin),
            email=args.email,
            superuser=args.superuser,
            sites=args.site,
            role=Role(args.role),
        )
        print(f"added {args.name}; sign in at /admin")
    elif args.admin_command == "list":
        accounts = moderators.list_accounts(db)
        emit(
            args,
            [
                {
                    "name": a.name,
                    "email": a.email,
                    "superuser": a.superuser,
                    "roles": [{"site": site, "role": role} for site, role in a.roles],
                    "created": a.created,
                }
                for a in accounts
            ],
            [(a.name, a.email or "-", _roles(a)) for a in accounts],
        )
    elif args.admin_command == "remove":
        moderators.remove_account(db, args.name)
        print(f"removed {args.name}")
    elif args.admin_command == "password":
        moderators.set_password(db, args.name, _password(args.password_stdin))
        print(f"password of {args.name} changed")
    elif args.admin_command == "grant":
        moderators.grant(
            db,
            args.site,
            Role(args.role),
            account_name=args.account,
            provider=args.provider,
            provider_user_id=args.provider_user_id,
        )
        print(f"granted {args.role} on {args.site}")
    return 0


def _roles(account: moderators.AccountView) -> str:
    if account.superuser:
        return "superuser (every site)"
    return ", ".join(f"{role} of {site}" for site, role in account.roles) or "no site yet"


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Again: "):
        raise InvalidInput("The two passwords differ.")
    return first

"""``commentbox erase``: a moderator carries out an erasure request received by mail, phone or
letter — everything of one person on one site, as "Erase my data" does for a signed-in
visitor (``domain/erasure.py``). Without ``--yes`` it only says how many comments it would
erase. Live readers of the other instances hear of it through the app's relay."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from commentbox.cli.output import add_json_flag, emit
from commentbox.config import Settings
from commentbox.domain import erasure
from commentbox.domain.erasure import Identity
from commentbox.errors import InvalidInput
from commentbox.services import Context
from commentbox.store.db import Database

COMMANDS = frozenset({"erase"})
BY = "the command line"


def add_parsers(commands: Any) -> None:
    erase = commands.add_parser("erase", help="erase everything of one person on one site")
    erase.add_argument("--site", required=True, help="the site id")
    who = erase.add_mutually_exclusive_group(required=True)
    who.add_argument("--email", help="a guest's address: the comments written with it, not signed in")
    who.add_argument("--user", type=int, metavar="ID", help="a signed-in user's id (as the admin pages show)")
    erase.add_argument("--yes", action="store_true", help="confirm; without it, only count what would go")
    add_json_flag(erase)


def run(args: argparse.Namespace, db: Database, settings: Settings) -> int:
    if args.user is not None and args.user < 1:
        raise InvalidInput("A user id is a whole number from 1.", field="user")
    identity = Identity.user(args.site, args.user) if args.user else Identity.guest(args.site, args.email)
    ctx = Context.from_settings(settings)
    try:
        if not args.yes:
            found = erasure.count(ctx.erasing, identity)
            print(
                f"This erases {found} comment(s) and everything else of theirs on {args.site}; "
                "add --yes to confirm.",
                file=sys.stderr,
            )
            return 2  # as ``site remove`` without --yes
        erased = erasure.erase(ctx.erasing, identity, BY)
    finally:
        ctx.group.close()
        ctx.db.dispose()
    document = erased.model_dump()
    emit(args, document, [(name, value) for name, value in document.items()])
    return 0

"""The ``commentbox`` command. Each command group is a module here (``serving``, ``sites``,
``admins``, ``comments``, ``webhooks``, ``erasure``; imports and exports live in
``transfer/commands.py``) with the same two functions: ``add_parsers`` declares its commands,
``run`` carries one out with plain domain calls. This module only assembles the parser,
opens the database and turns a domain error into one line on stderr and exit code 1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Protocol

from commentbox import __version__
from commentbox.cli import admins, comments, erasure, serving, sites, webhooks
from commentbox.cli.database import open_database, require_database
from commentbox.config import Settings, SettingsError, load_settings, read_settings
from commentbox.errors import CommentboxError
from commentbox.store.db import Database
from commentbox.transfer import commands as transfer


class CommandGroup(Protocol):
    COMMANDS: frozenset[str]

    def add_parsers(self, commands: argparse._SubParsersAction) -> None: ...  # type: ignore[type-arg]

    def run(self, args: argparse.Namespace, db: Database, settings: Settings) -> int: ...


GROUPS: tuple[CommandGroup, ...] = (serving, sites, admins, comments, webhooks, erasure, transfer)  # type: ignore[assignment]


def parser() -> argparse.ArgumentParser:
    """The whole command line, in the order ``--help`` lists it."""
    parser = argparse.ArgumentParser(prog="commentbox", description="A self-hosted comment system.")
    parser.add_argument("--version", action="version", version=f"commentbox {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in GROUPS:
        group.add_parsers(commands)
    return parser


def _creates_database(args: argparse.Namespace) -> bool:
    """Only the commands that set an instance up may make a database where there is none."""
    return args.command == "migrate" or (args.command == "site" and args.site_command == "add")


def run(args: argparse.Namespace) -> int:
    if args.command == "serve":
        return serving.serve(args)
    if not _creates_database(args):
        require_database(read_settings())
    settings = load_settings()
    db = open_database(settings)
    try:
        group = next(g for g in GROUPS if args.command in g.COMMANDS)
        return group.run(args, db, settings)
    finally:
        db.dispose()  # close pooled connections (tests call main() in-process)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return run(args)
    except (SettingsError, CommentboxError) as exc:
        print(f"commentbox: {exc}", file=sys.stderr)
        return 1

"""``commentbox comments …``: moderation from the shell — list the queue, approve, mark as
spam or delete — through the same functions as the admin pages, acting as an owner of every
site (whoever can run this can open the database anyway). Reply notifications and live
updates follow as they do from the admin pages: the moderation runs with the app's wiring."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from commentbox.admin.actions import Action, Moderation, Moderator, QueueQuery, queue
from commentbox.admin.actions import apply as moderate
from commentbox.cli.output import add_json_flag, emit
from commentbox.config import Settings
from commentbox.domain.text import shorten
from commentbox.mail import notify
from commentbox.services import Context
from commentbox.store.db import Database
from commentbox.store.models import CommentStatus

COMMANDS = frozenset({"comments"})
SHELL = Moderator("the command line", sites=None, owned=None)
STATUSES = [s.value for s in CommentStatus if s is not CommentStatus.DELETED]


def add_parsers(commands: Any) -> None:
    comments = commands.add_parser("comments", help="moderate comments from the shell")
    actions = comments.add_subparsers(dest="comments_command", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="comments across sites, waiting ones first, newest first")
    listing.add_argument("--pending", action="store_true", help="only those waiting for a moderator")
    listing.add_argument("--status", choices=STATUSES, help="only comments in this status")
    listing.add_argument("--site", default="", help="only this site's comments")
    listing.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    add_json_flag(listing)
    for action, help_text in (
        (Action.APPROVE, "publish comments"),
        (Action.SPAM, "mark comments as spam (hidden, kept for the spam filter)"),
        (Action.TRASH, "put comments in the trash (hidden, kept with their status)"),
        (Action.RESTORE, "give trashed comments back the status they had"),
        (Action.DELETE, "delete comments (a tombstone stays where replies hang under one)"),
    ):
        acting = actions.add_parser(action.value, help=help_text)
        acting.add_argument("ids", nargs="+", type=int, metavar="ID")
        add_json_flag(acting)


def run(args: argparse.Namespace, db: Database, settings: Settings) -> int:
    with _moderation(settings) as moderation:
        if args.comments_command == "list":
            _list(args, moderation)
            return 0
        changed = moderate(moderation, SHELL, args.ids, Action(args.comments_command))
    emit(args, {"action": args.comments_command, "changed": changed}, [(f"{changed} changed",)])
    return 0


def _list(args: argparse.Namespace, moderation: Moderation) -> None:
    status = CommentStatus.PENDING if args.pending else (CommentStatus(args.status) if args.status else None)
    rows = queue(moderation, SHELL, QueueQuery(status=status, site=args.site, limit=max(1, args.limit)))
    emit(
        args,
        [
            {
                "id": r.id,
                "site": r.site_id,
                "thread_url": r.thread_url,
                "parent": r.parent_id,
                "status": r.status,
                "author": r.user_name or r.author_name,
                "email": r.author_email,
                "created": r.created,
                "body": r.body,
            }
            for r in rows
        ],
        [
            (
                r.id,
                r.site_id,
                r.status,
                r.created.isoformat(timespec="minutes"),
                r.user_name or r.author_name,
                r.thread_url,
                shorten(" ".join(r.body.split()), 60),
            )
            for r in rows
        ],
    )


@contextmanager
def _moderation(settings: Settings) -> Iterator[Moderation]:
    """The app's wiring without its server: events reach the mail outbox (written to the
    database, sent by the running server) and the live relay of the other instances."""
    ctx = Context.from_settings(settings)
    notify.subscribe_listeners(ctx.notifier)
    try:
        yield ctx.moderation
    finally:
        ctx.group.close()
        ctx.db.dispose()

"""``commentbox site …``: register the sites that may embed commentbox and change their
settings (the same functions the site's admin page calls)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from commentbox.cli.output import add_json_flag, emit
from commentbox.config import Settings
from commentbox.domain import sites
from commentbox.store.db import Database
from commentbox.store.models import ModerationMode, NotifyModerators, Site

COMMANDS = frozenset({"site"})
MODES = [m.value for m in ModerationMode]


def add_parsers(commands: Any) -> None:
    site = commands.add_parser("site", help="manage the sites that may embed commentbox")
    site_commands = site.add_subparsers(dest="site_command", required=True, metavar="ACTION")
    add = site_commands.add_parser("add", help="register a site and the origins it is served from")
    add.add_argument("id", help="short id used in the embed snippet, e.g. myblog")
    add.add_argument(
        "--origin", action="append", required=True, help="e.g. https://blog.example (repeatable)"
    )
    add.add_argument("--name", help="display name")
    add.add_argument("--moderation", choices=MODES, default="none", help="which comments wait for approval")

    add_json_flag(site_commands.add_parser("list", help="list sites"))
    show = site_commands.add_parser("show", help="every setting of one site")
    show.add_argument("id")
    add_json_flag(show)

    update = site_commands.add_parser("update", help="change a site")
    update.add_argument("id")
    update.add_argument("--name")
    update.add_argument("--add-origin", action="append", default=[], metavar="URL")
    update.add_argument("--remove-origin", action="append", default=[], metavar="URL")
    update.add_argument("--moderation", choices=MODES)
    update.add_argument("--edit-window", type=int, metavar="SECONDS", help="how long guests may edit")
    update.add_argument(
        "--user-edit-window",
        type=int,
        metavar="SECONDS",
        help="how long signed-in authors may edit (0 = always; they may always delete)",
    )
    update.add_argument("--images", choices=["on", "off"], help="allow Markdown images in comments")
    update.add_argument(
        "--linkbacks", choices=["on", "off"], help="receive Webmentions and pingbacks (docs/linkbacks.md)"
    )
    update.add_argument(
        "--publish-linkbacks",
        choices=["on", "off"],
        help="show verified linkbacks at once instead of holding them for a moderator",
    )
    update.add_argument(
        "--query-param",
        action="append",
        metavar="NAME",
        help="a query parameter that tells pages apart, e.g. p for ?p=42 (repeatable)",
    )

    update.add_argument(
        "--max-links", type=int, metavar="N", help="most links a comment may carry (default 3)"
    )
    update.add_argument(
        "--min-post-seconds",
        type=int,
        metavar="N",
        help="least time between showing the form and posting (default 3; 0 turns the check off)",
    )
    update.add_argument("--blocked-words", metavar="LIST", help='comma-separated, e.g. "casino, cheap pills"')
    update.add_argument(
        "--blocked-names", metavar="LIST", help='comma-separated names nobody may use, e.g. "admin"'
    )
    update.add_argument(
        "--close-after-days", type=int, metavar="N", help="close threads older than N days (0: never)"
    )
    update.add_argument(
        "--hold-link-only",
        choices=["on", "off"],
        help="hold a comment that is nothing but links for a moderator (default on)",
    )
    update.add_argument(
        "--thread-write-limits",
        metavar="RULES",
        help='new comments on one thread from every address; beyond, held (default "10/minute; 100/hour")',
    )
    update.add_argument(
        "--site-write-limits",
        metavar="RULES",
        help='the same for the whole site (default "60/minute; 600/hour"; "off" for none)',
    )
    update.add_argument(
        "--new-thread-limits",
        metavar="RULES",
        help='pages that may get their first comment (a new thread); beyond, refused (default "60/hour")',
    )
    update.add_argument(
        "--same-text-limits",
        metavar="RULES",
        help='the same text from anyone on the site; beyond, held as spam (default "3/day")',
    )
    update.add_argument(
        "--feeds", choices=["on", "off"], help="publish Atom feeds of the site's comments (default on)"
    )
    update.add_argument(
        "--ip-hash-days", type=int, metavar="DAYS", help="keep IP address hashes this long (default 30)"
    )
    update.add_argument(
        "--guest-email-days",
        type=int,
        metavar="DAYS",
        help="keep guests' emails on comments nobody subscribed with this long (0, the default: always)",
    )
    update.add_argument(
        "--notify-moderators", choices=[n.value for n in NotifyModerators], help="which new comments to email"
    )

    remove = site_commands.add_parser("remove", help="delete a site and all its comments")
    remove.add_argument("id")
    remove.add_argument("--yes", action="store_true", help="confirm deleting every comment of the site")


def run(args: argparse.Namespace, db: Database, settings: Settings) -> int:
    if args.site_command == "add":
        site = sites.add_site(
            db, args.id, origins=args.origin, name=args.name, moderation=ModerationMode(args.moderation)
        )
        _print_sites(args, [site])
    elif args.site_command == "list":
        _print_sites(args, sites.list_sites(db))
    elif args.site_command == "show":
        settings_of = sites.load_site(db, args.id).model_dump(mode="json")
        emit(args, settings_of, [(name, _shown(value)) for name, value in settings_of.items()])
    elif args.site_command == "update":
        _print_sites(
            args,
            [
                sites.update_site(
                    db,
                    args.id,
                    name=args.name,
                    add_origins=args.add_origin,
                    remove_origins=args.remove_origin,
                    moderation=ModerationMode(args.moderation) if args.moderation else None,
                    edit_window_seconds=args.edit_window,
                    user_edit_window_seconds=args.user_edit_window,
                    allow_images=None if args.images is None else args.images == "on",
                    query_params=args.query_param,
                    max_links=args.max_links,
                    min_post_seconds=args.min_post_seconds,
                    blocked_words=_split(args.blocked_words),
                    blocked_names=_split(args.blocked_names),
                    close_after_days=args.close_after_days,
                    notify_moderators=NotifyModerators(args.notify_moderators)
                    if args.notify_moderators
                    else None,
                    hold_link_only=None if args.hold_link_only is None else args.hold_link_only == "on",
                    thread_write_limits=args.thread_write_limits,
                    site_write_limits=args.site_write_limits,
                    new_thread_limits=args.new_thread_limits,
                    same_text_limits=args.same_text_limits,
                    feeds=None if args.feeds is None else args.feeds == "on",
                    linkbacks=None if args.linkbacks is None else args.linkbacks == "on",
                    publish_linkbacks=None
                    if args.publish_linkbacks is None
                    else args.publish_linkbacks == "on",
                    ip_hash_days=args.ip_hash_days,
                    guest_email_days=args.guest_email_days,
                )
            ],
        )
    elif args.site_command == "remove":
        if not args.yes:
            print(f"This deletes site {args.id} and all its comments; add --yes to confirm.", file=sys.stderr)
            return 2
        sites.remove_site(db, args.id)
        print(f"removed {args.id}")
    return 0


def _print_sites(args: argparse.Namespace, found: list[Site]) -> None:
    emit(
        args,
        [site.model_dump(mode="json", include={"id", "name", "moderation", "origins"}) for site in found],
        [(s.id, s.name, s.moderation, " ".join(s.origins)) for s in found],
    )


def _shown(value: object) -> object:
    """A setting as one cell: a list comma-separated, nothing as "-"."""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) if value else "-"
    return "-" if value is None else value


def _split(value: str | None) -> list[str] | None:
    return None if value is None else [item.strip() for item in value.split(",") if item.strip()]

"""The ``commentbox`` command: serve, migrate, and manage sites.

Each subcommand builds ``Settings`` and calls plain functions; nothing here holds logic
that the HTTP side would need too.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy.engine import make_url

from commentbox import __version__
from commentbox.admin import moderators
from commentbox.app import check_demo_allowed, create_app
from commentbox.config import Settings, SettingsError, load_settings, read_settings
from commentbox.domain import sites
from commentbox.domain.urls import origin_of
from commentbox.errors import CommentboxError, InvalidInput
from commentbox.http.routes.pages import DEMO_SITE
from commentbox.store import migrate
from commentbox.store.db import Database
from commentbox.store.models import ModerationMode, NotifyModerators, Role
from commentbox.transfer import commands as transfer

MODES = [m.value for m in ModerationMode]
DEMO_RATE_LIMITS = "30/minute; 300/hour"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="commentbox", description="A self-hosted comment system.")
    parser.add_argument("--version", action="version", version=f"commentbox {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the server (migrates the database first)")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8080)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    serve.add_argument("--access-log", action="store_true", help="print a line for every request")
    serve.add_argument(
        "--demo",
        action="store_true",
        help="DEMO ONLY: offer a built-in test identity to sign in with (loopback address, one worker)",
    )

    commands.add_parser("migrate", help="bring the database schema up to date")

    site = commands.add_parser("site", help="manage the sites that may embed commentbox")
    site_commands = site.add_subparsers(dest="site_command", required=True, metavar="ACTION")
    add = site_commands.add_parser("add", help="register a site and the origins it is served from")
    add.add_argument("id", help="short id used in the embed snippet, e.g. myblog")
    add.add_argument(
        "--origin", action="append", required=True, help="e.g. https://blog.example (repeatable)"
    )
    add.add_argument("--name", help="display name")
    add.add_argument("--moderation", choices=MODES, default="none", help="which comments wait for approval")

    site_commands.add_parser("list", help="list sites")

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
        "--notify-moderators", choices=[n.value for n in NotifyModerators], help="which new comments to email"
    )

    remove = site_commands.add_parser("remove", help="delete a site and all its comments")
    remove.add_argument("id")
    remove.add_argument("--yes", action="store_true", help="confirm deleting every comment of the site")

    admin = commands.add_parser("admin", help="moderator accounts for the /admin pages")
    admin_commands = admin.add_subparsers(dest="admin_command", required=True, metavar="ACTION")
    add_admin = admin_commands.add_parser("add", help="create an account (asks for its password)")
    add_admin.add_argument("name")
    add_admin.add_argument("--email", help="where moderator notifications go")
    add_admin.add_argument("--superuser", action="store_true", help="owner of every site")
    add_admin.add_argument("--site", action="append", default=[], help="a site it moderates (repeatable)")
    add_admin.add_argument("--role", choices=[r.value for r in Role], default="moderator")
    add_admin.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    password = admin_commands.add_parser("password", help="set an account's password (signs it out)")
    password.add_argument("name")
    password.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    grant = admin_commands.add_parser("grant", help="make an account or a sign-in identity moderate a site")
    grant.add_argument("site")
    grant.add_argument("--account", help="an admin account name")
    grant.add_argument("--provider", choices=["google", "twitter", "facebook"])
    grant.add_argument("--provider-user-id", help="the provider's id of the user")
    grant.add_argument("--role", choices=[r.value for r in Role], default="moderator")
    transfer.add_parsers(commands)
    return parser


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Again: "):
        raise InvalidInput("The two passwords differ.")
    return first


def _admin(db: Database, args: argparse.Namespace) -> None:
    if args.admin_command == "add":
        secret = _password(args.password_stdin)
        moderators.add_account(
            db,
            args.name,
            secret,
            email=args.email,
            superuser=args.superuser,
            sites=args.site,
            role=Role(args.role),
        )
        print(f"added {args.name}; sign in at /admin")
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


def _split(value: str | None) -> list[str] | None:
    return None if value is None else [item.strip() for item in value.split(",") if item.strip()]


def _require_database(settings: Settings) -> None:
    """Refuse, before anything is written, where there is no database: a command in a
    folder without one would otherwise start an empty instance nobody serves. Only the
    commands that set an instance up (``serve``, ``migrate``, ``site add``) make one."""
    path = settings.sqlite_file
    if path is not None:
        if not path.exists():
            raise SettingsError(_no_database(settings))
        return
    db = Database(settings.database_url)
    try:
        if not migrate.is_created(db.engine):
            raise SettingsError(_no_database(settings))
    finally:
        db.dispose()


def _database(settings: Settings) -> Database:
    """The database, migrated; a new SQLite file (and its folder) is made and announced."""
    path = settings.sqlite_file
    new = path is not None and not path.exists()
    if path is not None and new:
        path.parent.mkdir(parents=True, exist_ok=True)
    db = Database(settings.database_url)
    migrate.upgrade(db.engine)
    if new:
        print(f"commentbox: created a new database in {path}", file=sys.stderr)
    return db


def _no_database(settings: Settings) -> str:
    where = settings.sqlite_file or make_url(settings.database_url).render_as_string(hide_password=True)
    return (
        f"There is no commentbox database at {where}. Run this where the server runs (its data "
        "folder is commentbox-data/ there), set COMMENTBOX_DATA_DIR or COMMENTBOX_DATABASE_URL to "
        "the server's, or create one with `commentbox migrate`."
    )


def _print_site(site: object) -> None:
    s = site  # a Site row
    print(f"{s.id}\t{s.name}\t{s.moderation}\t{' '.join(s.origins)}")  # type: ignore[attr-defined]


def _ensure_demo_site(db: Database, settings: Settings) -> None:
    """The demo page's site: this server's own origin (and its localhost twin)."""
    origins = [origin_of(settings.base_url)]
    if settings.host in ("127.0.0.1", "localhost"):
        origins += [f"http://127.0.0.1:{settings.port}", f"http://localhost:{settings.port}"]
    sites.ensure_site(db, DEMO_SITE, origins=origins, name="Demo")


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    # Workers are separate processes that read settings from the environment: pass ours on.
    if args.host:
        os.environ["COMMENTBOX_HOST"] = args.host
    if args.port:
        os.environ["COMMENTBOX_PORT"] = str(args.port)
    # One person trying everything the demo article invites (post, reply, edit, vote, sign
    # in and out) meets the public budget of 3 writes a minute at the fourth step. Demo mode
    # serves from this process, so the settings object carries it (no variable is changed).
    trying = args.demo and "COMMENTBOX_RATE_LIMITS" not in os.environ
    settings = load_settings(**({"rate_limits": DEMO_RATE_LIMITS} if trying else {}))
    if args.demo:
        # An argument, never a setting: no environment or config file can switch it on.
        check_demo_allowed(settings)
        if args.workers != 1:
            raise SettingsError("Demo mode runs with one worker.")
    db = _database(settings)
    if settings.demo_page:
        _ensure_demo_site(db, settings)
    db.dispose()
    database = make_url(settings.database_url).render_as_string(hide_password=True)
    lines = [f"commentbox {__version__} listening on {settings.base_url}/ (database {database})"]
    if settings.demo_page:
        lines.append(f"  open {settings.base_url}/ for the demo article")
    lines.append("  press Ctrl+C to stop" + ("" if args.access_log else "; --access-log shows each request"))
    print("\n".join(lines), flush=True)
    if args.demo:
        print(
            "DEMO MODE: anyone on this machine can sign in as the built-in test identity. "
            "Never use this in production.",
            flush=True,
        )
    target: Any = create_app(settings, demo=True) if args.demo else "commentbox.app:create_app_from_env"
    with _shared_metrics(settings, args.workers):
        uvicorn.run(
            target,
            factory=not args.demo,
            host=settings.host,
            port=settings.port,
            workers=args.workers,
            proxy_headers=False,  # commentbox trusts forwarding headers itself (COMMENTBOX_TRUSTED_PROXIES)
            server_header=False,
            access_log=args.access_log,  # off by default: the reverse proxy logs requests
            log_level="info" if args.access_log else "warning",
        )
    return 0


@contextmanager
def _shared_metrics(settings: Settings, workers: int) -> Iterator[None]:
    """With several workers, each writes its metrics to files in one fresh folder and any of
    them answers a scrape with the sum (prometheus_client's multiprocess mode)."""
    if not settings.metrics_enabled or workers < 2 or os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        yield
        return
    with tempfile.TemporaryDirectory(prefix="commentbox-metrics-") as folder:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
        try:
            yield
        finally:
            del os.environ["PROMETHEUS_MULTIPROC_DIR"]


def run(args: argparse.Namespace) -> int:
    if args.command == "serve":
        return serve(args)
    creates = args.command == "migrate" or (args.command == "site" and args.site_command == "add")
    if not creates:
        _require_database(read_settings())
    settings = load_settings()
    db = _database(settings)
    try:
        if args.command in transfer.COMMANDS:
            return transfer.run(args, db, settings)
        return _run_with(db, args)
    finally:
        db.dispose()  # close pooled connections (tests call main() in-process)


def _run_with(db: Database, args: argparse.Namespace) -> int:
    if args.command == "migrate":
        print("database schema is up to date")
        return 0
    if args.command == "admin":
        _admin(db, args)
    elif args.site_command == "add":
        _print_site(
            sites.add_site(
                db,
                args.id,
                origins=args.origin,
                name=args.name,
                moderation=ModerationMode(args.moderation),
            )
        )
    elif args.site_command == "list":
        for site in sites.list_sites(db):
            _print_site(site)
    elif args.site_command == "update":
        _print_site(
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
            )
        )
    elif args.site_command == "remove":
        if not args.yes:
            print(
                f"This deletes site {args.id} and all its comments; add --yes to confirm.",
                file=sys.stderr,
            )
            return 2
        sites.remove_site(db, args.id)
        print(f"removed {args.id}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return run(args)
    except (SettingsError, CommentboxError) as exc:
        print(f"commentbox: {exc}", file=sys.stderr)
        return 1

"""``commentbox serve`` and ``commentbox migrate``: run an instance, or only bring its
schema up to date."""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from commentbox import __version__
from commentbox.app import check_demo_allowed, create_app
from commentbox.cli.database import open_database, shown_url
from commentbox.config import Settings, SettingsError, load_settings
from commentbox.domain import sites
from commentbox.domain.urls import origin_of
from commentbox.http.routes.pages import DEMO_SITE
from commentbox.store.db import Database

COMMANDS = frozenset({"migrate"})  # serve runs before any database is opened: see serve()
DEMO_RATE_LIMITS = "30/minute; 300/hour"


def add_parsers(commands: Any) -> None:
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


def run(args: argparse.Namespace, db: Database, settings: Settings) -> int:
    print("database schema is up to date")  # open_database() migrated it
    return 0


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
    db = open_database(settings)
    if settings.demo_page:
        _ensure_demo_site(db, settings)
    db.dispose()
    lines = [f"commentbox {__version__} listening on {settings.base_url}/ (database {shown_url(settings)})"]
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


def _ensure_demo_site(db: Database, settings: Settings) -> None:
    """The demo page's site: this server's own origin (and its localhost twin)."""
    origins = [origin_of(settings.base_url)]
    if settings.host in ("127.0.0.1", "localhost"):
        origins += [f"http://127.0.0.1:{settings.port}", f"http://localhost:{settings.port}"]
    sites.ensure_site(db, DEMO_SITE, origins=origins, name="Demo")


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

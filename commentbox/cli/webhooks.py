"""``commentbox webhook …``: a site's signed webhook endpoints from the shell — add (prints
the signing secret for the receiver), list with each endpoint's last delivery, remove,
disable and enable, and send a test event now. The same functions as the site's admin page (``webhooks/``)."""

from __future__ import annotations

import argparse
from typing import Any

from commentbox.cli.output import add_json_flag, emit
from commentbox.config import Settings
from commentbox.outbound.fetch import Fetcher
from commentbox.store.db import Database
from commentbox.webhooks import endpoints
from commentbox.webhooks.events import WebhookEvent
from commentbox.webhooks.sender import WebhookSender

COMMANDS = frozenset({"webhook"})
EVENTS = [e.value for e in WebhookEvent]


def add_parsers(commands: Any) -> None:
    webhook = commands.add_parser("webhook", help="a site's signed webhook endpoints (docs/webhooks.md)")
    actions = webhook.add_subparsers(dest="webhook_command", required=True, metavar="ACTION")
    adding = actions.add_parser("add", help="register an endpoint; prints its signing secret")
    adding.add_argument("site")
    adding.add_argument("url")
    adding.add_argument(
        "--events",
        default=",".join(EVENTS),
        help=f"comma-separated events to send (default: all of {', '.join(EVENTS)})",
    )
    add_json_flag(adding)
    listing = actions.add_parser("list", help="a site's endpoints and each one's last delivery")
    listing.add_argument("site")
    add_json_flag(listing)
    removing = actions.add_parser("remove", help="remove an endpoint, its queue and its delivery log")
    removing.add_argument("id", type=int)
    testing = actions.add_parser("test", help="send a test event to an endpoint now and say how it went")
    testing.add_argument("id", type=int)
    for name, help_text in (
        ("disable", "send an endpoint no more events (what is queued for it is given up)"),
        ("enable", "send an endpoint events again"),
    ):
        actions.add_parser(name, help=help_text).add_argument("id", type=int)


def run(args: argparse.Namespace, db: Database, settings: Settings) -> int:
    if args.webhook_command == "add":
        added = endpoints.add_endpoint(db, args.site, args.url, args.events.split(","))
        document = {"id": added.id, "url": added.url, "events": added.events.split(), "secret": added.secret}
        emit(args, document, [(added.id, added.url, added.events), ("secret", added.secret)])
    elif args.webhook_command == "list":
        _list(args, db)
    elif args.webhook_command == "remove":
        removed = endpoints.remove_endpoint(db, args.id)
        print(f"removed endpoint {removed.id} ({removed.url}) of site {removed.site_id}")
    elif args.webhook_command in ("enable", "disable"):
        changed = endpoints.set_enabled(db, args.id, args.webhook_command == "enable")
        print(f"endpoint {changed.id} ({changed.url}) {args.webhook_command}d")
    else:
        return _test(args.id, db, settings)
    return 0


def _list(args: argparse.Namespace, db: Database) -> None:
    logs = endpoints.endpoints(db, args.site)
    document = []
    lines = []
    for log in logs:
        last = log.deliveries[0] if log.deliveries else None
        outcome = None if last is None else ("delivered" if last.delivered else last.last_error or "waiting")
        document.append(
            {
                "id": log.endpoint.id,
                "url": log.endpoint.url,
                "events": log.events,
                "enabled": log.endpoint.enabled,
                "last_event": last.event if last else None,
                "last_outcome": outcome,
                "last_status": last.last_status if last else None,
            }
        )
        state = "" if log.endpoint.enabled else " (disabled)"
        lines.append(
            (log.endpoint.id, log.endpoint.url + state, ",".join(log.events), outcome or "no deliveries")
        )
    emit(args, document, lines)


def _test(endpoint_id: int, db: Database, settings: Settings) -> int:
    """Exit 0 only when the endpoint answered 2xx."""
    endpoint = endpoints.endpoint(db, endpoint_id)
    sender = WebhookSender(db, Fetcher(allow_hosts=settings.outbound_allow_hosts), settings.webhook_timeout)
    attempt = sender.send_test(endpoint_id, endpoint.site_id)
    if attempt.delivered:
        print(f"delivered: {endpoint.url} answered HTTP {attempt.status}")
        return 0
    print(f"not delivered: {attempt.error}")
    return 1

"""What webhooks say: the event names, their payloads, and how they are queued.

Every payload is ``{"type": …, "timestamp": …, "data": {…}}`` (docs/webhooks.md). ``data``
is built here from named fields only, so an author's email, IP hash or browser hash can
never slip into it. A delivery is queued inside the transaction of the change it reports
(``Events.within``): the comment and its deliveries commit together or not at all, and
posting never waits for a receiver (the sender delivers later, from the outbox).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from enum import StrEnum
from functools import partial
from typing import Any, Protocol

import orjson
from sqlalchemy import Connection, select

from commentbox.runtime.events import Events
from commentbox.store import webhooks as stored
from commentbox.store.db import on_commit
from commentbox.store.models import CommentStatus, Site, User, utcnow
from commentbox.webhooks.signing import new_event_id


class WebhookEvent(StrEnum):
    COMMENT_CREATED = "comment.created"
    COMMENT_APPROVED = "comment.approved"
    COMMENT_EDITED = "comment.edited"
    COMMENT_DELETED = "comment.deleted"
    LINKBACK_RECEIVED = "linkback.received"
    LINKBACK_DELETED = "linkback.deleted"


TEST_EVENT = "webhook.test"  # sent by "send test event" to one endpoint, whatever it subscribes to
COMMENT_EVENTS = (
    WebhookEvent.COMMENT_CREATED,
    WebhookEvent.COMMENT_APPROVED,
    WebhookEvent.COMMENT_EDITED,
    WebhookEvent.COMMENT_DELETED,
)
# The fields of a linkback event's payload (the linkbacks code fills them): what arrived, and
# for a removal what was taken away and why.
LINKBACK_FIELDS = {
    WebhookEvent.LINKBACK_RECEIVED: (
        "linkback_id",
        "kind",
        "source",
        "title",
        "excerpt",
        "author_name",
        "status",
        "received",
    ),
    WebhookEvent.LINKBACK_DELETED: ("linkback_id", "kind", "source", "comment_id", "reason", "deleted"),
}


class CommentFacts(Protocol):
    """What a payload reads from a comment (a ``Comment`` row, or the post path's plain row)."""

    id: int | None
    parent_id: int | None
    user_id: int | None
    author_name: str
    html: str
    status: str
    created: datetime
    edited: datetime | None


def _when(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def envelope(event: str, data: Mapping[str, Any], at: datetime) -> str:
    """The body exactly as it is stored, signed and sent."""
    return orjson.dumps({"type": event, "timestamp": _when(at), "data": data}).decode()


def comment_data(
    site_id: str, thread_url: str, comment: CommentFacts, author_name: str, *, deleted: bool = False
) -> dict[str, Any]:
    """A comment event's ``data``; a deleted comment's words and name are not repeated."""
    return {
        "site": site_id,
        "thread_url": thread_url,
        "comment_id": comment.id,
        "parent_id": comment.parent_id,
        "author_name": "" if deleted else author_name,
        "html": "" if deleted else comment.html,
        "status": CommentStatus.DELETED.value if deleted else comment.status,
        "created": _when(comment.created),
        "edited": _when(comment.edited),
    }


def enqueue(
    connection: Connection,
    site_id: str,
    event: str,
    data: Mapping[str, Any],
    *,
    endpoint_id: int | None = None,
) -> int:
    """Queue ``event`` for every endpoint of the site that subscribes to it (or for
    ``endpoint_id`` alone), inside the caller's transaction; returns how many were queued."""
    now = utcnow()
    return stored.queue_event(
        connection, site_id, event, new_event_id(), envelope(event, data, now), now, endpoint_id
    )


def enqueue_linkback_received(connection: Connection, site_id: str, linkback: Mapping[str, Any]) -> int:
    """Queue ``linkback.received`` inside the transaction that stored the linkback.

    ``linkback`` holds the event's ``LINKBACK_FIELDS`` (others are dropped) plus
    ``thread_url``: e.g. ``{"linkback_id": 7, "kind": "webmention", "source":
    "https://other.example/post", "title": "A reply", "excerpt": "…", "author_name": "Bo",
    "status": "pending", "received": "2026-12-07T14:00:00Z", "thread_url":
    "https://blog.example/post/"}``. Emitting ``events.within(connection,
    "linkback.received", site_id=…, linkback=…)`` does the same and wakes the sender after
    the commit; called directly, the sender finds the delivery on its next poll (a few seconds).
    """
    return _enqueue_linkback(connection, site_id, WebhookEvent.LINKBACK_RECEIVED, linkback)


def _enqueue_linkback(
    connection: Connection, site_id: str, event: WebhookEvent, linkback: Mapping[str, Any]
) -> int:
    data = {"site": site_id, "thread_url": linkback.get("thread_url", "")}
    data.update({name: linkback.get(name) for name in LINKBACK_FIELDS[event]})
    return enqueue(connection, site_id, event, data)


def _author_name(connection: Connection, comment: CommentFacts) -> str:
    """A guest's name is on the comment; a signed-in author's is their account's."""
    if comment.author_name or comment.user_id is None:
        return comment.author_name
    users = User.__table__  # type: ignore[attr-defined]
    query = select(users.c.name).where(users.c.id == comment.user_id)
    return str(connection.execute(query).scalar() or "")


def _comment_changed(
    event: WebhookEvent,
    wake: Callable[[], None],
    connection: Connection,
    *,
    comment: CommentFacts,
    site: Site,
    thread_url: str,
    author_name: str | None = None,
    **_: Any,
) -> None:
    if event not in site.webhook_events.split():  # no endpoint of the site hears it: no statement
        return
    deleted = event is WebhookEvent.COMMENT_DELETED  # also: taken out of the thread as spam
    if comment.status == CommentStatus.SPAM and not deleted:  # spam is nobody's news
        return
    if author_name is None and not deleted:
        author_name = _author_name(connection, comment)
    data = comment_data(site.id, thread_url, comment, author_name or "", deleted=deleted)
    if enqueue(connection, site.id, event, data):
        on_commit(wake)


def _linkback_changed(
    event: WebhookEvent,
    wake: Callable[[], None],
    connection: Connection,
    *,
    site_id: str,
    linkback: Mapping[str, Any],
) -> None:
    if _enqueue_linkback(connection, site_id, event, linkback):
        on_commit(wake)


def listen(events: Events, wake: Callable[[], None]) -> None:
    """Queue deliveries inside the writes that announce comment changes and linkbacks;
    ``wake`` (the sender's) runs after such a write committed."""
    for event in COMMENT_EVENTS:
        events.subscribe_within(event, partial(_comment_changed, event, wake))
    for event in (WebhookEvent.LINKBACK_RECEIVED, WebhookEvent.LINKBACK_DELETED):
        events.subscribe_within(event, partial(_linkback_changed, event, wake))

"""Webhook endpoints and their deliveries (the webhook outbox and its log)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, Insert, bindparam, delete, insert, literal, or_, update
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, func, select

from commentbox.store.models import WebhookDelivery, WebhookEndpoint
from commentbox.store.rows import save

_ENDPOINT = WebhookEndpoint.__table__  # type: ignore[attr-defined]
_DELIVERY = WebhookDelivery.__table__  # type: ignore[attr-defined]


def _queue_statement(one_endpoint: bool) -> Insert:
    """``INSERT … SELECT``: one delivery per chosen endpoint, built once (SQLAlchemy then
    reuses its compiled form). Not a ``Bare`` statement: its bind processors would store
    times in another text form than the ORM's on SQLite, and the sender compares them."""
    delivery = _DELIVERY.c
    chosen = select_columns(
        _ENDPOINT.c.id,
        bindparam("event_id", type_=delivery.event_id.type),
        bindparam("event", type_=delivery.event.type),
        bindparam("payload", type_=delivery.payload.type),
        literal(0),
        bindparam("now", type_=delivery.next_attempt.type),
        literal(0),
        literal(""),
        literal(False),
        bindparam("now", type_=delivery.created.type),
    ).where(_ENDPOINT.c.site_id == bindparam("site_id"))
    if one_endpoint:
        chosen = chosen.where(_ENDPOINT.c.id == bindparam("endpoint_id"))
    else:
        spaced = literal(" ") + _ENDPOINT.c.events + literal(" ")
        chosen = chosen.where(_ENDPOINT.c.enabled.is_(True), spaced.like(bindparam("pattern")))
    columns = ["endpoint_id", "event_id", "event", "payload", "attempts", "next_attempt"]
    columns += ["last_status", "last_error", "failed", "created"]
    return insert(_DELIVERY).from_select(columns, chosen)


_QUEUE_SUBSCRIBED = _queue_statement(one_endpoint=False)
_QUEUE_ONE = _queue_statement(one_endpoint=True)


def queue_event(
    connection: Connection,
    site_id: str,
    event: str,
    event_id: str,
    payload: str,
    now: datetime,
    endpoint_id: int | None = None,
) -> int:
    """One delivery row per enabled endpoint of ``site_id`` subscribed to ``event`` (or for
    ``endpoint_id`` alone, whatever it subscribes to), in one statement inside the caller's
    transaction; returns how many were queued."""
    params = {"site_id": site_id, "event_id": event_id, "event": event, "payload": payload, "now": now}
    if endpoint_id is None:
        result = connection.execute(_QUEUE_SUBSCRIBED, {**params, "pattern": f"% {event} %"})
    else:
        result = connection.execute(_QUEUE_ONE, {**params, "endpoint_id": endpoint_id})
    return int(result.rowcount)


def endpoints_of(session: Session, site_id: str) -> Sequence[WebhookEndpoint]:
    query = select(WebhookEndpoint).where(WebhookEndpoint.site_id == site_id)
    query = query.order_by(col(WebhookEndpoint.id))
    return session.exec(query).all()


def endpoint_by_id(session: Session, endpoint_id: int) -> WebhookEndpoint | None:
    return session.get(WebhookEndpoint, endpoint_id)


def count_endpoints(session: Session, site_id: str) -> int:
    query = select(func.count()).select_from(WebhookEndpoint).where(WebhookEndpoint.site_id == site_id)
    return int(session.exec(query).one())


def add_endpoint(session: Session, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    save(session, endpoint)
    return endpoint


def recent_deliveries(session: Session, endpoint_id: int, limit: int) -> Sequence[WebhookDelivery]:
    """The endpoint's newest deliveries first: its delivery log."""
    query = (
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint_id)
        .order_by(col(WebhookDelivery.id).desc())
        .limit(limit)
    )
    return session.exec(query).all()


def delivery_target(session: Session, endpoint_id: int) -> tuple[str, str, bool] | None:
    """The URL, secret and enabled flag of a delivery's endpoint (None: removed meanwhile)."""
    query = select(WebhookEndpoint.url, WebhookEndpoint.secret, WebhookEndpoint.enabled)
    found = session.exec(query.where(WebhookEndpoint.id == endpoint_id)).first()
    return (found[0], found[1], found[2]) if found is not None else None


def attempted(
    session: Session,
    delivery_id: int,
    *,
    now: datetime,
    attempts: int,
    status: int,
    error: str,
    next_attempt: datetime | None,
) -> None:
    """Record one attempt: delivered when ``error`` is empty, else due again at
    ``next_attempt`` (None: no more tries, it failed)."""
    values: dict[str, object] = {
        "attempts": attempts,
        "last_status": status,
        "last_error": error,
        "last_attempt": now,
    }
    if not error:
        values["delivered"] = now
    elif next_attempt is None:
        values["failed"] = True
    else:
        values["next_attempt"] = next_attempt
    session.exec(update(WebhookDelivery).where(col(WebhookDelivery.id) == delivery_id).values(**values))  # type: ignore[call-overload]


def prune_deliveries(session: Session, before: datetime) -> int:
    """Forget finished deliveries (delivered or given up) created before ``before``: the log
    shows the latest ones, and the table must not grow with every comment for ever."""
    finished = or_(col(WebhookDelivery.delivered).is_not(None), col(WebhookDelivery.failed))
    result = session.exec(delete(WebhookDelivery).where(finished, col(WebhookDelivery.created) < before))  # type: ignore[call-overload]
    return int(result.rowcount)

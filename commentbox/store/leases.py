"""Claiming outbox rows, so that several instances sharing a table never send one row twice.

Used by the mail outbox and the webhook outbox (``claim_due``: both tables have ``id``,
``next_attempt``, ``failed`` and a column that is set once the row is done, ``sent`` or
``delivered``) and by the linkback verifier (``claim``: queued claims, by their ``state``).

A row is claimed by moving its ``next_attempt`` forward (a lease) in one conditional
``UPDATE … WHERE id = :id AND next_attempt = :seen``. Every claim moves ``next_attempt``, so
a row another instance claimed since we read it no longer matches and is skipped. On
PostgreSQL the second ``UPDATE`` waits for the first one's row lock and then re-checks its
``WHERE`` against the committed row (READ COMMITTED), finding nothing; on SQLite writes are
serialized (``BEGIN IMMEDIATE``), so the second instance reads after the first committed.
A sender that dies mid-send leaves its lease to expire, and the row is due again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, update
from sqlmodel import Session, col, select

T = TypeVar("T")


def claim_due(
    session: Session, model: type[T], done: Any, now: datetime, limit: int, lease: timedelta
) -> list[T]:
    """Up to ``limit`` rows of ``model`` that are due (``done`` unset, not failed, next attempt
    passed), oldest first, each leased to this caller until ``now + lease``."""
    table: Any = model
    return claim(session, model, col(done).is_(None) & col(table.failed).is_(False), now, limit, lease)


def claim(
    session: Session,
    model: type[T],
    waiting: ColumnElement[bool],
    now: datetime,
    limit: int,
    lease: timedelta,
) -> list[T]:
    """Up to ``limit`` rows of ``model`` that match ``waiting`` and whose next attempt has
    passed, oldest first, each leased to this caller until ``now + lease``."""
    table: Any = model
    query = (
        select(model)
        .where(waiting, table.next_attempt <= now)
        .order_by(col(table.next_attempt), col(table.id))
        .limit(limit)
    )
    claimed = []
    for row in session.exec(query).all():
        taken = session.exec(
            update(model)  # type: ignore[arg-type]
            .where(waiting, col(table.id) == row.id, col(table.next_attempt) == row.next_attempt)  # type: ignore[attr-defined]
            .values(next_attempt=now + lease)
        )
        if taken.rowcount:  # type: ignore[attr-defined]
            claimed.append(row)
    return claimed

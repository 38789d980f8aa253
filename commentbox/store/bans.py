"""Bans: who may not write on a site, until when."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Connection,
    bindparam,
    or_,
    tuple_,
)
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select
from sqlmodel.sql.sqltypes import UTCDateTime

from commentbox.store.models import (
    Ban,
)

if TYPE_CHECKING:
    pass


_ACTIVE_BAN = (
    select(Ban)
    .where(
        col(Ban.site_id) == bindparam("site_id"),
        tuple_(col(Ban.kind), col(Ban.value)).in_(bindparam("keys", expanding=True)),
        or_(col(Ban.until).is_(None), col(Ban.until) > bindparam("now", type_=UTCDateTime)),
    )
    .limit(1)
)


def active_ban(session: Session, site_id: str, keys: Iterable[tuple[str, str]], now: datetime) -> Ban | None:
    """A ban on the site matching any ``(kind, value)`` that has not run out, if one exists
    (checked on every post: the statement is built once)."""
    params = {"site_id": site_id, "keys": list(keys), "now": now}
    return session.exec(_ACTIVE_BAN, params=params).first()


def ban_until(connection: Connection, ban_id: int) -> datetime | None:
    """When a ban found by ``standing`` runs out (None: never), for the refusal's sentence."""
    return connection.execute(select_columns(col(Ban.until)).where(col(Ban.id) == ban_id)).scalar()


def ban_by_id(session: Session, ban_id: int) -> Ban | None:
    return session.get(Ban, ban_id)


def bans(session: Session, sites: frozenset[str] | None, now: datetime) -> Sequence[Ban]:
    """Bans still in force on ``sites`` (None: all), newest first."""
    query = select(Ban).where(or_(col(Ban.until).is_(None), col(Ban.until) > now))
    if sites is not None:
        query = query.where(col(Ban.site_id).in_(sites))
    return session.exec(query.order_by(col(Ban.created).desc(), col(Ban.id).desc())).all()

"""Rows in general (save, remove) and site rows, which every request reads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, select

from commentbox.store.models import (
    Site,
)

if TYPE_CHECKING:
    pass


def site_by_id(session: Session, site_id: str) -> Site | None:
    return session.get(Site, site_id)


def all_sites(session: Session) -> Sequence[Site]:
    return session.exec(select(Site).order_by(Site.id)).all()


def save(session: Session, row: Any) -> None:
    session.add(row)
    session.flush()


def remove(session: Session, row: Any) -> None:
    session.delete(row)
    session.flush()

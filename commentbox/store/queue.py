"""The moderation queue: what moderators see and count."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Row,
    Select,
    case,
    func,
    or_,
)
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from commentbox.store.comments import COMMENT_COLUMNS, with_authors
from commentbox.store.models import (
    Comment,
    CommentStatus,
    Thread,
    User,
)

QUEUE_COLUMNS: tuple[Any, ...] = (
    *COMMENT_COLUMNS,
    col(Comment.body),
    col(User.provider_user_id).label("user_provider_user_id"),
    col(Comment.ip_hash),
    col(Comment.client_hash),
    col(Thread.site_id),
    col(Thread.url).label("thread_url"),
    col(Thread.key).label("thread_key"),
    col(Thread.title).label("thread_title"),
    col(Thread.locked).label("thread_locked"),
)


def queue(
    session: Session,
    *,
    sites: frozenset[str] | None,
    status: CommentStatus | None,
    text: str,
    author: str,
    site: str,
    thread: str,
    offset: int,
    limit: int,
) -> Sequence[Row[Any]]:
    """Comments for moderators: pending first, then newest first; filters match substrings.
    Without a ``status``, every comment but the trash (asked for by name) and tombstones."""
    query = _moderation_rows().where(col(Comment.status) != CommentStatus.DELETED)
    if sites is not None:
        query = query.where(col(Thread.site_id).in_(sites))
    if status is not None:
        query = query.where(col(Comment.status) == status)
    else:
        query = query.where(col(Comment.status) != CommentStatus.TRASH)
    if text:
        query = query.where(col(Comment.body).icontains(text, autoescape=True))
    if author:
        query = query.where(
            or_(
                col(Comment.author_name).icontains(author, autoescape=True),
                col(Comment.author_email).icontains(author, autoescape=True),
                col(User.name).icontains(author, autoescape=True),
            )
        )
    if site:
        query = query.where(col(Thread.site_id) == site)
    if thread:
        matches = [
            col(Thread.url).icontains(thread, autoescape=True),
            col(Thread.title).icontains(thread, autoescape=True),
        ]
        if thread.isdigit():
            matches.append(col(Thread.id) == int(thread))
        query = query.where(or_(*matches))
    pending_first = case((col(Comment.status) == CommentStatus.PENDING, 0), else_=1)
    query = query.order_by(pending_first, col(Comment.created).desc(), col(Comment.id).desc())
    return session.connection().execute(query.offset(offset).limit(limit)).all()


def queue_row(session: Session, comment_id: int) -> Row[Any] | None:
    query = _moderation_rows().where(col(Comment.id) == comment_id)
    return session.connection().execute(query).first()


def thread_for_moderators(session: Session, thread_id: int) -> Sequence[Row[Any]]:
    """Every comment of a thread in any status, tombstones included, oldest first."""
    query = _moderation_rows().where(col(Comment.thread_id) == thread_id)
    return session.connection().execute(query.order_by(col(Comment.created), col(Comment.id))).all()


def _moderation_rows() -> Select[Any]:
    """Comments as moderators see them (``QUEUE_COLUMNS``): with their thread and author."""
    return with_authors(select_columns(*QUEUE_COLUMNS).join(Thread, col(Thread.id) == col(Comment.thread_id)))


def count_by_status(session: Session, sites: frozenset[str] | None, status: CommentStatus) -> int:
    query = (
        select(func.count())
        .select_from(Comment)
        .join(Thread, col(Thread.id) == col(Comment.thread_id))
        .where(col(Comment.status) == status)
    )
    if sites is not None:
        query = query.where(col(Thread.site_id).in_(sites))
    return int(session.exec(query).one())


def thread_by_id_or_none(session: Session, thread_id: int) -> Thread | None:
    return session.get(Thread, thread_id)

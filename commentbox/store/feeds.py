"""The rows of a feed: a site's (or one thread's) newest published comments."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row
from sqlalchemy import select as select_columns
from sqlmodel import Session, col

from commentbox.store.comments import COMMENT_COLUMNS, with_authors
from commentbox.store.models import Comment, CommentStatus, Thread

_FEED_COLUMNS: tuple[Any, ...] = (
    *COMMENT_COLUMNS,
    col(Thread.url).label("thread_url"),
    col(Thread.title).label("thread_title"),
    col(Thread.key).label("thread_key"),
)


def newest_published(session: Session, site_id: str, thread_id: int | None, limit: int) -> Sequence[Row[Any]]:
    """The ``limit`` newest published comments of a site, or of one of its threads, newest
    first, as ``COMMENT_COLUMNS`` plus their thread's ``thread_url``, ``thread_title`` and
    ``thread_key``. Held, spam and removed comments are never among them."""
    query = (
        with_authors(select_columns(*_FEED_COLUMNS).join(Thread, Thread.id == Comment.thread_id))  # type: ignore[arg-type]
        .where(col(Thread.site_id) == site_id, col(Comment.status) == CommentStatus.APPROVED)
        .order_by(col(Comment.created).desc(), col(Comment.id).desc())
        .limit(limit)
    )
    if thread_id is not None:
        query = query.where(col(Comment.thread_id) == thread_id)
    return session.connection().execute(query).all()

"""Comment rows: a thread's visible comments, one comment, duplicates, deletion, votes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Row,
    bindparam,
    delete,
    func,
    update,
)
from sqlalchemy import select as select_columns
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from commentbox.store.models import (
    Comment,
    CommentSource,
    CommentStatus,
    Thread,
    User,
    Vote,
)

if TYPE_CHECKING:
    pass


VISIBLE = (CommentStatus.APPROVED, CommentStatus.DELETED)

COMMENT_COLUMNS: tuple[Any, ...] = (
    col(Comment.id),
    col(Comment.parent_id),
    col(Comment.thread_id),
    col(Comment.author_name),
    col(Comment.author_website),
    col(Comment.author_email),
    col(Comment.html),
    col(Comment.status),
    col(Comment.score),
    col(Comment.created),
    col(Comment.edited),
    col(Comment.pinned),
    col(Comment.user_id),
    col(User.name).label("user_name"),
    col(User.avatar).label("user_avatar"),
    col(User.provider).label("user_provider"),
    col(CommentSource.kind).label("kind"),  # pingback, trackback, webmention; comment or None
)


def with_authors(query: Any) -> Any:
    """``query`` over comments joined to what ``COMMENT_COLUMNS`` reads besides them: the
    signed-in author, and the source row that tells a linkback from a comment (its unique
    ``comment_id`` index makes that one probe per comment)."""
    return query.outerjoin(User, User.id == Comment.user_id).outerjoin(  # type: ignore[arg-type]
        CommentSource,
        CommentSource.comment_id == Comment.id,  # type: ignore[arg-type]
    )


def visible_comments(session: Session, thread_id: int) -> Sequence[Row[Any]]:
    """Every published comment and tombstone of a thread, oldest first, as column rows."""
    query = (
        with_authors(select_columns(*COMMENT_COLUMNS))
        .where(col(Comment.thread_id) == thread_id, col(Comment.status).in_(VISIBLE))
        .order_by(col(Comment.created), col(Comment.id))
    )
    return session.connection().execute(query).all()


def user_comments_in_thread(
    session: Session, site_id: str, key: str, user_id: int
) -> Sequence[Row[int | None, str, str, datetime]]:
    """``(id, status, body, created)`` of one user's published and held comments in a thread,
    oldest first (through the index on ``comment.user_id``)."""
    query = (
        select_columns(col(Comment.id), col(Comment.status), col(Comment.body), col(Comment.created))
        .join(Thread, Thread.id == Comment.thread_id)  # type: ignore[arg-type]
        .where(
            col(Comment.user_id) == user_id,
            col(Thread.site_id) == site_id,
            col(Thread.key) == key,
            col(Comment.status).in_((CommentStatus.APPROVED, CommentStatus.PENDING)),
        )
        .order_by(col(Comment.created), col(Comment.id))
    )
    return session.connection().execute(query).all()


_COMMENT_ROW = with_authors(select_columns(*COMMENT_COLUMNS)).where(
    col(Comment.id) == bindparam("comment_id")
)


def comment_row(session: Session, comment_id: int) -> Row[Any] | None:
    return session.connection().execute(_COMMENT_ROW, {"comment_id": comment_id}).first()


def comment_by_id(session: Session, comment_id: int, *, lock: bool = False) -> Comment | None:
    return session.get(Comment, comment_id, with_for_update=lock)


def replies_to(session: Session, comment_ids: Sequence[int]) -> dict[int, list[int]]:
    """The ids of the direct replies to each of ``comment_ids`` (through ``comment.parent_id``'s index)."""
    if not comment_ids:
        return {}
    query = select_columns(col(Comment.parent_id), col(Comment.id)).where(
        col(Comment.parent_id).in_(comment_ids)
    )
    found: dict[int, list[int]] = {}
    for parent_id, reply_id in session.connection().execute(query).all():
        found.setdefault(int(parent_id), []).append(int(reply_id))  # type: ignore[arg-type]
    return found


def comment_site_id(session: Session, comment_id: int) -> str | None:
    """The site a comment belongs to (to check a bearer's site before touching the comment)."""
    query = (
        select(Thread.site_id)
        .join(Comment, Comment.thread_id == Thread.id)  # type: ignore[arg-type]
        .where(Comment.id == comment_id)
    )
    return session.exec(query).first()


def recent_duplicate(
    session: Session,
    thread_id: int,
    parent_id: int | None,
    text_hash: str,
    *,
    since: datetime,
    user_id: int | None,
    email: str | None,
    exclude_id: int | None,
) -> bool:
    """Whether the same author (user, or guest email) said this lately at the same place of the
    thread (same parent)."""
    if user_id is not None:
        same_author = col(Comment.user_id) == user_id
    elif email:
        same_author = col(Comment.author_email) == email
    else:
        return False
    query = select(Comment.id).where(
        Comment.thread_id == thread_id,
        col(Comment.parent_id).is_(None) if parent_id is None else Comment.parent_id == parent_id,
        Comment.text_hash == text_hash,
        Comment.created >= since,
        same_author,
    )
    if exclude_id is not None:
        query = query.where(Comment.id != exclude_id)
    return session.exec(query.limit(1)).first() is not None


def delete_comments(session: Session, comment_ids: Iterable[int]) -> None:
    """Delete the rows in one statement; the session's objects are not searched for them
    (SQLAlchemy's default, which would cost the square of their number)."""
    ids = list(comment_ids)
    if ids:
        statement = (
            delete(Comment).where(col(Comment.id).in_(ids)).execution_options(synchronize_session=False)
        )
        session.exec(statement)


def set_vote(session: Session, comment_id: int, voter: str, value: int) -> int:
    """Record (or withdraw, with 0) one identity's vote, and return the comment's new score."""
    if value == 0:
        session.exec(delete(Vote).where(Vote.comment_id == comment_id, Vote.voter == voter))  # type: ignore[arg-type]
    else:
        dialect = session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        statement = insert(Vote).values(comment_id=comment_id, voter=voter, value=value)
        session.exec(
            statement.on_conflict_do_update(index_elements=["comment_id", "voter"], set_={"value": value})
        )
    score = select(func.coalesce(func.sum(Vote.value), 0)).where(Vote.comment_id == comment_id)
    session.exec(
        update(Comment).where(Comment.id == comment_id).values(score=score.scalar_subquery())  # type: ignore[arg-type]
    )
    return session.exec(select(Comment.score).where(Comment.id == comment_id)).one()


def thread_by_id(session: Session, thread_id: int) -> Thread:
    thread = session.get(Thread, thread_id)
    assert thread is not None, "comments always belong to a thread"
    return thread

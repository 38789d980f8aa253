"""The queries of verified guests' claims: a guest's older comments, found by their address."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func
from sqlmodel import Session, col, select

from commentbox.store import versions
from commentbox.store.models import Comment, CommentStatus, Thread

# What a guest may still claim: comments they could see as theirs (not spam, trash or deleted).
CLAIMABLE = (CommentStatus.APPROVED, CommentStatus.PENDING)


def unverified_comments(session: Session, site_id: str, email: str) -> Sequence[tuple[Comment, Thread]]:
    """The site's guest comments (no user) written with ``email`` (any case), oldest first."""
    query = (
        select(Comment, Thread)
        .join(Thread, col(Thread.id) == col(Comment.thread_id))
        .where(
            col(Thread.site_id) == site_id,
            col(Comment.user_id).is_(None),
            func.lower(col(Comment.author_email)) == email.lower(),
            col(Comment.status).in_(CLAIMABLE),
        )
        .order_by(col(Comment.created), col(Comment.id))
    )
    return session.exec(query).all()


def give_to_user(session: Session, comments: Iterable[Comment], user_id: int) -> None:
    """Make the comments the user's, and bump their threads (the author's name shows there)."""
    threads = set()
    for comment in comments:
        comment.user_id = user_id
        session.add(comment)
        threads.add(comment.thread_id)
    session.flush()
    for thread_id in sorted(threads):
        versions.touch_thread(session, thread_id)

"""One person's rows on one site (what "My data" shows and erasure removes), and the
statements that keep less: IP hashes, guests' emails and ended sessions past their time.

A person is a signed-in user (``user_id``) or a guest's address (``email``, compared
case-insensitively, only on comments written without signing in): never both, so an
address typed by a guest never reaches a signed-in user's rows, nor the other way round.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, exists, func, update
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from commentbox.store.models import Comment, Erasure, OutboxMail, Subscription, Thread, UserSession, Vote


def _in_site(thread_id: Any, site_id: str) -> ColumnElement[bool]:
    """``thread_id`` is one of the site's threads — written ``thread_id + 0`` so that SQLite
    looks rows up through the sweep's partial indexes (few rows) and filters them by thread,
    rather than walking every comment of every thread of the site through the thread index."""
    threads = select_columns(col(Thread.id)).where(col(Thread.site_id) == site_id)
    return (thread_id + 0).in_(threads)  # type: ignore[no-any-return]


def _site_comment_ids(site_id: str) -> Any:
    """``SELECT comment.id`` of every comment on the site (a subquery)."""
    return (
        select_columns(col(Comment.id))
        .join(Thread, col(Thread.id) == col(Comment.thread_id))
        .where(col(Thread.site_id) == site_id)
    )


def _authored(user_id: int | None, email: str | None) -> ColumnElement[bool]:
    if user_id is not None:
        return col(Comment.user_id) == user_id
    assert email, "a person is a user id or a guest's address"
    return col(Comment.user_id).is_(None) & (func.lower(col(Comment.author_email)) == email.lower())


def comments_of(
    session: Session, site_id: str, user_id: int | None, email: str | None, *, lock: bool = False
) -> list[Comment]:
    """Every comment of the person on the site, in any status, oldest first; ``lock`` takes
    them ``FOR UPDATE`` (PostgreSQL), so a reply posted meanwhile waits for the erasure."""
    query = (
        select(Comment)
        .join(Thread, col(Thread.id) == col(Comment.thread_id))
        .where(col(Thread.site_id) == site_id, _authored(user_id, email))
        .order_by(col(Comment.created), col(Comment.id))
    )
    if lock:
        query = query.with_for_update(of=Comment)  # type: ignore[arg-type]
    return list(session.exec(query).all())


def comment_rows_of(session: Session, site_id: str, user_id: int | None, email: str | None) -> Sequence[Any]:
    """The person's comments with their page, as "My data" lists them (text kept in any status)."""
    query = (
        select_columns(
            col(Comment.id),
            col(Comment.parent_id),
            col(Comment.status),
            col(Comment.body),
            col(Comment.author_name),
            col(Comment.author_email),
            col(Comment.author_website),
            col(Comment.score),
            col(Comment.created),
            col(Comment.edited),
            col(Thread.url),
            col(Thread.title),
        )
        .join(Thread, col(Thread.id) == col(Comment.thread_id))
        .where(col(Thread.site_id) == site_id, _authored(user_id, email))
        .order_by(col(Comment.created), col(Comment.id))
    )
    return session.connection().execute(query).all()


def _subscribed(user_id: int | None, email: str | None) -> ColumnElement[bool]:
    if user_id is not None:
        return col(Subscription.user_id) == user_id
    assert email, "a person is a user id or a guest's address"
    return col(Subscription.user_id).is_(None) & (func.lower(col(Subscription.email)) == email.lower())


def subscriptions_of(session: Session, site_id: str, user_id: int | None, email: str | None) -> Sequence[Any]:
    """``(id, comment_id, email, confirmed, created, url)`` of the person's reply notifications."""
    query = (
        select_columns(
            col(Subscription.id),
            col(Subscription.comment_id),
            col(Subscription.email),
            col(Subscription.confirmed),
            col(Subscription.created),
            col(Thread.url),
        )
        .join(Comment, col(Comment.id) == col(Subscription.comment_id))
        .join(Thread, col(Thread.id) == col(Comment.thread_id))
        .where(col(Thread.site_id) == site_id, _subscribed(user_id, email))
        .order_by(col(Subscription.created))
    )
    return session.connection().execute(query).all()


def delete_subscriptions(
    session: Session, site_id: str, user_id: int | None, email: str | None, comment_ids: Sequence[int] = ()
) -> int:
    """Delete the person's subscriptions on the site, and any on ``comment_ids`` (theirs, erased)."""
    mine = _subscribed(user_id, email)
    if comment_ids:
        mine = mine | col(Subscription.comment_id).in_(comment_ids)
    statement = delete(Subscription).where(col(Subscription.comment_id).in_(_site_comment_ids(site_id)), mine)
    return int(session.connection().execute(statement).rowcount)


def votes_of(session: Session, site_id: str, voter: str) -> Sequence[Any]:
    """``(comment_id, value, created, url)`` of one voter's votes on the site."""
    query = (
        select_columns(col(Vote.comment_id), col(Vote.value), col(Vote.created), col(Thread.url))
        .join(Comment, col(Comment.id) == col(Vote.comment_id))
        .join(Thread, col(Thread.id) == col(Comment.thread_id))
        .where(col(Thread.site_id) == site_id, col(Vote.voter) == voter)
        .order_by(col(Vote.created))
    )
    return session.connection().execute(query).all()


def delete_votes(session: Session, site_id: str, voter: str) -> list[tuple[int, int]]:
    """Delete one voter's votes on the site and recount those comments' scores; returns the
    ``(comment_id, thread_id)`` pairs whose score changed, so their threads can be touched."""
    query = (
        select_columns(col(Vote.comment_id), col(Comment.thread_id))
        .join(Comment, col(Comment.id) == col(Vote.comment_id))
        .where(col(Vote.voter) == voter, col(Vote.comment_id).in_(_site_comment_ids(site_id)))
    )
    pairs = [(int(c), int(t)) for c, t in session.connection().execute(query).all()]
    if not pairs:
        return []
    ids = [c for c, _ in pairs]
    session.connection().execute(delete(Vote).where(col(Vote.voter) == voter, col(Vote.comment_id).in_(ids)))
    score = (
        select_columns(func.coalesce(func.sum(col(Vote.value)), 0))
        .where(col(Vote.comment_id) == col(Comment.id))
        .scalar_subquery()
    )
    session.connection().execute(update(Comment).where(col(Comment.id).in_(ids)).values(score=score))
    return pairs


def sessions_of(session: Session, site_id: str, user_id: int) -> Sequence[UserSession]:
    query = (
        select(UserSession)
        .where(UserSession.user_id == user_id, UserSession.site_id == site_id)
        .order_by(col(UserSession.created))
    )
    return session.exec(query).all()


def delete_sessions(session: Session, site_id: str, user_id: int) -> int:
    """Delete (not just revoke) the user's sessions on the site: their tokens stop at once."""
    statement = delete(UserSession).where(
        col(UserSession.user_id) == user_id, col(UserSession.site_id) == site_id
    )
    return int(session.connection().execute(statement).rowcount)


def record_erasure(session: Session, site_id: str, requested_by: str, comments: int, now: datetime) -> None:
    session.add(Erasure(site_id=site_id, requested_by=requested_by[:200], comments=comments, created=now))
    session.flush()


def erasures(session: Session, site_id: str, limit: int = 50) -> Sequence[Erasure]:
    query = select(Erasure).where(Erasure.site_id == site_id).order_by(col(Erasure.created).desc())
    return session.exec(query.limit(limit)).all()


# Keeping less ------------------------------------------------------------------------------


def wipe_ip_hashes(session: Session, site_id: str, before: datetime, limit: int) -> int:
    """Forget the address hash of at most ``limit`` of the site's comments written before
    ``before`` (the sweep repeats until fewer come back; each batch is one short write).
    The partial index ``ix_comment_ip_hash_created`` holds only comments that still carry a
    hash, so a sweep with nothing to do reads almost nothing."""
    batch = (
        select_columns(col(Comment.id))
        .where(
            col(Comment.ip_hash).is_not(None),
            col(Comment.created) < before,
            _in_site(col(Comment.thread_id), site_id),
        )
        .limit(limit)
    )
    statement = update(Comment).where(col(Comment.id).in_(batch)).values(ip_hash=None)
    return int(session.connection().execute(statement).rowcount)


def anonymize_guest_votes(session: Session, site_id: str, before: datetime, limit: int) -> int:
    """Give at most ``limit`` guests' votes cast before ``before`` a random voter key in place
    of their address's hash: the vote still counts, and nothing links it to an address. Guest
    keys are the range ``g:`` … ``g;`` of the index on ``(voter, created)``; a replaced key
    (``x:…``) leaves it, so each batch reads only votes still due."""
    query = (
        select_columns(col(Vote.comment_id), col(Vote.voter))
        .join(Comment, col(Comment.id) == col(Vote.comment_id))
        .where(
            col(Vote.voter) >= "g:",
            col(Vote.voter) < "g;",
            col(Vote.created) < before,
            _in_site(col(Comment.thread_id), site_id),
        )
        .limit(limit)
    )
    found = session.connection().execute(query).all()
    if found:
        session.connection().execute(
            _NEW_VOTER, [{"c": c, "old": v, "new": f"x:{secrets.token_hex(16)}"} for c, v in found]
        )
    return len(found)


# One statement, run for a whole batch at once (building one per row costs more than running it).
_NEW_VOTER = (
    update(Vote)
    .where(col(Vote.comment_id) == bindparam("c"), col(Vote.voter) == bindparam("old"))
    .values(voter=bindparam("new"))
)


def wipe_guest_emails(session: Session, site_id: str, before: datetime, limit: int) -> tuple[int, list[int]]:
    """Forget the address of at most ``limit`` guests' comments written before ``before`` that
    carry no subscription (an address someone asked to be mailed at is kept while they want
    mail); returns how many, and the threads whose comments changed (their avatars are drawn
    from the address)."""
    batch = (
        select_columns(col(Comment.id), col(Comment.thread_id))
        .where(
            _in_site(col(Comment.thread_id), site_id),
            col(Comment.author_email).is_not(None),  # only guests' comments carry one
            col(Comment.created) < before,
            ~exists().where(col(Subscription.comment_id) == col(Comment.id)),
        )
        .limit(limit)
    )
    found = session.connection().execute(batch).all()
    if not found:
        return 0, []
    ids = [comment_id for comment_id, _ in found]
    session.connection().execute(update(Comment).where(col(Comment.id).in_(ids)).values(author_email=None))
    return len(ids), sorted({int(thread_id) for _, thread_id in found})


def delete_sent_mail(session: Session, before: datetime) -> int:
    """Forget mail sent (or given up on) before ``before``: its recipient and text."""
    done = col(OutboxMail.sent).is_not(None) | col(OutboxMail.failed)
    statement = delete(OutboxMail).where(done, col(OutboxMail.created) < before)
    return int(session.connection().execute(statement).rowcount)

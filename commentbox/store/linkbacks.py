"""Linkback rows: the claims other pages make to link to a thread, and the comments that
show the verified ones (each with a ``comment_source`` row naming its kind)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from commentbox.store import imports
from commentbox.store.models import Comment, CommentSource, Linkback, LinkbackState, Thread


def thread_for_target(session: Session, site_id: str, key: str) -> Thread | None:
    """The site's thread keyed by this canonical URL, or else one keyed by a page id whose
    page lives at it (``data-page-id`` threads remember their canonical URL)."""
    keyed = select(Thread).where(Thread.site_id == site_id, Thread.key == key)
    found = session.exec(keyed).first()
    if found is None:
        by_url = select(Thread).where(Thread.site_id == site_id, Thread.url == key).order_by(col(Thread.id))
        found = session.exec(by_url.limit(1)).first()
    return found


def linkback_for(session: Session, thread_id: int, source: str) -> Linkback | None:
    query = select(Linkback).where(Linkback.thread_id == thread_id, Linkback.source == source)
    return session.exec(query).first()


def linkback_by_token(session: Session, token: str) -> Linkback | None:
    return session.exec(select(Linkback).where(Linkback.token == token)).first()


def linkback_by_id(session: Session, linkback_id: int) -> Linkback | None:
    return session.get(Linkback, linkback_id)


def queued_count(session: Session, site_id: str) -> int:
    """How many claims of a site wait for the verifier (the queue's cap counts them)."""
    query = (
        select(func.count())
        .select_from(Linkback)
        .where(Linkback.site_id == site_id, Linkback.state == LinkbackState.QUEUED)
    )
    return int(session.exec(query).one())


def waiting_claims() -> ColumnElement[bool]:
    """The claims that wait for the verifier (which leases them through ``store/leases.py``)."""
    return col(Linkback.state) == LinkbackState.QUEUED


def source_key(thread_key: str, source: str) -> str:
    """The ``comment_source`` key of a linkback's comment: the same for the same source and
    page in any database, so a restored backup's linkback is found (and updated) again."""
    digest = hashlib.blake2s(f"{thread_key}\n{source}".encode(), digest_size=16).hexdigest()
    return f"linkback:{digest}"


def show(
    session: Session, linkback: Linkback, key: str, values: Mapping[str, Any], status: str
) -> tuple[Comment, bool]:
    """Insert the comment that shows a verified linkback, or update the one it has (whose
    status a moderator may have set: it is kept); the thread recounts and moves its version.
    ``key`` is its ``source_key``. Returns the comment, and whether it is new."""
    comment = session.get(Comment, linkback.comment_id) if linkback.comment_id else None
    known = session.get(CommentSource, (linkback.site_id, key))
    if comment is None and known is not None:
        comment = session.get(Comment, known.comment_id)
    new = comment is None
    if comment is None:
        comment = Comment(thread_id=linkback.thread_id, status=status, **values)
        session.add(comment)
        session.flush()
        assert comment.id is not None
        kind = linkback.kind
        session.add(CommentSource(site_id=linkback.site_id, source=key, comment_id=comment.id, kind=kind))
    else:
        for name, value in values.items():
            if name not in ("nonce", "created"):
                setattr(comment, name, value)
        if known is not None:
            known.kind = linkback.kind
    session.flush()
    imports.settle_threads(session.connection(), {linkback.thread_id: None})
    return comment, new


def hide(session: Session, linkback: Linkback, key: str) -> Comment | None:
    """Remove a linkback's comment (its source went away or no longer links), also one a
    restored backup brought back (found by its ``source_key``); the comment removed, if any."""
    comment = session.get(Comment, linkback.comment_id) if linkback.comment_id else None
    if comment is None:
        known = session.get(CommentSource, (linkback.site_id, key))
        comment = session.get(Comment, known.comment_id) if known is not None else None
    if comment is not None:
        session.delete(comment)
        session.flush()
        imports.settle_threads(session.connection(), {linkback.thread_id: None})
    linkback.comment_id = None
    return comment


def comment_status(session: Session, comment_id: int | None) -> str | None:
    if comment_id is None:
        return None
    return session.exec(select(Comment.status).where(Comment.id == comment_id)).first()

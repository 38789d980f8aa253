"""Posting: one statement tells whether a new comment may land, then the insert and the thread bump.

A post runs on a bare Core connection inside its write transaction (no ORM, no second
transaction): on PostgreSQL it costs five round trips (BEGIN, this read, the comment's
INSERT, the thread's UPDATE, COMMIT) where the ORM took about eighteen.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Connection,
    and_,
    bindparam,
    case,
    exists,
    false,
    func,
    insert,
    or_,
)
from sqlalchemy import select as select_columns
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import BindParameter
from sqlmodel import col
from sqlmodel.sql.sqltypes import UTCDateTime

from commentbox.store.models import (
    Ban,
    BanKind,
    Comment,
    CommentStatus,
    Site,
    Thread,
)
from commentbox.store.statements import Bare
from commentbox.store.versions import TOUCH_THREAD

if TYPE_CHECKING:
    pass


# A post runs on a bare Core connection inside its write transaction (no ORM, no second
# transaction): on PostgreSQL it costs five round trips (BEGIN, this read, the comment's
# INSERT, the thread's UPDATE, COMMIT) where the ORM took about eighteen.

_SITE_THREAD = Thread.__table__.alias("site_thread")  # type: ignore[attr-defined]
_NO_PARENT = 0  # ids start at 1; lets "same parent" compare NULLs without an untyped bind


@dataclass(frozen=True, slots=True)
class Standing:
    """What the write path must know about a page before a new comment lands there."""

    site_version: int | None  # None: the site is gone
    thread_id: int | None  # None: the page's first comment creates the thread
    locked: bool
    too_old: bool  # created before ``closed_before`` (the site's ``close_after_days``)
    parent_thread_id: int | None  # the parent's thread, if the parent is published
    ban_id: int | None
    duplicate: bool
    trusted: bool  # asked only when ``check_trust`` (``first-time`` mode)


_BAN_KINDS: list[BindParameter[str]] = [bindparam(f"kind_{kind.value}", kind.value) for kind in BanKind]
_BAN_VALUES: list[BindParameter[str]] = [bindparam(f"ban_{kind.value}") for kind in BanKind]
_BAN_PAIRS = list(zip(_BAN_KINDS, _BAN_VALUES, strict=True))
# Any of the writer's (kind, value) pairs: the two INs let both engines probe the
# (site_id, kind, value) index, the OR keeps each value to its own kind.
_BANNED = and_(
    col(Ban.kind).in_(_BAN_KINDS),
    col(Ban.value).in_(_BAN_VALUES),
    or_(*(and_(col(Ban.kind) == k, col(Ban.value) == v) for k, v in _BAN_PAIRS)),
)


def _standing_statement(guest: bool, check_trust: bool) -> Bare:
    """The standing read for one shape of post: a guest (email, client) or a user, with or
    without the ``first-time`` trust check. Fixed shapes instead of parameters that switch
    parts off let PostgreSQL plan each once (a generic plan for the prepared statement):
    with the switches in parameters it re-planned on every post, which cost it three times
    the read itself."""
    same_author = (
        col(Comment.author_email) == bindparam("email")
        if guest
        else col(Comment.user_id) == bindparam("user_id")
    )
    trusted_author = (
        [same_author, col(Comment.client_hash) == bindparam("client_hash")] if guest else [same_author]
    )
    trusted = (
        exists().where(
            *trusted_author,
            col(Comment.thread_id) == _SITE_THREAD.c.id,
            _SITE_THREAD.c.site_id == col(Site.id),
            col(Comment.status) == CommentStatus.APPROVED,
        )
        if check_trust
        else false()
    )
    return Bare(
        select_columns(
            col(Site.version),
            col(Thread.id),
            col(Thread.locked),
            case((col(Thread.created) < bindparam("closed_before", type_=UTCDateTime), True), else_=False),
            select_columns(col(Comment.thread_id))
            .where(col(Comment.id) == bindparam("parent_id"), col(Comment.status) == CommentStatus.APPROVED)
            .scalar_subquery(),
            select_columns(col(Ban.id))
            .where(
                col(Ban.site_id) == col(Site.id),
                _BANNED,
                or_(col(Ban.until).is_(None), col(Ban.until) > bindparam("now", type_=UTCDateTime)),
            )
            .limit(1)
            .scalar_subquery(),
            exists().where(
                col(Comment.thread_id) == col(Thread.id),
                col(Comment.text_hash) == bindparam("text_hash"),
                func.coalesce(col(Comment.parent_id), _NO_PARENT)
                == func.coalesce(bindparam("parent_id"), _NO_PARENT),
                col(Comment.created) >= bindparam("since", type_=UTCDateTime),
                same_author,
            ),
            trusted,
        )
        .select_from(Site)
        .outerjoin(Thread, and_(col(Thread.site_id) == col(Site.id), col(Thread.key) == bindparam("key")))
        .where(col(Site.id) == bindparam("site_id"))
    )


_STANDINGS = {
    (guest, trust): _standing_statement(guest, trust) for guest in (True, False) for trust in (True, False)
}


def standing(
    connection: Connection,
    site_id: str,
    key: str,
    *,
    parent_id: int | None,
    bans: Mapping[BanKind, str],
    text_hash: str,
    since: datetime,
    now: datetime,
    closed_before: datetime | None,
    user_id: int | None,
    email: str | None,
    client_hash: str | None,
    check_trust: bool,
) -> Standing:
    """The page's thread, the parent, bans, duplicates and trust in one indexed read. The
    author is the user or, for a guest (``user_id`` None), the email: a NULL never matches."""
    params = {
        "site_id": site_id,
        "key": key,
        "parent_id": parent_id,
        **{f"ban_{kind.value}": bans.get(kind) for kind in BanKind},
        "text_hash": text_hash,
        "since": since,
        "now": now,
        "closed_before": closed_before,
        "user_id": user_id,
        "email": email,
        "client_hash": client_hash,
    }
    row = _STANDINGS[user_id is None, check_trust].first(connection, params)
    if row is None:
        return Standing(None, None, False, False, None, None, False, False)
    site_version, thread_id, locked, too_old, parent_thread_id, ban_id, duplicate, trusted = row
    return Standing(
        site_version,
        thread_id,
        bool(locked),
        bool(too_old),
        parent_thread_id,
        ban_id,
        bool(duplicate),
        bool(trusted),
    )


_INSERT_THREAD = insert(Thread).returning(Thread.__table__.c.id)  # type: ignore[attr-defined]
_COMMENT_TABLE = Comment.__table__  # type: ignore[attr-defined]
_INSERT_COMMENT = Bare(
    insert(_COMMENT_TABLE)
    .values({c.name: bindparam(c.name, type_=c.type) for c in _COMMENT_TABLE.c if c.name != "id"})
    .returning(_COMMENT_TABLE.c.id)
)
_BUMP_THREAD = Bare(TOUCH_THREAD)


def create_thread(connection: Connection, thread: Thread) -> int:
    """Insert the page's thread, or find the one a concurrent first comment just created."""
    values = thread.model_dump(exclude={"id"})
    try:
        with connection.begin_nested():
            return int(connection.execute(_INSERT_THREAD, values).scalar_one())
    except IntegrityError:
        found = select_columns(_SITE_THREAD.c.id).where(
            _SITE_THREAD.c.site_id == thread.site_id, _SITE_THREAD.c.key == thread.key
        )
        return int(connection.execute(found).scalar_one())


def insert_comment(connection: Connection, values: Mapping[str, Any]) -> int:
    """Insert a comment given every column but its id, and return the id. Its thread's bump
    waits for ``bump_threads`` at the end of the transaction (``groupcommit``)."""
    row = _INSERT_COMMENT.first(connection, values)
    assert row is not None
    bumps = _pending_bumps(connection)
    bumps[values["thread_id"]] += 1 if values["status"] == CommentStatus.APPROVED else 0
    return int(row[0])


def _pending_bumps(connection: Connection) -> Counter[int]:
    """This transaction's thread bumps (a failed transaction's never leak into the next)."""
    transaction = connection.get_transaction()
    owner, bumps = connection.info.get("thread_bumps", (None, None))
    if owner is not transaction or bumps is None:
        bumps = Counter()
        connection.info["thread_bumps"] = (transaction, bumps)
    return bumps


def bump_threads(connection: Connection) -> None:
    """One version bump per thread the transaction's new comments went to, just before the
    commit: the thread row is locked from its update to the commit, so a group of posts to
    one thread holds it once and briefly (in id order: two groups never deadlock)."""
    bumps = _pending_bumps(connection)
    for thread_id in sorted(bumps):
        _BUMP_THREAD.execute(connection, {"thread_id": thread_id, "delta": bumps[thread_id]})
    bumps.clear()

"""The only place that builds queries. Functions take an open ``Session`` and plain values.

The hot read path (``thread_version``) selects two integers through one unique index; whole
threads are loaded as column tuples, not ORM objects, because that is 4× cheaper per row.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Connection,
    Row,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    delete,
    exists,
    false,
    func,
    insert,
    or_,
    tuple_,
    update,
)
from sqlalchemy import select as select_columns
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.expression import Exists
from sqlmodel import Session, col, select
from sqlmodel.sql.sqltypes import UTCDateTime

from commentbox.store.models import (
    AdminAccount,
    AdminSession,
    Ban,
    BanKind,
    Comment,
    CommentStatus,
    Login,
    MailOptOut,
    OAuthState,
    OutboxMail,
    Site,
    SiteRole,
    SpentToken,
    Subscription,
    Thread,
    User,
    UserSession,
    Vote,
)
from commentbox.store.statements import Bare

if TYPE_CHECKING:
    import asyncpg

VISIBLE = (CommentStatus.APPROVED, CommentStatus.DELETED)


# Sites ---------------------------------------------------------------------------------


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


# Threads -------------------------------------------------------------------------------


# Statements that every post runs are built once (building one costs more than running it).
_TOUCH_THREAD = (
    update(Thread)
    .where(col(Thread.id) == bindparam("thread_id"))
    .values(version=col(Thread.version) + 1, comment_count=col(Thread.comment_count) + bindparam("delta"))
)


def thread_version(
    session: Session, site_id: str, key: str
) -> Row[int | None, int, int, str, str, bool, datetime] | None:
    """``(id, version, comment_count, url, title, locked, created)`` of a thread: the cache
    check, one index probe."""
    query = select_columns(
        col(Thread.id),
        col(Thread.version),
        col(Thread.comment_count),
        col(Thread.url),
        col(Thread.title),
        col(Thread.locked),
        col(Thread.created),
    ).where(col(Thread.site_id) == site_id, col(Thread.key) == key)
    return session.connection().execute(query).first()


def touch_thread(db: Session | Connection, thread_id: int, count_delta: int = 0) -> None:
    """Every change to a thread goes through here: the version (ETag) moves, the count follows.
    (A Core statement: in-memory ``Thread`` objects keep their old version; nothing reads it.)"""
    connection = db.connection() if isinstance(db, Session) else db
    connection.execute(_TOUCH_THREAD, {"thread_id": thread_id, "delta": count_delta})


def touch_threads_of_user(session: Session, user_id: int) -> None:
    """Bump every thread holding a comment of this user (their name or avatar changed)."""
    theirs = select_columns(col(Comment.thread_id)).where(col(Comment.user_id) == user_id)
    session.connection().execute(
        update(Thread).where(col(Thread.id).in_(theirs)).values(version=col(Thread.version) + 1)
    )


# Posting: one statement tells whether a new comment may land ----------------------------
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
_BUMP_THREAD = Bare(_TOUCH_THREAD)


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


# Freshness: the per-request check, on raw driver connections ---------------------------
# ``freshness.py`` runs these on a connection each process holds, without the ORM or the
# thread pool: for each page, its site's version and its thread's (id, version, count),
# through the site's primary key and the thread's unique (site_id, key) index.


@dataclass(frozen=True, slots=True)
class ThreadState:
    """A thread as the cache sees it; ``id`` is None while the page has no thread yet."""

    id: int | None = None
    version: int = 0
    count: int = 0


@dataclass(frozen=True, slots=True)
class SiteStates:
    """The answer for one site: its version (None: no such site) and its threads by key."""

    site_version: int | None
    threads: Mapping[str, ThreadState] = field(default_factory=dict)

    def thread(self, key: str) -> ThreadState:
        return self.threads.get(key) or ThreadState()


def _states(rows: Iterable[Sequence[Any]]) -> dict[str, SiteStates]:
    """Rows of ``(site_id, site_version, key, thread_id, version, count)`` grouped by site."""
    found: dict[str, tuple[int, dict[str, ThreadState]]] = {}
    for site_id, site_version, key, thread_id, version, count in rows:
        _, threads = found.setdefault(site_id, (site_version, {}))
        if thread_id is not None:
            threads[key] = ThreadState(thread_id, version, count)
    return {site_id: SiteStates(v, threads) for site_id, (v, threads) in found.items()}


def data_version(connection: sqlite3.Connection) -> int:
    """Changes whenever another connection (in any process) commits to this SQLite file."""
    return int(connection.execute("PRAGMA data_version").fetchone()[0])


_SQLITE_STATES = (
    "SELECT s.id, s.version, t.key, t.id, t.version, t.comment_count FROM site AS s "
    "LEFT JOIN thread AS t ON t.site_id = s.id AND t.key IN ({marks}) WHERE s.id = ?"
)


def thread_states_sqlite(connection: sqlite3.Connection, site_id: str, keys: Sequence[str]) -> SiteStates:
    """One site's version and the states of its threads ``keys`` (at least one key)."""
    query = _SQLITE_STATES.format(marks=",".join("?" * len(keys)))  # placeholders only
    rows = connection.execute(query, (*keys, site_id)).fetchall()
    return _states(rows).get(site_id) or SiteStates(None)


_POSTGRES_STATES = """
SELECT s.id, s.version, q.key, t.id, t.version, t.comment_count
FROM unnest($1::text[], $2::text[]) AS q(site_id, key)
JOIN site AS s ON s.id = q.site_id
LEFT JOIN thread AS t ON t.site_id = q.site_id AND t.key = q.key
"""


async def thread_states_postgres(
    connection: asyncpg.Connection, pairs: Sequence[tuple[str, str]]
) -> dict[str, SiteStates]:
    """Sites' versions and their threads' states for many ``(site_id, key)`` pairs at once
    (asyncpg prepares the statement once per connection)."""
    sites, keys = [p[0] for p in pairs], [p[1] for p in pairs]
    return _states(await connection.fetch(_POSTGRES_STATES, sites, keys))


# Comments ------------------------------------------------------------------------------

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
    col(User.name).label("user_name"),
    col(User.avatar).label("user_avatar"),
    col(User.provider).label("user_provider"),
)


def visible_comments(session: Session, thread_id: int) -> Sequence[Row[Any]]:
    """Every published comment and tombstone of a thread, oldest first, as column rows."""
    query = (
        select_columns(*COMMENT_COLUMNS)
        .outerjoin(User, User.id == Comment.user_id)  # type: ignore[arg-type]
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


_COMMENT_ROW = (
    select_columns(*COMMENT_COLUMNS)
    .outerjoin(User, User.id == Comment.user_id)  # type: ignore[arg-type]
    .where(col(Comment.id) == bindparam("comment_id"))
)


def comment_row(session: Session, comment_id: int) -> Row[Any] | None:
    return session.connection().execute(_COMMENT_ROW, {"comment_id": comment_id}).first()


def comment_by_id(session: Session, comment_id: int, *, lock: bool = False) -> Comment | None:
    return session.get(Comment, comment_id, with_for_update=lock)


def has_replies(session: Session, comment_id: int) -> bool:
    query = select(Comment.id).where(Comment.parent_id == comment_id).limit(1)
    return session.exec(query).first() is not None


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


def delete_comment(session: Session, comment_id: int) -> None:
    session.exec(delete(Comment).where(Comment.id == comment_id))  # type: ignore[arg-type]


# Votes ---------------------------------------------------------------------------------


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


# Users, sessions, login ids, OAuth state -----------------------------------------------


def user_by_provider(session: Session, provider: str, provider_user_id: str) -> User | None:
    query = select(User).where(User.provider == provider, User.provider_user_id == provider_user_id)
    return session.exec(query).first()


def user_by_id(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def session_by_id(session: Session, session_id: str) -> UserSession | None:
    return session.get(UserSession, session_id)


def revoke_user_sessions(session: Session, user_id: int, now: datetime) -> int:
    """Revoke every live session of a user ("sign out everywhere"); return how many."""
    result = session.exec(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked == None)  # type: ignore[arg-type]  # noqa: E711
        .values(revoked=now)
    )
    return int(result.rowcount)


def login_by_id(session: Session, login_id: str, *, lock: bool = False) -> Login | None:
    return session.get(Login, login_id, with_for_update=lock)


def login_by_state_hash(session: Session, state_hash: str) -> Login | None:
    return session.exec(select(Login).where(Login.state_hash == state_hash)).first()


def put_oauth_state(session: Session, key: str, value: str, expires: datetime) -> None:
    session.merge(OAuthState(key=key, value=value, expires=expires))
    session.flush()


def oauth_state(session: Session, key: str, now: datetime) -> str | None:
    row = session.get(OAuthState, key)
    return row.value if row is not None and row.expires > now else None


def take_oauth_state(session: Session, key: str, now: datetime) -> str | None:
    """Read and delete in one statement, so a state is usable once even by racing callbacks."""
    statement = (
        delete(OAuthState)
        .where(col(OAuthState.key) == key)
        .returning(col(OAuthState.value), col(OAuthState.expires))
    )
    row = session.connection().execute(statement).first()
    if row is None or row.expires <= now:
        return None
    return str(row.value)


def delete_oauth_state(session: Session, key: str) -> None:
    session.exec(delete(OAuthState).where(col(OAuthState.key) == key))


def purge_expired_auth(session: Session, now: datetime) -> None:
    """Forget expired OAuth state and login ids, and sessions that ended (expired or revoked)."""
    session.exec(delete(OAuthState).where(col(OAuthState.expires) < now))
    session.exec(delete(Login).where(col(Login.expires) < now))
    session.exec(
        delete(UserSession).where(
            (col(UserSession.expires) < now) | (col(UserSession.revoked) != None)  # noqa: E711
        )
    )


# Bans ----------------------------------------------------------------------------------


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


# Moderation queue ------------------------------------------------------------------------

QUEUE_COLUMNS: tuple[Any, ...] = (
    *COMMENT_COLUMNS,
    col(Comment.body),
    col(Comment.user_id),
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
    """Comments for moderators: pending first, then newest first; filters match substrings."""
    query = _moderation_rows().where(col(Comment.status) != CommentStatus.DELETED)
    if sites is not None:
        query = query.where(col(Thread.site_id).in_(sites))
    if status is not None:
        query = query.where(col(Comment.status) == status)
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
    return (
        select_columns(*QUEUE_COLUMNS)
        .join(Thread, col(Thread.id) == col(Comment.thread_id))
        .outerjoin(User, col(User.id) == col(Comment.user_id))
    )


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


# Admin accounts, roles and sessions --------------------------------------------------------


def account_by_name(session: Session, name: str) -> AdminAccount | None:
    return session.exec(select(AdminAccount).where(AdminAccount.name == name)).first()


def role_by_id(session: Session, role_id: int) -> SiteRole | None:
    return session.get(SiteRole, role_id)


def role_for_account(session: Session, site_id: str, account_id: int) -> SiteRole | None:
    query = select(SiteRole).where(SiteRole.site_id == site_id, SiteRole.account_id == account_id)
    return session.exec(query).first()


def role_for_identity(
    session: Session, site_id: str, provider: str, provider_user_id: str
) -> SiteRole | None:
    query = select(SiteRole).where(
        SiteRole.site_id == site_id,
        SiteRole.provider == provider,
        SiteRole.provider_user_id == provider_user_id,
    )
    return session.exec(query).first()


def roles_of_account(session: Session, account_id: int) -> Sequence[SiteRole]:
    return session.exec(select(SiteRole).where(SiteRole.account_id == account_id)).all()


def roles_of_identity(
    session: Session, provider: str, provider_user_id: str, now: datetime
) -> Sequence[SiteRole]:
    """The identity's roles, leaving out each site that bans it (see ``_role_banned``)."""
    query = select(SiteRole).where(
        SiteRole.provider == provider,
        SiteRole.provider_user_id == provider_user_id,
        ~_role_banned(now),
    )
    return session.exec(query).all()


def _role_banned(now: datetime) -> Exists:
    """Whether a ban in force on the role's site names the user behind the role's provider
    identity (kind ``user``, by user id): a site that bans a person from commenting takes
    their moderator role there away too, and lifting the ban gives it back. Correlates with
    ``SiteRole`` (and ``User``, when the outer query has it)."""
    return exists().where(
        col(User.provider) == col(SiteRole.provider),
        col(User.provider_user_id) == col(SiteRole.provider_user_id),
        col(Ban.site_id) == col(SiteRole.site_id),
        col(Ban.kind) == BanKind.USER,
        col(Ban.value) == cast(col(User.id), String),
        or_(col(Ban.until).is_(None), col(Ban.until) > now),
    )


def roles_of_site(session: Session, site_id: str) -> Sequence[tuple[SiteRole, str | None]]:
    """Each role on the site with the account's name (None for a provider identity)."""
    query = (
        select(SiteRole, AdminAccount.name)
        .outerjoin(AdminAccount, col(AdminAccount.id) == col(SiteRole.account_id))
        .where(SiteRole.site_id == site_id)
        .order_by(col(SiteRole.role), col(SiteRole.id))
    )
    return session.exec(query).all()


def moderator_emails(session: Session, site_id: str, now: datetime) -> list[str]:
    """Emails of superusers, of accounts with a role on the site, and of provider users named
    as the site's moderators (unless the site bans them)."""
    accounts = select(AdminAccount.email).where(
        col(AdminAccount.email).is_not(None),
        or_(
            col(AdminAccount.superuser),
            col(AdminAccount.id).in_(select(SiteRole.account_id).where(SiteRole.site_id == site_id)),
        ),
    )
    users = (
        select(User.email)
        .join(
            SiteRole,
            (col(SiteRole.provider) == col(User.provider))
            & (col(SiteRole.provider_user_id) == col(User.provider_user_id)),
        )
        .where(SiteRole.site_id == site_id, col(User.email).is_not(None), ~_role_banned(now))
    )
    return [e for e in [*session.exec(accounts).all(), *session.exec(users).all()] if e]


def admin_session(session: Session, session_id: str, now: datetime) -> AdminSession | None:
    query = select(AdminSession).where(AdminSession.id == session_id, AdminSession.expires > now)
    return session.exec(query).first()


def delete_admin_session(session: Session, session_id: str) -> None:
    session.exec(delete(AdminSession).where(col(AdminSession.id) == session_id))


def delete_admin_sessions(session: Session, account_id: int) -> None:
    session.exec(delete(AdminSession).where(col(AdminSession.account_id) == account_id))


# Outbox, subscriptions, one-time tokens --------------------------------------------------------


def due_mail(session: Session, now: datetime, limit: int) -> Sequence[OutboxMail]:
    query = (
        select(OutboxMail)
        .where(
            col(OutboxMail.sent).is_(None), col(OutboxMail.failed).is_(False), OutboxMail.next_attempt <= now
        )
        .order_by(col(OutboxMail.next_attempt), col(OutboxMail.id))
        .limit(limit)
    )
    return session.exec(query).all()


def claim_mail(session: Session, mail_id: int, seen: datetime, until: datetime) -> bool:
    """Take a message for sending unless another instance took it since we read it."""
    result = session.exec(
        update(OutboxMail)
        .where(
            col(OutboxMail.id) == mail_id,
            col(OutboxMail.next_attempt) == seen,
            col(OutboxMail.sent).is_(None),
        )
        .values(next_attempt=until)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def mail_sent(session: Session, mail_id: int, now: datetime) -> None:
    session.exec(update(OutboxMail).where(col(OutboxMail.id) == mail_id).values(sent=now))


def mail_failed(
    session: Session, mail_id: int, *, attempts: int, next_attempt: datetime, error: str, give_up: bool
) -> None:
    session.exec(
        update(OutboxMail)
        .where(col(OutboxMail.id) == mail_id)
        .values(attempts=attempts, next_attempt=next_attempt, last_error=error, failed=give_up)
    )


def subscription_by_id(session: Session, subscription_id: int) -> Subscription | None:
    return session.get(Subscription, subscription_id)


def subscribers(session: Session, comment_id: int) -> Sequence[Subscription]:
    query = select(Subscription).where(Subscription.comment_id == comment_id, col(Subscription.confirmed))
    return session.exec(query).all()


def opted_out(session: Session, email: str, scope: str) -> bool:
    query = select(MailOptOut.email).where(
        MailOptOut.email == email.lower(), col(MailOptOut.scope).in_([scope, "all"])
    )
    return session.exec(query.limit(1)).first() is not None


def opt_out(session: Session, email: str, scope: str) -> None:
    if session.get(MailOptOut, (email.lower(), scope)) is None:
        save(session, MailOptOut(email=email.lower(), scope=scope))


def spend_token(session: Session, token_id: str) -> bool:
    """Record a one-time token as used; False if it was used before."""
    if session.get(SpentToken, token_id) is not None:
        return False
    save(session, SpentToken(id=token_id))
    return True

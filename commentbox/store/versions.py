"""What tells a cached thread is still current: thread versions and counts, moved by every change,
and the per-request freshness check on raw driver connections.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Connection,
    Row,
    bindparam,
    update,
)
from sqlalchemy import select as select_columns
from sqlmodel import Session, col

from commentbox.store.models import (
    Comment,
    Thread,
)

if TYPE_CHECKING:
    import asyncpg


# Statements that every post runs are built once (building one costs more than running it).
TOUCH_THREAD = (
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
    connection.execute(TOUCH_THREAD, {"thread_id": thread_id, "delta": count_delta})


def touch_threads_of_user(session: Session, user_id: int) -> None:
    """Bump every thread holding a comment of this user (their name or avatar changed)."""
    theirs = select_columns(col(Comment.thread_id)).where(col(Comment.user_id) == user_id)
    session.connection().execute(
        update(Thread).where(col(Thread.id).in_(theirs)).values(version=col(Thread.version) + 1)
    )


# ``runtime/freshness.py`` runs these on a connection each process holds, without the ORM or the
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

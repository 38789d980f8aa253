"""The statements of an import: threads by key, comments and their source ids in batches.

Every function runs inside the caller's write transaction (``Database.write_connection``),
so a batch lands whole or not at all; ``transfer/loader.py`` decides what goes in each.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, insert, update
from sqlalchemy import select as select_columns
from sqlmodel import col

from commentbox.store.models import Comment, CommentSource, CommentStatus, Thread

_COMMENTS = Comment.__table__  # type: ignore[attr-defined]
_SOURCES = CommentSource.__table__  # type: ignore[attr-defined]
_THREADS = Thread.__table__  # type: ignore[attr-defined]
# SQLite allows 32,766 bound values per statement; PostgreSQL 65,535. Lookups go in chunks.
_CHUNK = 900


@dataclass(frozen=True, slots=True)
class Known:
    """A comment an earlier import of this site stored: its row, parent and status now."""

    comment_id: int
    parent_id: int | None
    status: str
    thread_id: int


def _chunks(values: Sequence[Any]) -> list[Sequence[Any]]:
    return [values[i : i + _CHUNK] for i in range(0, len(values), _CHUNK)]


def thread_ids(connection: Connection, site_id: str, keys: Collection[str]) -> dict[str, int]:
    """The ids of this site's threads with these keys (the unique (site_id, key) index)."""
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(keys)):
        query = select_columns(_THREADS.c.key, _THREADS.c.id).where(
            _THREADS.c.site_id == site_id, _THREADS.c.key.in_(chunk)
        )
        found.update({key: thread_id for key, thread_id in connection.execute(query)})
    return found


def known_sources(connection: Connection, site_id: str, sources: Collection[str]) -> dict[str, Known]:
    """Which of these source ids an earlier import stored on this site, with their rows."""
    found: dict[str, Known] = {}
    for chunk in _chunks(sorted(sources)):
        query = (
            select_columns(
                _SOURCES.c.source,
                _COMMENTS.c.id,
                _COMMENTS.c.parent_id,
                _COMMENTS.c.status,
                _COMMENTS.c.thread_id,
            )
            .join(_COMMENTS, _COMMENTS.c.id == _SOURCES.c.comment_id)
            .where(_SOURCES.c.site_id == site_id, _SOURCES.c.source.in_(chunk))
        )
        for source, comment_id, parent_id, status, thread_id in connection.execute(query):
            found[source] = Known(comment_id, parent_id, status, thread_id)
    return found


def insert_comments(connection: Connection, rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Insert whole comment rows (every column but the id); their ids, in the rows' order."""
    if not rows:
        return []
    statement = insert(_COMMENTS).returning(_COMMENTS.c.id, sort_by_parameter_order=True)
    return [int(row[0]) for row in connection.execute(statement, list(rows))]


def insert_sources(connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """``(site_id, source, comment_id, kind)`` rows for comments just inserted."""
    if rows:
        connection.execute(insert(_SOURCES), list(rows))


_SET_PARENT = (
    update(_COMMENTS).where(_COMMENTS.c.id == bindparam("comment")).values(parent_id=bindparam("parent"))
)


def set_parents(connection: Connection, parents: Mapping[int, int | None]) -> None:
    """Point comments at their parents (replies that came before their parent in the file)."""
    if parents:
        connection.execute(_SET_PARENT, [{"comment": c, "parent": p} for c, p in parents.items()])


_APPROVED = (
    select_columns(func.count())
    .where(and_(_COMMENTS.c.thread_id == _THREADS.c.id, _COMMENTS.c.status == CommentStatus.APPROVED))
    .scalar_subquery()
)
_RECOUNT = (
    update(_THREADS)
    .where(_THREADS.c.id == bindparam("thread"))
    .values(version=_THREADS.c.version + 1, comment_count=_APPROVED)
)
_START_BY = (
    update(_THREADS)
    .where(_THREADS.c.id == bindparam("thread"), col(Thread.created) > bindparam("first"))
    .values(created=bindparam("first"))
)


def settle_threads(connection: Connection, earliest: Mapping[int, datetime | None]) -> None:
    """After a batch: each thread it touched counts its published comments again, moves its
    version (caches and ETags notice) and starts no later than the oldest comment given (so
    ``close_after_days`` closes old imported threads as it closes old live ones). Two
    statements built once, each run for all the threads at once (``executemany``)."""
    if not earliest:
        return
    threads = sorted(earliest.items())
    connection.execute(_RECOUNT, [{"thread": thread_id} for thread_id, _ in threads])
    firsts = [{"thread": thread_id, "first": first} for thread_id, first in threads if first is not None]
    if firsts:
        connection.execute(_START_BY, firsts)

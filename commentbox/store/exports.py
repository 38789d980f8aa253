"""The statements of ``export wxr``: a site's comments thread by thread, a page at a time.

Keyset pages over ``(thread_id, id)`` keep one page in memory whatever the site's size, and
hand the comments of a thread over together (the format nests them in their page's item).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, func, tuple_
from sqlalchemy import select as select_columns

from commentbox.store.models import Comment, CommentSource, Thread

_COMMENTS = Comment.__table__  # type: ignore[attr-defined]
_SOURCES = CommentSource.__table__  # type: ignore[attr-defined]
_THREADS = Thread.__table__  # type: ignore[attr-defined]
PAGE = 1000


def comments_by_thread(connection: Connection, site_id: str, page: int = PAGE) -> Iterator[dict[str, Any]]:
    """Every comment of the site, ordered by thread then id, each with its thread's ``url``,
    ``title``, ``locked`` and ``thread_created``, and its ``kind`` if it was imported."""
    after = (0, 0)
    columns = (
        _COMMENTS.c.id, _COMMENTS.c.thread_id, _COMMENTS.c.parent_id, _COMMENTS.c.author_name,
        _COMMENTS.c.author_email, _COMMENTS.c.author_website, _COMMENTS.c.html, _COMMENTS.c.status,
        _COMMENTS.c.created, _SOURCES.c.kind, _THREADS.c.url, _THREADS.c.title, _THREADS.c.locked,
        _THREADS.c.created.label("thread_created"),
    )  # fmt: skip
    while True:
        query = (
            select_columns(*columns)
            .join(_THREADS, _THREADS.c.id == _COMMENTS.c.thread_id)
            .outerjoin(_SOURCES, _SOURCES.c.comment_id == _COMMENTS.c.id)
            .where(
                _THREADS.c.site_id == site_id,
                tuple_(_COMMENTS.c.thread_id, _COMMENTS.c.id) > tuple_(*after),
            )
            .order_by(_COMMENTS.c.thread_id, _COMMENTS.c.id)
            .limit(page)
        )
        rows = [dict(row) for row in connection.execute(query).mappings()]
        if not rows:
            return
        yield from rows
        after = (rows[-1]["thread_id"], rows[-1]["id"])


def highest_comment_id(connection: Connection) -> int:
    """The largest comment id in the database (0 when there is none): ids above it are free."""
    return int(connection.execute(select_columns(func.max(_COMMENTS.c.id))).scalar() or 0)

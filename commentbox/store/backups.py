"""The statements of a site's backup: reading it out in id order, and restoring rows as they were.

Reading pages through comments by id (keyset), so an export holds one page in memory
whatever the site's size; restoring writes through the caller's transaction, like
``imports.py``, whose batch statements it shares.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, insert
from sqlalchemy import select as select_columns

from commentbox.store.models import Comment, CommentSource, Site, Thread, User, Vote

_COMMENTS = Comment.__table__  # type: ignore[attr-defined]
_SOURCES = CommentSource.__table__  # type: ignore[attr-defined]
_THREADS = Thread.__table__  # type: ignore[attr-defined]
_USERS = User.__table__  # type: ignore[attr-defined]
_VOTES = Vote.__table__  # type: ignore[attr-defined]
_SITES = Site.__table__  # type: ignore[attr-defined]
PAGE = 1000
_CHUNK = 900

COMMENT_FIELDS = tuple(c.name for c in _COMMENTS.c)
THREAD_FIELDS = tuple(c.name for c in _THREADS.c)
USER_FIELDS = tuple(c.name for c in _USERS.c)
# Not ``version`` (the cache's counter) nor ``webhook_events`` (derived from the endpoints,
# which a backup does not carry: their secrets stay on this server).
SITE_FIELDS = tuple(c.name for c in _SITES.c if c.name not in ("version", "webhook_events"))


def site_values(connection: Connection, site_id: str) -> dict[str, Any] | None:
    row = connection.execute(select_columns(_SITES).where(_SITES.c.id == site_id)).mappings().first()
    return None if row is None else {name: row[name] for name in SITE_FIELDS}


def site_users(connection: Connection, site_id: str) -> Iterator[dict[str, Any]]:
    """The signed-in people whose comments are on this site."""
    theirs = (
        select_columns(_COMMENTS.c.user_id)
        .join(_THREADS, _THREADS.c.id == _COMMENTS.c.thread_id)
        .where(_THREADS.c.site_id == site_id, _COMMENTS.c.user_id.is_not(None))
    )
    query = select_columns(_USERS).where(_USERS.c.id.in_(theirs)).order_by(_USERS.c.id)
    for row in connection.execute(query).mappings():
        yield dict(row)


def site_threads(connection: Connection, site_id: str) -> Iterator[dict[str, Any]]:
    query = select_columns(_THREADS).where(_THREADS.c.site_id == site_id).order_by(_THREADS.c.id)
    for row in connection.execute(query).mappings():
        yield dict(row)


def site_comments(connection: Connection, site_id: str) -> Iterator[list[dict[str, Any]]]:
    """The site's comments a page at a time, by id, each with its ``votes`` and source."""
    after = 0
    while True:
        query = (
            select_columns(_COMMENTS, _SOURCES.c.source, _SOURCES.c.kind)
            .join(_THREADS, _THREADS.c.id == _COMMENTS.c.thread_id)
            .outerjoin(_SOURCES, _SOURCES.c.comment_id == _COMMENTS.c.id)
            .where(_THREADS.c.site_id == site_id, _COMMENTS.c.id > after)
            .order_by(_COMMENTS.c.id)
            .limit(PAGE)
        )
        page = [dict(row) for row in connection.execute(query).mappings()]
        if not page:
            return
        votes: dict[int, list[dict[str, Any]]] = {}
        ids = [row["id"] for row in page]
        found = select_columns(_VOTES).where(_VOTES.c.comment_id.in_(ids)).order_by(_VOTES.c.voter)
        for vote in connection.execute(found).mappings():
            votes.setdefault(vote["comment_id"], []).append({"voter": vote["voter"], "value": vote["value"]})
        for row in page:
            row["votes"] = votes.get(row["id"], [])
        yield page
        after = ids[-1]


def comments_by_nonce(connection: Connection, site_id: str, nonces: Collection[str]) -> dict[str, int]:
    """Which of these comments (by nonce) the site holds already, and their ids."""
    found: dict[str, int] = {}
    ordered = sorted(nonces)
    for start in range(0, len(ordered), _CHUNK):
        query = (
            select_columns(_COMMENTS.c.nonce, _COMMENTS.c.id)
            .join(_THREADS, _THREADS.c.id == _COMMENTS.c.thread_id)
            .where(_THREADS.c.site_id == site_id, _COMMENTS.c.nonce.in_(ordered[start : start + _CHUNK]))
        )
        found.update({nonce: comment_id for nonce, comment_id in connection.execute(query)})
    return found


def user_id(connection: Connection, values: dict[str, Any]) -> int:
    """The user with this provider identity, added if this database has never seen them."""
    query = select_columns(_USERS.c.id).where(
        _USERS.c.provider == values["provider"], _USERS.c.provider_user_id == values["provider_user_id"]
    )
    found = connection.execute(query).scalar()
    if found is not None:
        return int(found)
    fields = {k: v for k, v in values.items() if k != "id"}
    return int(connection.execute(insert(_USERS).returning(_USERS.c.id), fields).scalar_one())


def insert_votes(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        connection.execute(insert(_VOTES), list(rows))

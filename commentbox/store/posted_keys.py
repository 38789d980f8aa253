"""Idempotency keys of recent posts: a retried post answers the comment its first try made.

The primary key decides between concurrent tries with one key: whichever transaction
inserts the key first keeps its comment; the other finds the key taken and rolls back.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col

from commentbox.store.models import PostedKey

KEEP = timedelta(hours=24)


def find(connection: Connection, key_hash: str, now: datetime) -> tuple[int, bool] | None:
    """``(comment_id, held)`` of the post this key made within ``KEEP``, if any."""
    row = connection.execute(
        select(col(PostedKey.comment_id), col(PostedKey.held)).where(
            col(PostedKey.key_hash) == key_hash, col(PostedKey.created) >= now - KEEP
        )
    ).first()
    return (int(row[0]), bool(row[1])) if row else None


def remember(connection: Connection, key_hash: str, comment_id: int, held: bool, now: datetime) -> bool:
    """Record the key for the comment just inserted; False if another post holds it already.
    Expired keys go first, this one's included (one indexed range delete: the table holds
    one day of posts)."""
    connection.execute(delete(PostedKey).where(col(PostedKey.created) < now - KEEP))
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(PostedKey)
        .values(key_hash=key_hash, comment_id=comment_id, held=held, created=now)
        .on_conflict_do_nothing(index_elements=["key_hash"])
        .returning(col(PostedKey.key_hash))  # rowcount is not reliable once RETURNING is implied
    )
    return connection.execute(statement).first() is not None

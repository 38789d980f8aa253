"""What the server remembers for a while: fetched avatars, spent one-time tokens, posted keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Column,
    ForeignKey,
    Integer,
    LargeBinary,
)
from sqlmodel import Field, SQLModel

from commentbox.store.models.base import utcnow


class AvatarCache(SQLModel, table=True):
    """A signed-in user's provider picture as this server fetched it (``domain/avatars.py``):
    ``body`` None remembers a failed fetch until ``expires``, when it is tried again."""

    __tablename__ = "avatar_cache"

    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    )
    source_url: str = Field(max_length=2000)
    media_type: str = Field(default="", max_length=32)
    body: bytes | None = Field(default=None, sa_type=LargeBinary)
    expires: datetime


class SpentToken(SQLModel, table=True):
    """One-time tokens already used (email action links, subscription confirmations)."""

    __tablename__ = "spent_token"

    id: str = Field(primary_key=True, max_length=64)
    spent: datetime = Field(default_factory=utcnow)


class PostedKey(SQLModel, table=True):
    """The ``Idempotency-Key`` of a recent post (hashed with its site and identity), so that a
    retry answers the comment the first try made instead of posting it twice."""

    __tablename__ = "posted_key"

    key_hash: str = Field(primary_key=True, max_length=64)
    comment_id: int
    held: bool  # answered 202 (held) rather than 201 (published)
    created: datetime = Field(default_factory=utcnow, index=True)

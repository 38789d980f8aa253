"""Comments, the votes on them, and where imported ones came from."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlmodel import Field, SQLModel

from commentbox.store.models.base import utcnow


class CommentStatus(StrEnum):
    APPROVED = "approved"
    PENDING = "pending"
    SPAM = "spam"
    DELETED = "deleted"  # by its author or for good by a moderator; a tombstone if it has replies
    TRASH = "trash"  # put aside by a moderator, out of view, until restored or deleted for good


# A comment in one of these its author can no longer read, edit or delete through the widget.
GONE_FOR_AUTHOR = (CommentStatus.DELETED, CommentStatus.SPAM, CommentStatus.TRASH)


class Comment(SQLModel, table=True):
    """A comment. ``body`` is the Markdown source (kept for edits), ``html`` its sanitized render.

    ``nonce`` is random per comment: edit tokens are bound to it, so a token never grants
    access to a different comment that later reuses a row id.
    """

    # Each post asks "did this author just say this here?" and, in first-time moderation, "has
    # this author an approved comment on this site?": both must be lookups, never a walk over
    # a thread's or a site's comments (a post would cost more the bigger the thread).
    __table_args__ = (
        Index("ix_comment_thread_status", "thread_id", "status"),
        Index("ix_comment_text_hash_thread", "text_hash", "thread_id"),
        Index("ix_comment_client_author_email", "client_hash", "author_email"),
        # A restored backup finds the comments it holds already by their nonce (``import json``).
        Index("ix_comment_nonce", "nonce"),
        # The retention sweep finds the comments whose IP hash is due among those that still
        # carry one only (``store/privacy.py``): the index stays as small as the retention period.
        Index(
            "ix_comment_ip_hash_created",
            "created",
            sqlite_where=text("ip_hash IS NOT NULL"),
            postgresql_where=text("ip_hash IS NOT NULL"),
        ),
        # … and guests' comments whose email is due, where a site keeps them for a while only.
        Index(
            "ix_comment_guest_email_created",
            "created",
            sqlite_where=text("author_email IS NOT NULL"),
            postgresql_where=text("author_email IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    thread_id: int = Field(
        sa_column=Column(Integer, ForeignKey("thread.id", ondelete="CASCADE"), nullable=False)
    )
    parent_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("comment.id", ondelete="SET NULL"), index=True),
    )
    user_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), index=True),
    )
    author_name: str = Field(default="", max_length=200)
    author_email: str | None = Field(default=None, max_length=254)
    author_website: str | None = Field(default=None, max_length=2000)
    body: str = Field(default="", sa_type=Text)
    html: str = Field(default="", sa_type=Text)
    status: str = Field(default=CommentStatus.APPROVED, sa_type=String(16))
    score: int = 0
    created: datetime = Field(default_factory=utcnow)
    edited: datetime | None = None
    ip_hash: str | None = Field(default=None, max_length=64)
    client_hash: str | None = Field(default=None, max_length=64)
    nonce: str = Field(max_length=32)
    pinned: bool = False
    text_hash: str | None = Field(default=None, max_length=64)  # duplicate detection
    # The status a trashed comment had, which Undo / Restore gives back (None when not in trash).
    trashed_from: str | None = Field(default=None, sa_type=String(16))


class CommentSource(SQLModel, table=True):
    """Where an imported comment came from: ``source`` is the system and its id for the comment
    (``wordpress:12-345``). The key is per site, so importing the same file twice finds every
    comment already there and adds nothing (``transfer/loader.py``).

    A table of its own rather than a column: ``comment`` has no site, and the uniqueness that
    makes re-imports safe is per site. ``kind`` keeps pingbacks and trackbacks apart from comments.
    """

    __tablename__ = "comment_source"

    site_id: str = Field(
        sa_column=Column(String(64), ForeignKey("site.id", ondelete="CASCADE"), primary_key=True)
    )
    source: str = Field(primary_key=True, max_length=300)
    comment_id: int = Field(
        sa_column=Column(Integer, ForeignKey("comment.id", ondelete="CASCADE"), nullable=False, unique=True)
    )
    kind: str = Field(default="comment", sa_type=String(16))


class Vote(SQLModel, table=True):
    """One vote per identity per comment; ``voter`` is ``u:<user id>`` or a keyed guest hash."""

    __table_args__ = (Index("ix_vote_voter_created", "voter", "created"),)

    comment_id: int = Field(
        sa_column=Column(Integer, ForeignKey("comment.id", ondelete="CASCADE"), primary_key=True)
    )
    voter: str = Field(primary_key=True, max_length=80)
    value: int
    # When the vote was first cast: a guest's ``voter`` is their address's hash, wiped
    # (replaced by a random key, the vote still counted) after the site's ``ip_hash_days``;
    # the sweep finds them through ``ix_vote_voter_created``.
    created: datetime = Field(default_factory=utcnow)

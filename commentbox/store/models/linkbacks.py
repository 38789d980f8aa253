"""Linkbacks from other sites (Webmention, pingback) and where verifying each stands."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from commentbox.store.models.base import utcnow


class LinkbackKind(StrEnum):
    """How another page told us it links here (``comment_source.kind`` of its comment)."""

    WEBMENTION = "webmention"
    PINGBACK = "pingback"
    TRACKBACK = "trackback"  # only imported: trackbacks are not received (no verification)


class LinkbackState(StrEnum):
    QUEUED = "queued"  # waiting for the verifier
    VERIFIED = "verified"  # the source links here: its comment is in the thread (held or published)
    REFUSED = "refused"  # never verified (no link, not found, not HTML …): nothing shown
    REMOVED = "removed"  # verified once, but the source is gone (410) or no longer links


class Linkback(SQLModel, table=True):
    """A source page's claim to link to one thread, and where verifying it stands.

    One row per (thread, source): a re-sent mention re-queues the same row (and its comment
    is updated in place). ``token`` names the row in the status URL that a Webmention sender
    gets back; ``comment_id`` is the comment that shows it once verified.
    """

    __tablename__ = "linkback"
    __table_args__ = (
        UniqueConstraint("thread_id", "source", name="uq_linkback_thread_source"),
        Index("ix_linkback_due", "state", "next_attempt"),
    )

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(max_length=32, unique=True)
    site_id: str = Field(
        sa_column=Column(String(64), ForeignKey("site.id", ondelete="CASCADE"), nullable=False)
    )
    thread_id: int = Field(
        sa_column=Column(Integer, ForeignKey("thread.id", ondelete="CASCADE"), nullable=False)
    )
    kind: str = Field(default=LinkbackKind.WEBMENTION, sa_type=String(16))
    source: str = Field(max_length=2000)
    target: str = Field(max_length=2000)
    state: str = Field(default=LinkbackState.QUEUED, sa_type=String(16))
    reason: str = Field(default="", max_length=300)
    author_name: str = Field(default="", max_length=200)  # the h-entry's author, for moderators
    comment_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("comment.id", ondelete="SET NULL"), nullable=True),
    )
    attempts: int = 0
    next_attempt: datetime = Field(default_factory=utcnow)
    created: datetime = Field(default_factory=utcnow)
    updated: datetime = Field(default_factory=utcnow)

"""Sites that embed commentbox, their moderation settings, and the threads of their pages."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from commentbox.store.models.base import utcnow


class ModerationMode(StrEnum):
    NONE = "none"
    GUESTS = "guests"
    FIRST_TIME = "first-time"
    ALL = "all"


_SITE_VERSION = Column("version", Integer, nullable=False, server_default="1")


class NotifyModerators(StrEnum):
    """Which new comments a site's moderators are emailed about."""

    NONE = "none"
    PENDING = "pending"
    ALL = "all"


class Site(SQLModel, table=True):
    """A site that may embed commentbox.

    ``version`` is SQLAlchemy's ``version_id_col``: every ORM update of a site bumps it, so
    each instance's per-process copy of a site is checked against it by the same query
    that reads a thread's version (``runtime/freshness.py``) — no per-request site lookup.
    Change sites through the ORM (``sites.update_site``), never with a bare ``UPDATE``.
    """

    __mapper_args__ = {"version_id_col": _SITE_VERSION}

    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    origins: list[str] = Field(default_factory=list, sa_type=JSON)
    moderation: str = Field(default=ModerationMode.NONE, sa_type=String(16))
    edit_window_seconds: int = 900
    allow_images: bool = False
    query_params: list[str] = Field(default_factory=list, sa_type=JSON)
    # How long signed-in authors may edit their comments; 0 = always (guests: edit_window_seconds).
    user_edit_window_seconds: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1, sa_column=_SITE_VERSION)
    # Spam defence and moderation settings (see domain/screening.py, domain/spam.py)
    max_links: int = 3
    min_post_seconds: int = 3
    blocked_words: list[str] = Field(default_factory=list, sa_type=JSON)
    blocked_names: list[str] = Field(default_factory=list, sa_type=JSON)
    close_after_days: int | None = None
    notify_moderators: str = Field(default=NotifyModerators.PENDING, sa_type=String(16))
    hold_link_only: bool = True  # a comment that is nothing but links waits for a moderator
    # Write budgets across every address ("off" or limits syntax): new comments beyond them
    # wait for a moderator (budgets.burst_hold).
    thread_write_limits: str = Field(default="10/minute; 100/hour", max_length=100)
    site_write_limits: str = Field(default="60/minute; 600/hour", max_length=100)
    # New threads (a page's first comment) beyond this are refused: invented URLs on a
    # registered origin would otherwise make threads without end (budgets.check_new_thread).
    new_thread_limits: str = Field(default="60/hour", max_length=100)
    # The same text (folded, as duplicates compare it) from anyone on the site: beyond this
    # it is held as spam (budgets.same_text_hold).
    same_text_limits: str = Field(default="3/day", max_length=100)
    # The Atom feeds of the site's comments (/feeds/{site}.atom) are published (docs/feeds.md).
    feeds: bool = True
    # Webmentions and pingbacks from other sites (linkbacks/): received only when on, and held
    # for a moderator unless ``publish_linkbacks``.
    linkbacks: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    publish_linkbacks: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    # The events the site's enabled webhook endpoints hear, space-separated (derived from
    # ``webhook_endpoint``, kept by ``webhooks/endpoints.py``): a post on a site without
    # webhooks costs no statement, and the site's version tells every instance of a change.
    webhook_events: str = Field(default="", max_length=500, sa_column_kwargs={"server_default": ""})
    # Keeping less (domain/retention.py): IP hashes (on comments and guests' votes) are wiped
    # after this many days; guests' emails on comments nobody subscribed with after
    # ``guest_email_days`` (None: kept as long as the comment).
    ip_hash_days: int = Field(default=30, sa_column_kwargs={"server_default": "30"})
    guest_email_days: int | None = None


class Thread(SQLModel, table=True):
    """A page's discussion. ``key`` is the canonical URL, or ``id:<page_id>`` for explicit ids.

    ``version`` grows on every change to the thread or its comments: it is the ETag and the
    cache key, read with one indexed query per request.
    """

    __table_args__ = (UniqueConstraint("site_id", "key", name="uq_thread_site_key"),)

    id: int | None = Field(default=None, primary_key=True)
    site_id: str = Field(
        sa_column=Column(String(64), ForeignKey("site.id", ondelete="CASCADE"), nullable=False)
    )
    key: str = Field(max_length=2100)
    url: str = Field(max_length=2100)
    title: str = Field(default="", max_length=300)
    version: int = 1
    comment_count: int = 0
    locked: bool = False
    created: datetime = Field(default_factory=utcnow)

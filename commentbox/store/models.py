"""Tables. Input and output shapes live in ``domain/schemas.py``; only those reach the network.

Timestamps are timezone-aware UTC (SQLModel's ``UTCDateTime`` stores them so on both engines).
States are stored as short strings so that adding one needs no enum-type migration on
PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class ModerationMode(StrEnum):
    NONE = "none"
    GUESTS = "guests"
    FIRST_TIME = "first-time"
    ALL = "all"


class CommentStatus(StrEnum):
    APPROVED = "approved"
    PENDING = "pending"
    SPAM = "spam"
    DELETED = "deleted"  # by its author or for good by a moderator; a tombstone if it has replies
    TRASH = "trash"  # put aside by a moderator, out of view, until restored or deleted for good


# A comment in one of these its author can no longer read, edit or delete through the widget.
GONE_FOR_AUTHOR = (CommentStatus.DELETED, CommentStatus.SPAM, CommentStatus.TRASH)


# Row ids are INTEGER on PostgreSQL: the largest id any engine can hold, and so the largest
# a request may name (a bigger one is refused before it reaches a driver).
MAX_ROW_ID = 2**31 - 1

_SITE_VERSION = Column("version", Integer, nullable=False, server_default="1")


class NotifyModerators(StrEnum):
    """Which new comments a site's moderators are emailed about."""

    NONE = "none"
    PENDING = "pending"
    ALL = "all"


class BanKind(StrEnum):
    """What a ban matches: a signed-in user (id), a guest's browser token hash, an email, an IP hash."""

    USER = "user"
    CLIENT = "client"
    EMAIL = "email"
    IP = "ip"


class Role(StrEnum):
    OWNER = "owner"
    MODERATOR = "moderator"


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


class User(SQLModel, table=True):
    """A signed-in identity, keyed by provider + the provider's user id (never by email)."""

    __table_args__ = (UniqueConstraint("provider", "provider_user_id", name="uq_user_provider"),)

    id: int | None = Field(default=None, primary_key=True)
    provider: str = Field(max_length=32)
    provider_user_id: str = Field(max_length=255)
    name: str = Field(max_length=200)
    avatar: str | None = Field(default=None, max_length=2000)
    email: str | None = Field(default=None, max_length=254)
    created: datetime = Field(default_factory=utcnow)
    updated: datetime = Field(default_factory=utcnow)


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


class UserSession(SQLModel, table=True):
    """A signed-in session, bound to one site. The bearer token is a signature over its id.

    ``expires`` slides forward as the session is used; ``revoked`` is set by logout.
    """

    __tablename__ = "user_session"

    id: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    site_id: str = Field(
        sa_column=Column(String(64), ForeignKey("site.id", ondelete="CASCADE"), nullable=False)
    )
    created: datetime = Field(default_factory=utcnow)
    last_seen: datetime = Field(default_factory=utcnow)
    expires: datetime
    revoked: datetime | None = None


class LoginStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"
    SPENT = "spent"


class Login(SQLModel, table=True):
    """A one-time login id: issued as the popup opens, completed by the provider's callback,
    redeemed once by the page that asked for it (the token goes only to ``origin``)."""

    id: str = Field(primary_key=True, max_length=64)
    site_id: str = Field(
        sa_column=Column(String(64), ForeignKey("site.id", ondelete="CASCADE"), nullable=False)
    )
    origin: str = Field(max_length=300)
    status: str = Field(default=LoginStatus.PENDING, sa_type=String(16))
    provider: str | None = Field(default=None, max_length=32)
    state_hash: str | None = Field(default=None, max_length=64, index=True)
    return_to: str | None = Field(default=None, max_length=2000)
    session_id: str | None = Field(
        default=None,
        sa_column=Column(String(64), ForeignKey("user_session.id", ondelete="CASCADE"), nullable=True),
    )
    failure: str | None = Field(default=None, max_length=300)
    created: datetime = Field(default_factory=utcnow)
    expires: datetime = Field(index=True)


class OAuthState(SQLModel, table=True):
    """Authlib's server-side cache: state → redirect URI, nonce, PKCE verifier. Taken once."""

    __tablename__ = "oauth_state"

    key: str = Field(primary_key=True, max_length=255)
    value: str = Field(sa_type=Text)
    expires: datetime = Field(index=True)


# Moderation --------------------------------------------------------------------------------


class Ban(SQLModel, table=True):
    """Refuses writes on a site from one identity, email or IP hash, until ``until`` (None: for good)."""

    __table_args__ = (Index("ix_ban_site_kind_value", "site_id", "kind", "value"),)

    id: int | None = Field(default=None, primary_key=True)
    site_id: str = Field(
        sa_column=Column(String(64), ForeignKey("site.id", ondelete="CASCADE"), nullable=False)
    )
    kind: str = Field(sa_type=String(16))
    value: str = Field(max_length=254)
    until: datetime | None = None
    reason: str = Field(default="", max_length=300)
    created_by: str = Field(default="", max_length=200)
    created: datetime = Field(default_factory=utcnow)


class AdminAccount(SQLModel, table=True):
    """A moderator who signs in to ``/admin`` with a name and an argon2-hashed password."""

    __tablename__ = "admin_account"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    password_hash: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=254)
    superuser: bool = False  # owner of every site
    created: datetime = Field(default_factory=utcnow)


class SiteRole(SQLModel, table=True):
    """Who moderates a site: an admin account, or a provider identity (keyed like ``user``)."""

    __tablename__ = "site_role"
    __table_args__ = (
        UniqueConstraint("site_id", "account_id", name="uq_site_role_account"),
        UniqueConstraint("site_id", "provider", "provider_user_id", name="uq_site_role_provider"),
    )

    id: int | None = Field(default=None, primary_key=True)
    site_id: str = Field(
        sa_column=Column(String(64), ForeignKey("site.id", ondelete="CASCADE"), nullable=False)
    )
    role: str = Field(default=Role.MODERATOR, sa_type=String(16))
    account_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("admin_account.id", ondelete="CASCADE"), index=True),
    )
    provider: str | None = Field(default=None, max_length=32)
    provider_user_id: str | None = Field(default=None, max_length=255)


class AdminSession(SQLModel, table=True):
    """A signed-in moderator's cookie session; only a hash of the cookie's token is stored."""

    __tablename__ = "admin_session"

    id: str = Field(primary_key=True, max_length=64)
    account_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("admin_account.id", ondelete="CASCADE"), index=True),
    )
    user_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="CASCADE"), index=True),
    )
    csrf: str = Field(max_length=64)
    created: datetime = Field(default_factory=utcnow)
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


# Linkbacks ---------------------------------------------------------------------------------


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


# Notifications -----------------------------------------------------------------------------


class OutboxMail(SQLModel, table=True):
    """A message waiting to be sent (or sent); the background sender retries with backoff."""

    __tablename__ = "outbox_mail"
    __table_args__ = (Index("ix_outbox_due", "sent", "next_attempt"),)

    id: int | None = Field(default=None, primary_key=True)
    recipient: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    text: str = Field(sa_type=Text)
    html: str = Field(sa_type=Text)
    headers: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    attempts: int = 0
    next_attempt: datetime = Field(default_factory=utcnow)
    sent: datetime | None = None
    failed: bool = False
    last_error: str = Field(default="", max_length=500)
    created: datetime = Field(default_factory=utcnow)


class Subscription(SQLModel, table=True):
    """“Notify me of replies” to one comment; a guest's is inactive until the email is confirmed."""

    id: int | None = Field(default=None, primary_key=True)
    comment_id: int = Field(
        sa_column=Column(Integer, ForeignKey("comment.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    email: str = Field(max_length=254)
    user_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("user.id", ondelete="CASCADE"))
    )
    confirmed: bool = False
    nonce: str = Field(max_length=32)
    created: datetime = Field(default_factory=utcnow)


class MailOptOut(SQLModel, table=True):
    """An address that asked for no more mail of a kind: ``replies``, ``moderation:<site>``, ``all``."""

    __tablename__ = "mail_optout"

    email: str = Field(primary_key=True, max_length=254)
    scope: str = Field(primary_key=True, max_length=100)
    created: datetime = Field(default_factory=utcnow)


# Webhooks ----------------------------------------------------------------------------------


class WebhookEndpoint(SQLModel, table=True):
    """A site owner's receiver of signed events (``webhooks/``, docs/webhooks.md).

    ``events`` holds the subscribed event names separated by single spaces, so that the
    write that changes a comment finds its endpoints with one indexed ``LIKE`` on both
    engines (a JSON list cannot be searched the same way on SQLite and PostgreSQL).
    ``secret`` is ``whsec_`` + base64 of 32 random bytes (Standard Webhooks); it signs and
    so is kept as it is, and shown only to the site's owners.
    """

    __tablename__ = "webhook_endpoint"

    id: int | None = Field(default=None, primary_key=True)
    site_id: str = Field(
        sa_column=Column(String(64), ForeignKey("site.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    url: str = Field(max_length=2000)
    secret: str = Field(max_length=100)
    events: str = Field(max_length=500)
    enabled: bool = True
    created: datetime = Field(default_factory=utcnow)


class WebhookDelivery(SQLModel, table=True):
    """One event on its way to one endpoint: the webhook outbox and the delivery log in one.

    ``event_id`` is the Standard Webhooks ``webhook-id``: the same for every endpoint and
    every retry of one event, so receivers can drop repeats. ``payload`` is the body
    exactly as it is signed and sent. ``status`` is the last answer's HTTP status (0: none).
    """

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        Index("ix_webhook_delivery_due", "delivered", "failed", "next_attempt"),
        Index("ix_webhook_delivery_endpoint", "endpoint_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    endpoint_id: int = Field(
        sa_column=Column(Integer, ForeignKey("webhook_endpoint.id", ondelete="CASCADE"), nullable=False)
    )
    event_id: str = Field(max_length=40)
    event: str = Field(max_length=40)
    payload: str = Field(sa_type=Text)
    attempts: int = 0
    next_attempt: datetime = Field(default_factory=utcnow)
    last_status: int = 0
    last_error: str = Field(default="", max_length=300)
    last_attempt: datetime | None = None
    delivered: datetime | None = None
    failed: bool = False
    created: datetime = Field(default_factory=utcnow)


# Privacy -----------------------------------------------------------------------------------


class Erasure(SQLModel, table=True):
    """The moderators' record that an erasure happened: when, at whose request, how many
    comments. Never what was erased or whose it was (``domain/erasure.py``)."""

    id: int | None = Field(default=None, primary_key=True)
    site_id: str = Field(
        sa_column=Column(String(64), ForeignKey("site.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    requested_by: str = Field(max_length=200)  # "the visitor", or "moderator <name>"
    comments: int = 0
    created: datetime = Field(default_factory=utcnow)

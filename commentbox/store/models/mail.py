"""Mail: the outbox the background sender drains, reply subscriptions and opt-outs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    Integer,
    Text,
)
from sqlmodel import Field, SQLModel

from commentbox.store.models.base import utcnow


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

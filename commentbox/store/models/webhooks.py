"""Webhooks: the endpoints a site owner registers and each event's delivery to one of them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlmodel import Field, SQLModel

from commentbox.store.models.base import utcnow


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

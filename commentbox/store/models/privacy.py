"""Privacy: the moderators' record that an erasure happened, never what it erased."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Column,
    ForeignKey,
    String,
)
from sqlmodel import Field, SQLModel

from commentbox.store.models.base import utcnow


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

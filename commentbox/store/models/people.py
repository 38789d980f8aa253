"""Signed-in people: their identity, their sessions, and the login handshake that makes one."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Column,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from commentbox.store.models.base import utcnow


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

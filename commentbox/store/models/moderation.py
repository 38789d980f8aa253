"""Who moderates a site (accounts, roles, their cookie sessions) and the bans they set."""

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


class BanKind(StrEnum):
    """What a ban matches: a signed-in user (id), a guest's browser token hash, an email, an IP hash."""

    USER = "user"
    CLIENT = "client"
    EMAIL = "email"
    IP = "ip"


class Role(StrEnum):
    OWNER = "owner"
    MODERATOR = "moderator"


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

"""Moderator accounts, their roles per site and their sessions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    String,
    cast,
    delete,
    exists,
    or_,
)
from sqlalchemy.sql.expression import Exists
from sqlmodel import Session, col, select

from commentbox.store.models import (
    AdminAccount,
    AdminSession,
    Ban,
    BanKind,
    SiteRole,
    User,
)

if TYPE_CHECKING:
    pass


def all_accounts(session: Session) -> Sequence[AdminAccount]:
    return session.exec(select(AdminAccount).order_by(col(AdminAccount.name))).all()


def account_by_name(session: Session, name: str) -> AdminAccount | None:
    return session.exec(select(AdminAccount).where(AdminAccount.name == name)).first()


def role_by_id(session: Session, role_id: int) -> SiteRole | None:
    return session.get(SiteRole, role_id)


def role_for_account(session: Session, site_id: str, account_id: int) -> SiteRole | None:
    query = select(SiteRole).where(SiteRole.site_id == site_id, SiteRole.account_id == account_id)
    return session.exec(query).first()


def role_for_identity(
    session: Session, site_id: str, provider: str, provider_user_id: str
) -> SiteRole | None:
    query = select(SiteRole).where(
        SiteRole.site_id == site_id,
        SiteRole.provider == provider,
        SiteRole.provider_user_id == provider_user_id,
    )
    return session.exec(query).first()


def roles_of_account(session: Session, account_id: int) -> Sequence[SiteRole]:
    return session.exec(select(SiteRole).where(SiteRole.account_id == account_id)).all()


def roles_of_identity(
    session: Session, provider: str, provider_user_id: str, now: datetime
) -> Sequence[SiteRole]:
    """The identity's roles, leaving out each site that bans it (see ``_role_banned``)."""
    query = select(SiteRole).where(
        SiteRole.provider == provider,
        SiteRole.provider_user_id == provider_user_id,
        ~_role_banned(now),
    )
    return session.exec(query).all()


def _role_banned(now: datetime) -> Exists:
    """Whether a ban in force on the role's site names the user behind the role's provider
    identity (kind ``user``, by user id): a site that bans a person from commenting takes
    their moderator role there away too, and lifting the ban gives it back. Correlates with
    ``SiteRole`` (and ``User``, when the outer query has it)."""
    return exists().where(
        col(User.provider) == col(SiteRole.provider),
        col(User.provider_user_id) == col(SiteRole.provider_user_id),
        col(Ban.site_id) == col(SiteRole.site_id),
        col(Ban.kind) == BanKind.USER,
        col(Ban.value) == cast(col(User.id), String),
        or_(col(Ban.until).is_(None), col(Ban.until) > now),
    )


def roles_of_site(session: Session, site_id: str) -> Sequence[tuple[SiteRole, str | None]]:
    """Each role on the site with the account's name (None for a provider identity)."""
    query = (
        select(SiteRole, AdminAccount.name)
        .outerjoin(AdminAccount, col(AdminAccount.id) == col(SiteRole.account_id))
        .where(SiteRole.site_id == site_id)
        .order_by(col(SiteRole.role), col(SiteRole.id))
    )
    return session.exec(query).all()


def moderator_emails(session: Session, site_id: str, now: datetime) -> list[str]:
    """Emails of superusers, of accounts with a role on the site, and of provider users named
    as the site's moderators (unless the site bans them)."""
    accounts = select(AdminAccount.email).where(
        col(AdminAccount.email).is_not(None),
        or_(
            col(AdminAccount.superuser),
            col(AdminAccount.id).in_(select(SiteRole.account_id).where(SiteRole.site_id == site_id)),
        ),
    )
    users = (
        select(User.email)
        .join(
            SiteRole,
            (col(SiteRole.provider) == col(User.provider))
            & (col(SiteRole.provider_user_id) == col(User.provider_user_id)),
        )
        .where(SiteRole.site_id == site_id, col(User.email).is_not(None), ~_role_banned(now))
    )
    return [e for e in [*session.exec(accounts).all(), *session.exec(users).all()] if e]


def admin_session(session: Session, session_id: str, now: datetime) -> AdminSession | None:
    query = select(AdminSession).where(AdminSession.id == session_id, AdminSession.expires > now)
    return session.exec(query).first()


def delete_admin_session(session: Session, session_id: str) -> None:
    session.exec(delete(AdminSession).where(col(AdminSession.id) == session_id))


def delete_admin_sessions(session: Session, account_id: int) -> None:
    session.exec(delete(AdminSession).where(col(AdminSession.account_id) == account_id))

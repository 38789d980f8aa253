"""Moderator accounts, their per-site roles, and their ``/admin`` cookie sessions.

Passwords are hashed with argon2 (``argon2-cffi``'s defaults, rehashed when those grow).
A session cookie carries a random token; only its SHA-256 is stored, with the session's
CSRF token, so a database leak opens no session. Provider identities (Google, X,
Facebook users) may be named as a site's moderators too, keyed like the ``user`` table by
(provider, provider user id), never by email.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session

from commentbox.admin.actions import Moderator, moderator_from_roles
from commentbox.auth.base import Profile
from commentbox.domain import user_sessions
from commentbox.domain.signins import state_hash
from commentbox.domain.sites import get_site
from commentbox.errors import Conflict, Forbidden, InvalidInput, NotFound
from commentbox.store import admins, rows, users
from commentbox.store.db import Database
from commentbox.store.models import AdminAccount, AdminSession, Role, Site, SiteRole, User, utcnow

SESSION_HOURS = 12
NOT_MODERATOR = "This account does not moderate any site here. Ask a site's owner to add it."
SIGNIN_KEY = "admin-signin:"  # prefix of its rows in the OAuth state table
PROVIDER_LABELS = {"google": "Google", "twitter": "X", "facebook": "Facebook"}
MIN_PASSWORD_CHARS = 10
_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the name is unknown, so a wrong name costs as long as a wrong
    password. Made on the first sign-in, not at import: an argon2 hash takes ~0.1–0.2 s and
    64 MiB, which every worker, CLI call and test process paid before."""
    return _hasher.hash(secrets.token_hex(16))


@dataclass(frozen=True)
class ModeratorAccess:
    """Where moderator accounts and sessions live, and how long a provider sign-in waits."""

    db: Database
    login_ttl_seconds: int


def _token_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Accounts -------------------------------------------------------------------------------------


def add_account(
    db: Database,
    name: str,
    password: str,
    *,
    email: str | None = None,
    superuser: bool = False,
    sites: Sequence[str] = (),
    role: Role = Role.MODERATOR,
) -> AdminAccount:
    """A new moderator account, holding ``role`` on each of ``sites`` (all or nothing)."""
    name = name.strip()
    if not 1 <= len(name) <= 100 or any(c.isspace() for c in name):
        raise InvalidInput("An admin name is 1–100 characters without spaces.", field="name")
    account = AdminAccount(name=name, password_hash=_hash(password), email=email, superuser=superuser)
    with db.write() as session:
        if admins.account_by_name(session, name) is not None:
            raise Conflict(f"There is already an admin called “{name}”.")
        rows.save(session, account)
        for site_id in sites:
            _grant(session, site_id, role, account_name=name)
    return account


def set_password(db: Database, name: str, password: str) -> None:
    password_hash = _hash(password)
    with db.write() as session:
        account = _account(session, name)
        account.password_hash = password_hash
        rows.save(session, account)
        admins.delete_admin_sessions(session, account.id)  # type: ignore[arg-type]


@dataclass(frozen=True)
class AccountView:
    """An account as ``commentbox admin list`` shows it: never its password hash."""

    name: str
    email: str | None
    superuser: bool
    roles: tuple[tuple[str, str], ...]  # (site, role)
    created: datetime


def list_accounts(db: Database) -> list[AccountView]:
    with db.read() as session:
        return [
            AccountView(
                account.name,
                account.email,
                account.superuser,
                tuple((r.site_id, r.role) for r in admins.roles_of_account(session, account.id)),  # type: ignore[arg-type]
                account.created,
            )
            for account in admins.all_accounts(session)
        ]


def remove_account(db: Database, name: str) -> None:
    """Delete an account; its roles and sessions go with it (the foreign keys cascade, and
    the sessions are deleted first so that no cookie outlives the account on SQLite)."""
    with db.write() as session:
        account = _account(session, name)
        admins.delete_admin_sessions(session, account.id)  # type: ignore[arg-type]
        rows.remove(session, account)


def _hash(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise InvalidInput(f"Use a password of at least {MIN_PASSWORD_CHARS} characters.", field="password")
    return _hasher.hash(password)


def _account(session: Session, name: str) -> AdminAccount:
    account = admins.account_by_name(session, name)
    if account is None:
        raise NotFound(f"There is no admin called “{name}”.")
    return account


def authenticate(access: ModeratorAccess, name: str, password: str) -> AdminAccount | None:
    """The account if the password is right; ``None`` otherwise (same time either way)."""
    with access.db.write() as session:
        account = admins.account_by_name(session, name.strip())
        try:
            _hasher.verify(account.password_hash if account else _dummy_hash(), password)
        except (VerificationError, InvalidHashError):
            return None
        if account is None:
            return None
        if _hasher.check_needs_rehash(account.password_hash):
            account.password_hash = _hasher.hash(password)
            rows.save(session, account)
        return account


# Roles -----------------------------------------------------------------------------------------


def grant(
    db: Database,
    site_id: str,
    role: Role,
    *,
    account_name: str | None = None,
    provider: str | None = None,
    provider_user_id: str | None = None,
) -> SiteRole:
    """Make an admin account, or a provider identity, an owner or moderator of a site."""
    with db.write() as session:
        return _grant(session, site_id, role, account_name, provider, provider_user_id)


def _grant(
    session: Session,
    site_id: str,
    role: Role,
    account_name: str | None = None,
    provider: str | None = None,
    provider_user_id: str | None = None,
) -> SiteRole:
    get_site(session, site_id)
    if account_name:
        account = _account(session, account_name)
        found = admins.role_for_account(session, site_id, account.id)  # type: ignore[arg-type]
        row = found or SiteRole(site_id=site_id, account_id=account.id)
    elif provider and provider_user_id:
        provider, provider_user_id = provider.strip().lower(), provider_user_id.strip()
        if provider not in ("google", "twitter", "facebook") or not provider_user_id:
            raise InvalidInput("Name a provider (google, twitter, facebook) and a user id.", field="provider")
        found = admins.role_for_identity(session, site_id, provider, provider_user_id)
        row = found or SiteRole(site_id=site_id, provider=provider, provider_user_id=provider_user_id)
    else:
        raise InvalidInput("Name an admin account, or a provider and its user id.", field="account")
    row.role = role
    rows.save(session, row)
    return row


def revoke(db: Database, site_id: str, role_id: int) -> None:
    with db.write() as session:
        row = admins.role_by_id(session, role_id)
        if row is None or row.site_id != site_id:
            raise NotFound("That moderator is not on this site (any more).")
        rows.remove(session, row)


@dataclass(frozen=True)
class RoleView:
    id: int
    role: str
    who: str


def site_with_roles(db: Database, site_id: str) -> tuple[Site, list[RoleView]]:
    """A site and who moderates it, as its settings page shows them."""
    with db.read() as session:
        site = get_site(session, site_id)
        roles = [
            RoleView(row.id, row.role, name or f"{row.provider}:{row.provider_user_id}")  # type: ignore[arg-type]
            for row, name in admins.roles_of_site(session, site_id)
        ]
    return site, roles


def moderator_for(session: Session, account: AdminAccount) -> Moderator:
    roles = [(r.site_id, r.role) for r in admins.roles_of_account(session, account.id)]  # type: ignore[arg-type]
    return moderator_from_roles(account.name, roles, superuser=account.superuser, account_id=account.id)


def moderator_emails(session: Session, site_id: str) -> list[str]:
    """Where to send a site's moderator notifications: superusers, accounts and provider users
    with an email (a provider identity that never signed in has none yet, and one the site
    bans gets none). Action links from mail are checked against this list too."""
    return sorted(set(admins.moderator_emails(session, site_id, utcnow())))


# Sessions --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AdminSignIn:
    token: str  # for the cookie; never stored
    csrf: str
    expires_seconds: int


def open_session(access: ModeratorAccess, account: AdminAccount) -> AdminSignIn:
    with access.db.write() as session:
        return _open(session, account_id=account.id)


def open_provider_session(access: ModeratorAccess, profile: Profile) -> AdminSignIn:
    """Sign a provider identity in to ``/admin``: only one that a site names as its owner or
    moderator and does not ban (``Forbidden`` otherwise, and nothing is stored)."""
    with access.db.write() as session:
        if not admins.roles_of_identity(session, profile.provider, profile.provider_user_id, utcnow()):
            raise Forbidden(NOT_MODERATOR)
        user = user_sessions.upsert_user(session, profile)
        return _open(session, user_id=user.id)


def begin_signin(access: ModeratorAccess, provider: str, state: str) -> None:
    """Mark the OAuth flow with ``state`` as a sign-in to ``/admin`` (the provider's one
    callback serves the widget's flows too); single-use, and as short-lived as a login id."""
    expires = utcnow() + timedelta(seconds=access.login_ttl_seconds)
    with access.db.write() as session:
        users.put_oauth_state(session, SIGNIN_KEY + state_hash(state), provider, expires)


def is_signin(access: ModeratorAccess, state: str, provider: str) -> bool:
    """Whether ``state`` began an ``/admin`` sign-in with this provider. Only looked at, and
    left to expire: Authlib's state check spends the flow (once, in the browser holding its
    marker cookie), and a replay still lands on the admin pages' "already used" answer."""
    with access.db.read() as session:
        return users.oauth_state(session, SIGNIN_KEY + state_hash(state), utcnow()) == provider


def _open(session: Session, *, account_id: int | None = None, user_id: int | None = None) -> AdminSignIn:
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(hours=SESSION_HOURS)
    row = AdminSession(
        id=_token_id(token), account_id=account_id, user_id=user_id, csrf=csrf, expires=expires
    )
    rows.save(session, row)
    return AdminSignIn(token, csrf, SESSION_HOURS * 3600)


@dataclass(frozen=True)
class AdminContext:
    moderator: Moderator
    csrf: str
    name: str
    sites: Sequence[str]  # the sites this moderator may choose from in filters


def resolve_session(access: ModeratorAccess, token: str | None) -> AdminContext | None:
    """The moderator behind an ``/admin`` cookie, with the roles they hold *now* (a role
    taken away, or a ban of the provider identity on a site, ends their power there at the
    next request)."""
    if not token or len(token) > 200:
        return None
    with access.db.read() as session:
        row = admins.admin_session(session, _token_id(token), utcnow())
        if row is None:
            return None
        if row.account_id is not None:
            account = session.get(AdminAccount, row.account_id)
            moderator = moderator_for(session, account) if account else None
        else:
            user = users.user_by_id(session, row.user_id) if row.user_id is not None else None
            moderator = _provider_moderator(session, user) if user else None
        if moderator is None:
            return None
        sites = [s.id for s in rows.all_sites(session) if moderator.may_moderate(s.id)]
    return AdminContext(moderator, row.csrf, moderator.label, sites)


def _provider_moderator(session: Session, user: User) -> Moderator | None:
    found = admins.roles_of_identity(session, user.provider, user.provider_user_id, utcnow())
    roles = [(r.site_id, r.role) for r in found]
    if not roles:
        return None
    label = f"{user.name} ({PROVIDER_LABELS.get(user.provider, user.provider)})"
    return moderator_from_roles(label, roles, user_id=user.id)


def close_session(access: ModeratorAccess, token: str | None) -> None:
    if token:
        with access.db.write() as session:
            admins.delete_admin_session(session, _token_id(token))

"""Signed-in users and their sessions.

Users are keyed by (provider, provider user id) and never by email: two accounts with the
same address stay two people, and a guest who types someone's address gains nothing.

A session is a row bound to one site; its bearer token is an itsdangerous signature (own
salt) over the row id and the site id. The signature only proves we minted the token; the
row decides whether it still works, so logout and "sign out everywhere" take effect at once.
Expiry slides: a session used at least once per ``session_days`` stays alive.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from itsdangerous import BadSignature
from sqlmodel import Session

from commentbox.auth.base import Profile
from commentbox.domain.text import clean_name
from commentbox.domain.urls import same_origin
from commentbox.errors import Unauthorized
from commentbox.keys import Keys
from commentbox.store import rows, users, versions
from commentbox.store.db import Database
from commentbox.store.models import User, UserSession, utcnow

SESSION_SALT = "commentbox.session"
SLIDE_EVERY = timedelta(hours=1)  # refresh a session's expiry at most this often (one write)
MAX_NAME_CHARS = 200
MAX_AVATAR_CHARS = 2000
OTHER_SITE = "This sign-in belongs to another site. Sign in again here."
NOT_SIGNED_IN = "Your sign-in is not valid any more. Sign in again or comment as a guest."


@dataclass(frozen=True)
class UserSessions:
    """Where signed-in visitors' sessions live, the key that signs their bearer tokens, and
    how long one lasts without use."""

    db: Database
    keys: Keys
    session_days: int


@dataclass(frozen=True)
class SignedIn:
    """A live session: who, on which site."""

    user: User
    session_id: str
    site_id: str


def _clean_avatar(url: str | None) -> str | None:
    """Only an absolute http(s) address may become an ``<img src>``."""
    if not url or len(url) > MAX_AVATAR_CHARS or any(c.isspace() or c == "\\" for c in url):
        return None
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else None


def upsert_user(session: Session, profile: Profile) -> User:
    """Find the user by (provider, provider id) — creating it on first sign-in — and refresh
    the name, avatar and email the provider sent this time."""
    name = clean_name(profile.name)[:MAX_NAME_CHARS] or "Anonymous"
    avatar = _clean_avatar(profile.avatar)
    email = profile.email if profile.email and len(profile.email) <= 254 else None
    user = users.user_by_provider(session, profile.provider, profile.provider_user_id)
    if user is None:
        user = User(provider=profile.provider, provider_user_id=profile.provider_user_id, name=name)
    shown_before = (user.name, user.avatar) if user.id is not None else None
    user.name, user.avatar, user.email, user.updated = name, avatar, email, utcnow()
    rows.save(session, user)
    if shown_before is not None and shown_before != (name, avatar):
        # Threads are served from caches keyed by their version: the new name and avatar
        # must show there too, on every instance.
        versions.touch_threads_of_user(session, user.id)  # type: ignore[arg-type]
    return user


def open_session(user_sessions: UserSessions, session: Session, user: User, site_id: str) -> UserSession:
    now = utcnow()
    row = UserSession(
        id=secrets.token_urlsafe(32),
        user_id=user.id,  # type: ignore[arg-type]
        site_id=site_id,
        created=now,
        last_seen=now,
        expires=now + timedelta(days=user_sessions.session_days),
    )
    rows.save(session, row)
    return row


def session_token(user_sessions: UserSessions, session_id: str, site_id: str) -> str:
    return user_sessions.keys.serializer(SESSION_SALT).dumps({"s": session_id, "site": site_id})


def _claims(user_sessions: UserSessions, token: str) -> tuple[str, str]:
    try:
        data = user_sessions.keys.serializer(SESSION_SALT).loads(token)
    except BadSignature:
        raise Unauthorized(NOT_SIGNED_IN) from None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("s"), str)
        or not isinstance(data.get("site"), str)
    ):
        raise Unauthorized(NOT_SIGNED_IN)
    return data["s"], data["site"]


def token_site(user_sessions: UserSessions, token: str) -> str:
    """The site a (validly signed) token was issued for."""
    return _claims(user_sessions, token)[1]


def _live(row: UserSession | None, now: datetime) -> UserSession:
    if row is None or row.revoked is not None or row.expires <= now:
        raise Unauthorized(NOT_SIGNED_IN)
    return row


def resolve(
    user_sessions: UserSessions, token: str, site_id: str | None, origin: str | None = None
) -> SignedIn:
    """The live session behind a bearer token, for a request about ``site_id`` (sent, when
    ``origin`` is given, from a page on that origin).

    A token works only on the site it was issued for; a request that names no site cannot
    use one. Raises ``Unauthorized`` (401) for anything else, so the widget drops the token.
    """
    session_id, token_site = _claims(user_sessions, token)
    if site_id is None or token_site != site_id:
        raise Unauthorized(OTHER_SITE)
    now = utcnow()
    with user_sessions.db.read() as session:
        row = _live(users.session_by_id(session, session_id), now)
        user = users.user_by_id(session, row.user_id)
        site = rows.site_by_id(session, token_site)
    if origin is not None and (site is None or same_origin(origin) not in site.origins):
        raise Unauthorized(OTHER_SITE)
    if user is None:
        raise Unauthorized(NOT_SIGNED_IN)
    if now - row.last_seen > SLIDE_EVERY:
        with user_sessions.db.write() as session:
            fresh = _live(users.session_by_id(session, session_id), now)
            fresh.last_seen, fresh.expires = now, now + timedelta(days=user_sessions.session_days)
            rows.save(session, fresh)
    return SignedIn(user=user, session_id=session_id, site_id=token_site)


def logout(user_sessions: UserSessions, token: str, *, everywhere: bool = False) -> None:
    """Revoke the token's session, or (``everywhere``) every session of its user on every site."""
    session_id, _ = _claims(user_sessions, token)
    now = utcnow()
    with user_sessions.db.write() as session:
        row = _live(users.session_by_id(session, session_id), now)
        if everywhere:
            users.revoke_user_sessions(session, row.user_id, now)
        else:
            row.revoked = now
            rows.save(session, row)

"""Signed-in users, their sessions, login ids and the OAuth state of sign-ins in flight."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    delete,
    update,
)
from sqlmodel import Session, col, select

from commentbox.store.models import (
    Login,
    OAuthState,
    User,
    UserSession,
)

if TYPE_CHECKING:
    pass


def user_by_provider(session: Session, provider: str, provider_user_id: str) -> User | None:
    query = select(User).where(User.provider == provider, User.provider_user_id == provider_user_id)
    return session.exec(query).first()


def user_by_id(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def session_by_id(session: Session, session_id: str) -> UserSession | None:
    return session.get(UserSession, session_id)


def revoke_user_sessions(session: Session, user_id: int, now: datetime) -> int:
    """Revoke every live session of a user ("sign out everywhere"); return how many."""
    result = session.exec(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked == None)  # type: ignore[arg-type]  # noqa: E711
        .values(revoked=now)
    )
    return int(result.rowcount)


def login_by_id(session: Session, login_id: str, *, lock: bool = False) -> Login | None:
    return session.get(Login, login_id, with_for_update=lock)


def login_by_state_hash(session: Session, state_hash: str) -> Login | None:
    return session.exec(select(Login).where(Login.state_hash == state_hash)).first()


def put_oauth_state(session: Session, key: str, value: str, expires: datetime) -> None:
    session.merge(OAuthState(key=key, value=value, expires=expires))
    session.flush()


def oauth_state(session: Session, key: str, now: datetime) -> str | None:
    row = session.get(OAuthState, key)
    return row.value if row is not None and row.expires > now else None


def take_oauth_state(session: Session, key: str, now: datetime) -> str | None:
    """Read and delete in one statement, so a state is usable once even by racing callbacks."""
    statement = (
        delete(OAuthState)
        .where(col(OAuthState.key) == key)
        .returning(col(OAuthState.value), col(OAuthState.expires))
    )
    row = session.connection().execute(statement).first()
    if row is None or row.expires <= now:
        return None
    return str(row.value)


def delete_oauth_state(session: Session, key: str) -> None:
    session.exec(delete(OAuthState).where(col(OAuthState.key) == key))


def purge_expired_auth(session: Session, now: datetime) -> int:
    """Forget expired OAuth state and login ids, and sessions that ended (expired or revoked);
    returns how many sessions."""
    session.exec(delete(OAuthState).where(col(OAuthState.expires) < now))
    session.exec(delete(Login).where(col(Login.expires) < now))
    ended = session.exec(
        delete(UserSession).where(
            (col(UserSession.expires) < now) | (col(UserSession.revoked) != None)  # noqa: E711
        )
    )
    return int(ended.rowcount)

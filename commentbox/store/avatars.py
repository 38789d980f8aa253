"""Cached provider pictures (``avatar_cache``): one row per signed-in user."""

from __future__ import annotations

from sqlmodel import Session

from commentbox.store.models import AvatarCache


def cached_picture(session: Session, user_id: int) -> AvatarCache | None:
    return session.get(AvatarCache, user_id)


def keep_picture(session: Session, picture: AvatarCache) -> None:
    """Store ``picture`` in place of whatever was cached for its user."""
    session.merge(picture)
    session.flush()

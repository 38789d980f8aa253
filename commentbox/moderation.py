"""Whether a new comment is published at once or held, by the site's moderation mode."""

from __future__ import annotations

from sqlmodel import Session

from commentbox import store
from commentbox.identity import Visitor
from commentbox.models import CommentStatus, ModerationMode, Site


def initial_status(session: Session, site: Site, visitor: Visitor, email: str | None) -> CommentStatus:
    """``first-time`` trusts an identity after one approved comment; for a guest the identity is
    the email *and* the browser token together, since an email alone is only a claim."""
    mode = ModerationMode(site.moderation)
    if mode is ModerationMode.ALL:
        return CommentStatus.PENDING
    if mode is ModerationMode.GUESTS and visitor.user is None:
        return CommentStatus.PENDING
    if mode is ModerationMode.FIRST_TIME and not store.has_approved_comment(
        session,
        site.id,
        user_id=visitor.user.id if visitor.user else None,
        email=email,
        client_hash=visitor.client_hash,
    ):
        return CommentStatus.PENDING
    return CommentStatus.APPROVED

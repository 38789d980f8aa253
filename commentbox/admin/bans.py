"""Bans moderators set: on what a comment's sender is known by (sign-in, browser, email,
hashed address) or on an email address, for some days or for good, and lifting them.

Like ``actions``, each function checks the moderator's right to the ban's site first.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from commentbox.admin.actions import Moderation, Moderator, comment_for_moderator
from commentbox.errors import InvalidInput, NotFound
from commentbox.store import bans as stored_bans
from commentbox.store import rows as stored_rows
from commentbox.store.models import Ban, BanKind, utcnow


def _until(days: int | None) -> datetime | None:
    if days is None:
        return None
    if not 1 <= days <= 36500:
        raise InvalidInput("A ban lasts from 1 day to 100 years, or for good.", field="days")
    return utcnow() + timedelta(days=days)


def ban_from_comment(
    moderation: Moderation,
    moderator: Moderator,
    comment_id: int,
    kinds: Iterable[BanKind],
    days: int | None,
    reason: str = "",
) -> list[Ban]:
    """Ban what this comment's sender is known by: their sign-in, browser, email or address."""
    with moderation.db.write() as session:
        comment, thread = comment_for_moderator(session, moderator, comment_id)
        values = {
            BanKind.USER: str(comment.user_id) if comment.user_id else None,
            BanKind.CLIENT: comment.client_hash,
            BanKind.EMAIL: comment.author_email.lower() if comment.author_email else None,
            BanKind.IP: comment.ip_hash,
        }
        until = _until(days)
        bans = []
        for kind in kinds:
            value = values[kind]
            if value:
                ban = Ban(
                    site_id=thread.site_id,
                    kind=kind,
                    value=value,
                    until=until,
                    reason=reason[:300],
                    created_by=moderator.label,
                )
                stored_rows.save(session, ban)
                bans.append(ban)
        if not bans:
            raise InvalidInput("This comment carries nothing of that kind to ban.", field="kind")
    return bans


def ban_email(
    moderation: Moderation, moderator: Moderator, site_id: str, email: str, days: int | None, reason: str = ""
) -> Ban:
    moderator.require(site_id)
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise InvalidInput("Give an email address to ban.", field="email")
    with moderation.db.write() as session:
        ban = Ban(
            site_id=site_id, kind=BanKind.EMAIL, value=email, until=_until(days), reason=reason[:300],
            created_by=moderator.label,
        )  # fmt: skip
        stored_rows.save(session, ban)
    return ban


def bans(moderation: Moderation, moderator: Moderator) -> list[Ban]:
    with moderation.db.read() as session:
        return list(stored_bans.bans(session, moderator.sites, utcnow()))


def unban(moderation: Moderation, moderator: Moderator, ban_id: int) -> None:
    with moderation.db.write() as session:
        ban = stored_bans.ban_by_id(session, ban_id)
        if ban is None:
            raise NotFound("That ban does not exist (any more).")
        moderator.require(ban.site_id)
        stored_rows.remove(session, ban)

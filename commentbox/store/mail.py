"""The outbox, reply subscriptions, opt-outs and one-time tokens."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    update,
)
from sqlmodel import Session, col, select

from commentbox.store.models import (
    MailOptOut,
    OutboxMail,
    SpentToken,
    Subscription,
)
from commentbox.store.rows import save

if TYPE_CHECKING:
    pass


def mail_sent(session: Session, mail_id: int, now: datetime) -> None:
    session.exec(update(OutboxMail).where(col(OutboxMail.id) == mail_id).values(sent=now))


def mail_failed(
    session: Session, mail_id: int, *, attempts: int, next_attempt: datetime, error: str, give_up: bool
) -> None:
    session.exec(
        update(OutboxMail)
        .where(col(OutboxMail.id) == mail_id)
        .values(attempts=attempts, next_attempt=next_attempt, last_error=error, failed=give_up)
    )


def subscription_by_id(session: Session, subscription_id: int) -> Subscription | None:
    return session.get(Subscription, subscription_id)


def subscribers(session: Session, comment_id: int) -> Sequence[Subscription]:
    query = select(Subscription).where(Subscription.comment_id == comment_id, col(Subscription.confirmed))
    return session.exec(query).all()


def opted_out(session: Session, email: str, scope: str) -> bool:
    query = select(MailOptOut.email).where(
        MailOptOut.email == email.lower(), col(MailOptOut.scope).in_([scope, "all"])
    )
    return session.exec(query.limit(1)).first() is not None


def opt_out(session: Session, email: str, scope: str) -> None:
    if session.get(MailOptOut, (email.lower(), scope)) is None:
        save(session, MailOptOut(email=email.lower(), scope=scope))


def spend_token(session: Session, token_id: str) -> bool:
    """Record a one-time token as used; False if it was used before."""
    if session.get(SpentToken, token_id) is not None:
        return False
    save(session, SpentToken(id=token_id))
    return True

"""Being forgotten: everything of one person on one site erased in one transaction.

What goes (``erase``): every comment of theirs (a tombstone, "a former commenter", where
replies hang under it; otherwise the row), their votes and subscriptions, their sessions
on the site, and with the comments their email, website, IP and browser hashes. Every
thread touched moves its version, so caches on every instance drop it on the next read,
and each comment the public saw is announced as deleted to live readers (the same seam
moderation's removals use). Erasing a guest's address also erases the verified guest of
that address (``domain/guests.py``: a user whose id is the address's keyed hash), whose
comments were written signed in: a request by address covers everything written from that
mailbox, verified or not. The moderators' record (``erasure`` table) keeps when, at
whose request and how many comments — never what or whose.

One transaction, with the person's comments locked first: a post, reply or vote that
races the erasure commits wholly before it (and is erased) or wholly after it (and is
new, or refused because what it answers is gone); never half of each.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel
from sqlmodel import Session

from commentbox.domain import removal
from commentbox.domain.signins import MAIL_PROVIDER
from commentbox.domain.sites import get_site
from commentbox.errors import InvalidInput
from commentbox.keys import Keys
from commentbox.runtime.events import Events
from commentbox.store import privacy, users, versions
from commentbox.store.db import Database
from commentbox.store.models import Comment, CommentStatus, Site, utcnow
from commentbox.store.models import Erasure as ErasureRecord

MAX_EMAIL_CHARS = 254
BY_VISITOR = "the visitor"


@dataclass(frozen=True)
class Erasing:
    """The collaborators of an erasure: the database, the events that tell live readers, and
    the keys that find a verified guest by address."""

    db: Database
    events: Events
    keys: Keys


@dataclass(frozen=True)
class Identity:
    """One person on one site: a signed-in user (``user_id``) or a guest's address (``email``).

    The two never mix: a guest address never reaches a signed-in user's comments."""

    site_id: str
    user_id: int | None = None
    email: str | None = None

    @classmethod
    def guest(cls, site_id: str, email: str) -> Identity:
        email = email.strip()
        if "@" not in email or len(email) > MAX_EMAIL_CHARS or any(c.isspace() for c in email):
            raise InvalidInput("Give the email address the comments were written with.", field="email")
        return cls(site_id, email=email.lower())

    @classmethod
    def user(cls, site_id: str, user_id: int) -> Identity:
        return cls(site_id, user_id=user_id)

    @property
    def voter(self) -> str | None:
        """The key of their votes; a guest's votes are keyed by address, never by email."""
        return f"u:{self.user_id}" if self.user_id is not None else None


class Erased(BaseModel):
    """What an erasure removed, counted (the answer to the person and the moderator)."""

    comments: int
    tombstones: int
    votes: int
    subscriptions: int
    sessions: int


def count(erasing: Erasing, identity: Identity) -> int:
    """How many comments an erasure of ``identity`` would remove (asked before confirming)."""
    with erasing.db.read() as session:
        site = get_site(session, identity.site_id)
        return sum(
            len(privacy.comments_of(session, site.id, person.user_id, person.email))
            for person in _people(erasing, session, identity)
        )


def history(erasing: Erasing, site_id: str) -> list[ErasureRecord]:
    """The site's erasures, newest first: when, at whose request, how many comments."""
    with erasing.db.read() as session:
        return list(privacy.erasures(session, site_id))


def erase(erasing: Erasing, identity: Identity, requested_by: str = BY_VISITOR) -> Erased:
    """Erase everything of ``identity`` on its site (see the module's docstring); raises
    ``NotFound`` for an unknown site. Erasing someone with nothing stored is not an error:
    the answer counts zeros (and says nothing of whether they ever commented)."""
    erased = Erased(comments=0, tombstones=0, votes=0, subscriptions=0, sessions=0)
    removed: list[Comment] = []
    with erasing.db.write() as session:
        site = get_site(session, identity.site_id)
        for person in _people(erasing, session, identity):
            removed += _erase_rows(session, site, person, erased)
        privacy.record_erasure(session, site.id, requested_by, erased.comments, utcnow())
    _announce(erasing, site, removed)
    return erased


def _people(erasing: Erasing, session: Session, identity: Identity) -> list[Identity]:
    """``identity``, and for a guest's address the verified guest of that address too."""
    if identity.email is None:
        return [identity]
    verified = users.user_by_provider(session, MAIL_PROVIDER, erasing.keys.guest_key(identity.email))
    if verified is None or verified.id is None:
        return [identity]
    return [identity, Identity.user(identity.site_id, verified.id)]


def _erase_rows(session: Session, site: Site, identity: Identity, erased: Erased) -> list[Comment]:
    """Erase one person's rows in the caller's transaction, adding to ``erased``; returns the
    comments the public saw (to announce once the transaction has committed)."""
    theirs = privacy.comments_of(session, site.id, identity.user_id, identity.email, lock=True)
    ids = [c.id for c in theirs if c.id is not None]
    erased.subscriptions += privacy.delete_subscriptions(
        session, site.id, identity.user_id, identity.email, ids
    )
    removed = [c for c in theirs if c.status == CommentStatus.APPROVED]  # the public saw these
    # A reply of theirs under a comment of theirs goes too, so a conversation with
    # themselves leaves no tombstone behind.
    erased.tombstones += removal.remove_all(session, theirs)
    erased.comments += len(theirs)
    if identity.user_id is not None:
        assert identity.voter is not None
        touched = privacy.delete_votes(session, site.id, identity.voter)
        erased.votes += len(touched)
        for thread_id in {t for _, t in touched}:
            versions.touch_thread(session, thread_id)
        erased.sessions += privacy.delete_sessions(session, site.id, identity.user_id)
    return removed


def _announce(erasing: Erasing, site: Site, removed: list[Comment]) -> None:
    for comment in removed:
        erasing.events.emit("comment.deleted", comment=comment, site=site)

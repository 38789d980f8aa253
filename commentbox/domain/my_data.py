""" "My data": what commentbox holds about one person on one site, and what they may do with it.

The shapes below are the documented download (``GET /api/v1/me/data``, the page's
Download button; docs/privacy.md shows an example). Unlike every public shape they carry
the person's own email and the text of their held and removed comments: they are only
ever answered to that person's session.

The person is a session's identity (``Identity.user``): a signed-in user today, and a
verified guest tomorrow, whose session is of the same kind.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from commentbox.domain.erasure import Identity
from commentbox.domain.sites import get_site
from commentbox.errors import NotFound
from commentbox.store import privacy, users
from commentbox.store.db import Database
from commentbox.store.models import utcnow


class EraseRequest(BaseModel):
    """``POST /api/v1/me/erase``: ``confirm`` must say ``erase``, so no stray request erases."""

    site: str = Field(min_length=1, max_length=64)
    confirm: Literal["erase"]


class PageRequest(BaseModel):
    """``POST /api/v1/me/page``: the site whose "My data" page to open."""

    site: str = Field(min_length=1, max_length=64)


class PageLink(BaseModel):
    """Where to send the visitor: the page, with a one-time ticket valid until ``expires``."""

    url: str
    expires: datetime


class MyIdentity(BaseModel):
    kind: str  # "user"
    name: str
    provider: str
    email: str | None = None
    avatar: str | None = None


class MyComment(BaseModel):
    """One comment in any status: ``approved``, ``pending`` (held), ``spam`` (held as spam),
    ``deleted`` (a tombstone under replies: its text is already gone)."""

    id: int
    url: str
    title: str
    parent: int | None
    status: str
    body: str  # the Markdown source as written (or last edited)
    name: str
    email: str | None
    website: str | None
    score: int
    created: datetime
    edited: datetime | None


class MyVote(BaseModel):
    comment: int
    url: str
    value: int
    created: datetime


class MySubscription(BaseModel):
    id: int
    comment: int
    url: str
    email: str
    confirmed: bool
    created: datetime


class MySession(BaseModel):
    """A sign-in on this site; ``id`` is a handle for signing it out, not the token."""

    id: str
    created: datetime
    last_seen: datetime
    expires: datetime
    revoked: datetime | None
    current: bool


class MyData(BaseModel):
    site: str
    site_name: str
    generated: datetime
    identity: MyIdentity
    comments: list[MyComment]
    votes: list[MyVote]
    subscriptions: list[MySubscription]
    sessions: list[MySession]


def session_handle(session_id: str) -> str:
    """A session's public handle: names it on the page without giving away its id."""
    return hashlib.sha256(f"handle:{session_id}".encode()).hexdigest()[:20]


def my_data(db: Database, identity: Identity, current_session: str | None = None) -> MyData:
    """Everything about ``identity`` (a user) on its site, for that user only."""
    assert identity.user_id is not None and identity.voter is not None
    site_id, user_id = identity.site_id, identity.user_id
    with db.read() as session:
        site = get_site(session, site_id)
        user = users.user_by_id(session, user_id)
        if user is None:
            raise NotFound("This account does not exist any more.")
        found = privacy.comment_rows_of(session, site_id, user_id, None)
        votes = privacy.votes_of(session, site_id, identity.voter)
        subscriptions = privacy.subscriptions_of(session, site_id, user_id, None)
        sessions = privacy.sessions_of(session, site_id, user_id)
    return MyData(
        site=site.id,
        site_name=site.name,
        generated=utcnow(),
        identity=MyIdentity(
            kind="user", name=user.name, provider=user.provider, email=user.email, avatar=user.avatar
        ),
        comments=[
            MyComment(
                id=c.id,
                url=c.url,
                title=c.title,
                parent=c.parent_id,
                status=c.status,
                body=c.body,
                name=c.author_name or user.name,
                email=c.author_email,
                website=c.author_website,
                score=c.score,
                created=c.created,
                edited=c.edited,
            )
            for c in found
        ],
        votes=[MyVote(comment=v.comment_id, url=v.url, value=v.value, created=v.created) for v in votes],
        subscriptions=[
            MySubscription(
                id=s.id,
                comment=s.comment_id,
                url=s.url,
                email=s.email,
                confirmed=s.confirmed,
                created=s.created,
            )
            for s in subscriptions
        ],
        sessions=[
            MySession(
                id=session_handle(s.id),
                created=s.created,
                last_seen=s.last_seen,
                expires=s.expires,
                revoked=s.revoked,
                current=s.id == current_session,
            )
            for s in sessions
        ],
    )


def unsubscribe_all(db: Database, identity: Identity) -> int:
    """Stop every reply notification of the person on the site; returns how many stopped."""
    with db.write() as session:
        get_site(session, identity.site_id)
        return privacy.delete_subscriptions(session, identity.site_id, identity.user_id, identity.email)


def sign_out_session(db: Database, identity: Identity, handle: str) -> None:
    """Revoke one of the user's sessions on the site, named by its handle (``NotFound`` for
    a handle that is not one of theirs: another person's session is never reached)."""
    assert identity.user_id is not None
    now = utcnow()
    with db.write() as session:
        for row in privacy.sessions_of(session, identity.site_id, identity.user_id):
            if session_handle(row.id) == handle and row.revoked is None:
                row.revoked = now
                session.add(row)
                return
    raise NotFound("That sign-in is not one of yours, or has ended already.")

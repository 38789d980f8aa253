"""Taking a Webmention or a pingback: the checks that need no fetch, then a queued claim.

``receive`` refuses at once what can be refused without visiting the source (linkbacks off,
a target that is not a thread of this site, a source that is not an http(s) URL or is the
target itself, a source host over its budget, a site whose queue is full) and otherwise
stores the claim for the verifier (``verifying.py``). Nothing reaches the thread before the
source has been fetched and shown to link here.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from pydantic import BaseModel, Field

from commentbox.domain.sites import get_site
from commentbox.domain.text import has_control
from commentbox.domain.urls import InvalidURL, canonical_url, origin_of
from commentbox.errors import LinkbackRefused, NotFound, RateLimited
from commentbox.outbound.fetch import Fetcher
from commentbox.runtime.events import Events
from commentbox.runtime.pump import Pump
from commentbox.runtime.ratelimit import RateLimiter
from commentbox.store import linkbacks as stored
from commentbox.store.db import Database
from commentbox.store.models import CommentStatus, Linkback, LinkbackKind, LinkbackState, Site, Thread, utcnow

MAX_URL_CHARS = 2000
# Claims of one site waiting for the verifier: beyond this, new ones are refused until it
# catches up (a flood from many hosts fills no queue without end).
MAX_QUEUED_PER_SITE = 200
CLAIM_SECONDS = 120  # a claimed row is tried again after this if its verifier died mid-fetch


@dataclass
class Linkbacks:
    """What receiving and verifying linkbacks need. ``pump`` runs the verifier
    (``verifier.py`` builds it); ``host_limits`` is the per-source-host budget."""

    db: Database
    fetcher: Fetcher
    limiter: RateLimiter
    events: Events
    host_limits: str
    retry_seconds: float
    pump: Pump | None = None


@dataclass(frozen=True)
class Target:
    """A claim that passed the checks: its site and thread, and its URLs as given (trimmed)."""

    site: Site
    thread: Thread
    source: str
    target: str


class WebmentionSent(BaseModel):
    """``POST /webmention/{site}``, form-encoded as the Webmention spec says."""

    source: str = Field(description="the page that links to the target (http or https)")
    target: str = Field(description="a page of this site that has a discussion here")


class LinkbackStatus(BaseModel):
    """``GET /webmention/{site}/{token}``: where verifying a Webmention stands.
    ``status`` is queued, published, held (for a moderator), refused or removed."""

    status: str
    source: str
    target: str
    reason: str | None = None


def _url(value: str, field: str) -> str:
    value = value.strip()
    if not value or len(value) > MAX_URL_CHARS or has_control(value):
        raise LinkbackRefused(
            f"The {field} must be an http or https URL of at most {MAX_URL_CHARS} characters."
        )
    try:
        origin_of(value)
    except InvalidURL:
        raise LinkbackRefused(f"The {field} must be an http or https URL.") from None
    return value


def find_target(db: Database, site_id: str, source: str, target: str) -> Target:
    """The thread a claim names, or ``LinkbackRefused`` saying why it is not one we take."""
    source, target = _url(source, "source"), _url(target, "target")
    with db.read() as session:
        site = get_site(session, site_id)
        if not site.linkbacks:
            raise LinkbackRefused("This site does not take Webmentions or pingbacks.")
        try:
            key = canonical_url(target, frozenset(site.query_params))
        except InvalidURL:
            raise LinkbackRefused("The target must be an http or https URL.") from None
        if origin_of(key) not in site.origins:
            raise LinkbackRefused("The target is not a page of this site.")
        try:
            same = canonical_url(source, frozenset(site.query_params)) == key
        except InvalidURL:
            raise LinkbackRefused("The source must be an http or https URL.") from None
        if same:
            raise LinkbackRefused("The source and the target are the same page.")
        thread = stored.thread_for_target(session, site.id, key)
        if thread is None:
            raise LinkbackRefused("The target page has no discussion here.")
    return Target(site=site, thread=thread, source=source, target=target)


def charge(linkbacks: Linkbacks, site_id: str, source: str) -> None:
    """One claim against the source host's budget and the site's queue, or ``RateLimited``."""
    host = (urlsplit(source).hostname or "").lower()
    if not linkbacks.limiter.within(linkbacks.host_limits, "linkback", host):
        seconds = linkbacks.limiter.retry_after(linkbacks.host_limits, "linkback", host)
        raise RateLimited("This source's site sent more linkbacks than this server takes for now.", seconds)
    with linkbacks.db.read() as session:
        queued = stored.queued_count(session, site_id)
    if queued >= MAX_QUEUED_PER_SITE:
        raise RateLimited("Too many linkbacks wait to be checked; send it again later.", 600)


def enqueue(linkbacks: Linkbacks, found: Target, kind: LinkbackKind, *, verify_now: bool = False) -> Linkback:
    """Store the claim for the verifier (a re-sent one re-queues its row) and wake it; with
    ``verify_now`` the caller verifies it itself (a pingback), so the background verifier
    leaves it alone unless the caller dies before it is done."""
    now = utcnow()
    with linkbacks.db.write() as session:
        row = stored.linkback_for(session, found.thread.id, found.source)  # type: ignore[arg-type]
        if row is None:
            row = Linkback(
                token=secrets.token_urlsafe(18),
                site_id=found.site.id,
                thread_id=found.thread.id,  # type: ignore[arg-type]
                source=found.source,
                target=found.target,
            )
        row.kind, row.target, row.state, row.reason = kind, found.target, LinkbackState.QUEUED, ""
        row.attempts, row.updated = 0, now
        row.next_attempt = now + timedelta(seconds=CLAIM_SECONDS) if verify_now else now
        session.add(row)
        session.flush()
        session.expunge(row)
    if linkbacks.pump is not None and not verify_now:
        linkbacks.pump.wake()
    return row


def receive_webmention(linkbacks: Linkbacks, site_id: str, source: str, target: str) -> Linkback:
    """``POST /webmention/{site}``: checked, charged and queued (answered 202 by the caller)."""
    found = find_target(linkbacks.db, site_id, source, target)
    charge(linkbacks, found.site.id, found.source)
    return enqueue(linkbacks, found, LinkbackKind.WEBMENTION)


def status(linkbacks: Linkbacks, site_id: str, token: str) -> LinkbackStatus:
    """``GET /webmention/{site}/{token}``: a verified claim is "published" or "held" as its
    comment is (a moderator's spam verdict reads as held: the sender learns no more)."""
    with linkbacks.db.read() as session:
        row = stored.linkback_by_token(session, token[:40])
        if row is None or row.site_id != site_id:
            raise NotFound("There is no Webmention with this status address.")
        shown = row.state
        if row.state == LinkbackState.VERIFIED:
            comment_status = stored.comment_status(session, row.comment_id)
            shown = "published" if comment_status == CommentStatus.APPROVED else "held"
        return LinkbackStatus(status=shown, source=row.source, target=row.target, reason=row.reason or None)

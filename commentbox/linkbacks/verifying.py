"""Verifying a linkback: fetch its source through the safe fetcher, read it, and show it in
the thread (or take it away).

Outcomes, as the Webmention spec and WordPress' pingbacks treat them:
- the source links here → its comment is added (held for a moderator unless the site
  publishes linkbacks at once) or, for a re-sent one, updated in place;
- the source answers 404/410, or no longer links → a comment it had is removed;
- the source cannot be fetched for a passing reason (unreachable, too slow, a 5xx) → retried
  later with backoff, a few times; any other refusal (a private address, not HTML, over
  1 MiB) is final. The reason kept is the fetcher's generic sentence, never an address.
"""

from __future__ import annotations

import logging
import secrets
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from commentbox.domain.markup import escape_markdown, render_markdown
from commentbox.domain.urls import InvalidURL, canonical_url
from commentbox.linkbacks.receiving import Linkbacks
from commentbox.linkbacks.source import SourceFacts, read_source
from commentbox.outbound.fetch import BROKEN, TOO_SLOW, UNREACHABLE, Fetched, FetchRefused
from commentbox.store import linkbacks as stored
from commentbox.store import rows
from commentbox.store.models import Comment, CommentStatus, Linkback, LinkbackState, Site, Thread, utcnow

log = logging.getLogger(__name__)

ACCEPT = frozenset({"text/html", "application/xhtml+xml"})
MAX_BYTES = 1 << 20
MAX_ATTEMPTS = 4
_PASSING = frozenset({UNREACHABLE, TOO_SLOW, BROKEN})
NOT_FOUND = "the source page does not exist"
NO_LINK = "the source page does not link to the target"


class Outcome(StrEnum):
    SHOWN = "shown"
    NOT_FOUND = "not-found"  # 404/410, or refused by the fetcher for good
    NO_LINK = "no-link"
    RETRY = "retry"


@dataclass(frozen=True)
class Verified:
    outcome: Outcome
    reason: str = ""


def _links_here(site: Site, thread: Thread, target: str) -> set[str]:
    keys = {thread.key, thread.url}
    with suppress(InvalidURL):  # the site's rules changed since it was received
        keys.add(canonical_url(target, frozenset(site.query_params)))
    return keys


def _read(site: Site, thread: Thread, row: Linkback, fetched: Fetched) -> SourceFacts | None:
    keys = _links_here(site, thread, row.target)

    def links_here(href: str) -> bool:
        try:
            return canonical_url(href, frozenset(site.query_params)) in keys
        except InvalidURL:
            return False

    return read_source(fetched.text(), fetched.url, links_here)


def _comment_values(facts: SourceFacts, source: str, since: datetime, now: datetime) -> dict[str, object]:
    """The comment's columns. It takes its place in the thread at the h-entry's published
    time if that falls between the thread's start and now, else at the time it arrived."""
    body = escape_markdown(facts.excerpt) if facts.excerpt else escape_markdown(facts.title)
    published = facts.published if facts.published is not None and since < facts.published <= now else now
    return {
        "author_name": facts.title,
        "author_website": source,
        "body": body,
        "html": render_markdown(body),
        "created": published,
        "nonce": secrets.token_hex(16),
    }


def verify(linkbacks: Linkbacks, linkback_id: int) -> Verified:
    """Fetch and read one claim's source, then record what it showed (one transaction)."""
    with linkbacks.db.read() as session:
        row = stored.linkback_by_id(session, linkback_id)
        if row is None:
            return Verified(Outcome.NOT_FOUND, NOT_FOUND)
        site = rows.site_by_id(session, row.site_id)
        thread = session.get(Thread, row.thread_id)
    if site is None or thread is None:
        return Verified(Outcome.NOT_FOUND, NOT_FOUND)
    try:
        fetched = linkbacks.fetcher.get(row.source, accept=ACCEPT, max_bytes=MAX_BYTES)
    except FetchRefused as refused:
        outcome = Outcome.RETRY if refused.reason in _PASSING else Outcome.NOT_FOUND
        return _record(linkbacks, row, site, Verified(outcome, refused.reason), thread)
    if fetched.status in (404, 410):
        return _record(linkbacks, row, site, Verified(Outcome.NOT_FOUND, NOT_FOUND), thread)
    if fetched.status >= 500:
        return _record(linkbacks, row, site, Verified(Outcome.RETRY, UNREACHABLE), thread)
    if not 200 <= fetched.status < 300:
        return _record(linkbacks, row, site, Verified(Outcome.NOT_FOUND, NOT_FOUND), thread)
    facts = _read(site, thread, row, fetched)
    if facts is None:
        return _record(linkbacks, row, site, Verified(Outcome.NO_LINK, NO_LINK), thread)
    return _record(linkbacks, row, site, Verified(Outcome.SHOWN), thread, facts)


def _record(
    linkbacks: Linkbacks,
    claim: Linkback,
    site: Site,
    verified: Verified,
    thread: Thread,
    facts: SourceFacts | None = None,
) -> Verified:
    """Store what verifying showed: a retry, the comment shown or updated, or taken away."""
    now = utcnow()
    announce: tuple[Comment, str] | None = None
    with linkbacks.db.write() as session:
        row = stored.linkback_by_id(session, claim.id)  # type: ignore[arg-type]
        if row is None:
            return verified
        row.updated, row.reason, row.attempts = now, verified.reason, row.attempts + 1
        if verified.outcome is Outcome.RETRY:
            if row.attempts < MAX_ATTEMPTS:
                row.next_attempt = now + timedelta(seconds=linkbacks.retry_seconds * 4 ** (row.attempts - 1))
            else:  # given up: what was shown stays (the source may only be down for a while)
                row.state = LinkbackState.VERIFIED if row.comment_id is not None else LinkbackState.REFUSED
            session.add(row)
            return verified
        key = stored.source_key(thread.key, row.source)
        if facts is not None:
            status = CommentStatus.APPROVED if site.publish_linkbacks else CommentStatus.PENDING
            values = _comment_values(facts, row.source, thread.created, now)
            comment, new = stored.show(session, row, key, values, status)
            row.comment_id, row.state, row.author_name = comment.id, LinkbackState.VERIFIED, facts.author
            announce = (comment, "comment.created" if new else "comment.edited")
            linkbacks.events.within(  # the webhook outbox: queued with the linkback, or not at all
                session.connection(),
                "linkback.received",
                site_id=site.id,
                linkback={
                    "linkback_id": row.id,
                    "kind": claim.kind,
                    "source": claim.source,
                    "title": facts.title,
                    "excerpt": facts.excerpt,
                    "author_name": facts.author,
                    "status": status.value,
                    "received": now.isoformat().replace("+00:00", "Z"),
                    "thread_url": thread.url,
                },
            )
        else:
            removed = stored.hide(session, row, key)
            row.state = LinkbackState.REMOVED if removed else LinkbackState.REFUSED
            announce = (removed, "comment.deleted") if removed else None
            if removed:  # the webhook outbox hears of what was shown and is now taken away
                linkbacks.events.within(
                    session.connection(),
                    "linkback.deleted",
                    site_id=site.id,
                    linkback={
                        "linkback_id": row.id,
                        "kind": claim.kind,
                        "source": claim.source,
                        "comment_id": removed.id,
                        "reason": verified.reason,
                        "deleted": now.isoformat().replace("+00:00", "Z"),
                        "thread_url": thread.url,
                    },
                )
        session.add(row)
    if announce is not None:  # after the commit, as every listener expects
        comment, event = announce
        linkbacks.events.emit(event, comment=comment, site=site)
        if event != "comment.deleted":
            linkbacks.events.emit(
                "linkback.received", comment=comment, site=site, kind=claim.kind, source=claim.source
            )
    log.info("linkback %s: %s %s", claim.id, verified.outcome, verified.reason)
    return verified

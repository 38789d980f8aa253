"""Whether a write is refused, held for a moderator, or published.

Every write (a new comment *and* an edit — spammers post clean text and edit links in
later) passes the layers in this order: rate limits (``charge``); honeypot and form timing
(new comments only); links (too many: refused; nothing but links: held, ``hold_link_only``);
blocked words and names; Akismet when configured; for new comments the budgets across
addresses (``budgets.py``); then the layers that need the database: bans, closed threads,
duplicates, and the cap on new threads. A refusal raises a domain
error that explains itself and nothing is stored; a hold returns ``PENDING`` (or ``SPAM``
on Akismet's word), and the comment is stored with that status. Akismet runs *before*
the write transaction, so a slow Akismet never holds a database lock; a new comment's
database layers are one read inside that transaction (``store.standing``), so a post costs
one transaction, not two.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Connection
from sqlmodel import Session

from commentbox.domain import budgets, spam
from commentbox.domain.akismet import AkismetQuery, Verdict
from commentbox.domain.visitors import Visitor
from commentbox.errors import Conflict, Forbidden, InvalidInput
from commentbox.store import bans, comments, posting
from commentbox.store.models import BanKind, CommentStatus, ModerationMode, Site, Thread, utcnow

if TYPE_CHECKING:  # only for annotations: keys, Akismet and the limiter are passed in
    from commentbox.domain.akismet import Akismet
    from commentbox.keys import Keys
    from commentbox.runtime.ratelimit import RateLimiter

DUPLICATE_WINDOW = timedelta(hours=24)
CLOSED = "This discussion is closed to new comments."
DUPLICATE = "You have already posted this comment. Write something new, or edit the one you sent."


@dataclass(frozen=True)
class Screens:
    """The collaborators of screening: rate limits, the keys behind hashed identities, and
    Akismet when the site owner configured it."""

    keys: Keys
    rate_limiter: RateLimiter
    akismet: Akismet | None
    base_url: str


@dataclass(frozen=True)
class Draft:
    """A comment's text and author as they would be stored (``html`` already sanitized)."""

    body: str
    html: str
    name: str
    email: str | None
    website: str | None
    permalink: str
    parent_id: int | None = None
    comment_id: int | None = None  # set when editing


def needs_trust(site: Site) -> bool:
    """Whether the write path must ask if the author already has an approved comment."""
    return ModerationMode(site.moderation) is ModerationMode.FIRST_TIME


def initial_status(site: Site, visitor: Visitor, *, trusted: bool) -> CommentStatus:
    """``first-time`` trusts an identity after one approved comment (``trusted``); for a guest
    the identity is the email *and* the browser token together, since an email alone is only a
    claim (``store.standing`` asks exactly that)."""
    mode = ModerationMode(site.moderation)
    if mode is ModerationMode.ALL:
        return CommentStatus.PENDING
    if mode is ModerationMode.GUESTS and visitor.user is None:
        return CommentStatus.PENDING
    if mode is ModerationMode.FIRST_TIME and not trusted:
        return CommentStatus.PENDING
    return CommentStatus.APPROVED


def stricter(status: CommentStatus, screened: CommentStatus | None) -> CommentStatus:
    """Combine the mode's decision with the spam layers': spam over pending over approved."""
    if screened is None or status is CommentStatus.SPAM:
        return status
    if screened is CommentStatus.SPAM:
        return screened
    return CommentStatus.PENDING if CommentStatus.PENDING in (status, screened) else status


def stricter_hold(first: CommentStatus | None, second: CommentStatus | None) -> CommentStatus | None:
    """The stricter of two layers' holds, where None means the layer holds nothing."""
    if first is None or second is None:
        return first or second
    return stricter(first, second)


def charge(screens: Screens, visitor: Visitor, email: str | None, action: str) -> None:
    """The rate limits, first of all layers (429 with ``Retry-After``)."""
    screens.rate_limiter.hit(action, rate_keys(screens, visitor, email))


def screen_post(
    screens: Screens,
    site: Site,
    draft: Draft,
    visitor: Visitor,
    facts: spam.RequestFacts,
    *,
    honeypot: str | None,
    form_token: str | None,
    thread_key: str,
) -> CommentStatus | None:
    """The layers of a new comment that need no database (after ``charge``); the write
    transaction then applies ``check_standing``. Returns the hold a layer demands, if any:
    the content's, Akismet's, or the budgets across addresses (``budgets.py``)."""
    spam.check_honeypot(honeypot)
    spam.check_form_token(screens.keys, site.id, form_token, site.min_post_seconds)
    limiter = screens.rate_limiter
    held = stricter_hold(
        _screen(screens, site, draft, visitor, facts), budgets.same_text_hold(limiter, site, draft.body)
    )
    return stricter_hold(held, budgets.burst_hold(limiter, site, thread_key))


def check_standing(
    connection: Connection, site: Site, found: posting.Standing, parent_id: int | None
) -> None:
    """The database's layers for a new comment, from the one read ``store.standing`` made."""
    if parent_id is not None and (found.thread_id is None or found.parent_thread_id != found.thread_id):
        raise InvalidInput("The comment you reply to is not in this thread.", field="parent")
    if found.ban_id is not None:
        raise _banned(bans.ban_until(connection, found.ban_id))
    if found.thread_id is not None and (found.locked or found.too_old):
        raise Forbidden(CLOSED)
    if found.duplicate:
        raise Conflict(DUPLICATE)


def screen_edit(
    screens: Screens,
    session: Session,
    site: Site,
    thread: Thread,
    draft: Draft,
    visitor: Visitor,
    facts: spam.RequestFacts,
) -> CommentStatus | None:
    """Every layer for an edit (after ``charge``; no form token: the widget's edit box has none)."""
    check_bans(session, site, visitor, draft.email)
    _check_open(site, thread.locked, thread.created)
    if comments.recent_duplicate(
        session,
        thread.id,  # type: ignore[arg-type]
        draft.parent_id,
        spam.text_hash(draft.body),
        since=utcnow() - DUPLICATE_WINDOW,
        user_id=visitor.user.id if visitor.user else None,
        email=draft.email,
        exclude_id=draft.comment_id,
    ):
        raise Conflict(DUPLICATE)
    return _screen(screens, site, draft, visitor, facts)


def _screen(
    screens: Screens, site: Site, draft: Draft, visitor: Visitor, facts: spam.RequestFacts
) -> CommentStatus | None:
    spam.check_links(draft.body, draft.html, site.max_links)
    spam.check_blocked(
        words=site.blocked_words,
        names=site.blocked_names,
        body=draft.body,
        name=draft.name,
        extra=[x for x in (draft.email, draft.website) if x],
    )
    held = CommentStatus.PENDING if site.hold_link_only and spam.link_only(draft.body, draft.html) else None
    return stricter_hold(held, _akismet(screens, site, draft, visitor, facts))


def rate_keys(screens: Screens, visitor: Visitor, email: str | None) -> list[str]:
    """Budgets a write is charged to: the client's IP hash and each identity it claims."""
    keys = [f"ip:{visitor.ip_hash}"]
    if visitor.user is not None:
        keys.append(f"user:{visitor.user.id}")
    else:
        if visitor.client_hash:
            keys.append(f"client:{visitor.client_hash}")
        if email:
            keys.append("email:" + screens.keys.hash_client("email|" + email.lower()))
    return keys


def ban_keys(visitor: Visitor, email: str | None) -> dict[BanKind, str]:
    """What a ban may name for this writer, by kind."""
    keys = {BanKind.IP: visitor.ip_hash}
    if visitor.user is not None:
        keys[BanKind.USER] = str(visitor.user.id)
    if visitor.client_hash:
        keys[BanKind.CLIENT] = visitor.client_hash
    if email:
        keys[BanKind.EMAIL] = email.lower()
    return keys


def check_bans(session: Session, site: Site, visitor: Visitor, email: str | None) -> None:
    keys = [(kind.value, value) for kind, value in ban_keys(visitor, email).items()]
    ban = bans.active_ban(session, site.id, keys, utcnow())
    if ban is not None:
        raise _banned(ban.until)


def _banned(until: datetime | None) -> Forbidden:
    ending = f" until {until:%Y-%m-%d %H:%M} UTC" if until else ""
    return Forbidden(f"You cannot comment on this site{ending}.")


def closed(site: Site, locked: bool, created: datetime) -> bool:
    """Locked by a moderator, or older than the site's ``close_after_days``."""
    if locked:
        return True
    return site.close_after_days is not None and utcnow() - created > timedelta(days=site.close_after_days)


def closed_before(site: Site, now: datetime) -> datetime | None:
    """Threads created before this are closed by age (None: the site closes none)."""
    return None if site.close_after_days is None else now - timedelta(days=site.close_after_days)


def _check_open(site: Site, locked: bool, created: datetime) -> None:
    if closed(site, locked, created):
        raise Forbidden(CLOSED)


def _akismet(
    screens: Screens, site: Site, draft: Draft, visitor: Visitor, facts: spam.RequestFacts
) -> CommentStatus | None:
    if screens.akismet is None:
        return None
    verdict = screens.akismet.check(
        AkismetQuery(
            blog=site.origins[0] if site.origins else screens.base_url,
            user_ip=facts.ip,
            user_agent=facts.user_agent,
            referrer=facts.referrer,
            permalink=draft.permalink,
            author=draft.name,
            author_email=draft.email or (visitor.user.email if visitor.user and visitor.user.email else ""),
            author_url=draft.website or "",
            content=draft.body,
        )
    )
    if verdict is Verdict.DISCARD:
        raise InvalidInput("This comment was recognized as spam and was not accepted.", field="body")
    if verdict is Verdict.SPAM:
        return CommentStatus.SPAM
    if verdict is Verdict.UNKNOWN:
        return CommentStatus.PENDING
    return None

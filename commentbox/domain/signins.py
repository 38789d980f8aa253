"""One-time login ids: how a token gets from the provider's callback to the page that asked.

The page asks for an id (``issue``) as it opens the popup; the popup starts the provider's
flow with it (``begin``); the callback completes it with a new session (``complete``) or a
failure sentence (``fail``); the page collects the token once (``redeem``), by polling or
after a full-page redirect. An id lives ``login_ttl_seconds``, names the exact origin the
token may be handed to, and is spent by its first successful redemption.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

from sqlmodel import Session

from commentbox.auth.base import Profile
from commentbox.domain import user_sessions
from commentbox.domain.sites import get_site
from commentbox.domain.urls import InvalidURL, origin_of, same_origin
from commentbox.errors import CommentboxError, Forbidden, Gone, InvalidInput, NotFound
from commentbox.runtime.ratelimit import RateLimiter
from commentbox.store import rows, users
from commentbox.store.db import Database
from commentbox.store.models import Login, LoginStatus, User, utcnow

LOGIN_FRAGMENT = "commentbox-login"
LOGIN_ID = re.compile(r"^[A-Za-z0-9_-]{20,64}$")  # what secrets.token_urlsafe(32) makes
UNKNOWN = "This sign-in request is unknown. Close this window and start again from the page."
TOO_LATE = "This sign-in took too long and has expired. Close this window and start again."
USED = "This sign-in was already used. Close this window and start again if you need to."
REPLACED = "A newer link was sent for this sign-in. Open the latest email, or start again."
MAIL_PROVIDER = "email"  # verified guests: the "provider" is their mailbox (``domain/guests.py``)


@dataclass(frozen=True)
class SignIns:
    """A sign-in in flight: where login ids live, how long one waits, what limits their
    issue, and the sessions a completed one opens."""

    db: Database
    user_sessions: user_sessions.UserSessions
    ttl_seconds: int
    limiter: RateLimiter | None


class SignInFailed(CommentboxError):
    """The provider part of a sign-in failed; ``detail`` says why, in one sentence."""

    code, title = "sign-in-failed", "Sign-in failed"


@dataclass(frozen=True)
class Issued:
    login: str
    expires: datetime


@dataclass(frozen=True)
class Pending:
    """What the callback needs to know about a login id before finishing it."""

    id: str
    site_id: str
    origin: str
    provider: str | None
    return_to: str | None


@dataclass(frozen=True)
class Redeemed:
    token: str
    user: User


def state_hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def issue(signins: SignIns, site_id: str, origin: str, request_origin: str | None, client_key: str) -> Issued:
    """A new login id for a page on ``origin``, which must be registered for the site.

    ``client_key`` (the keyed hash of the client's address) is charged against the login
    rate limit, so a flood of ids is refused with 429 before anything is written.
    """
    normalized = same_origin(origin)
    now = utcnow()
    if signins.limiter is not None:
        signins.limiter.hit("login", [client_key])
    with signins.db.write() as session:
        site = get_site(session, site_id)
        if normalized not in site.origins:
            raise Forbidden("This page's origin is not registered for this site.")
        if request_origin is not None and same_origin(request_origin) != normalized:
            raise Forbidden("A page may only ask to sign in for its own origin.")
        users.purge_expired_auth(session, now)
        login = Login(
            id=secrets.token_urlsafe(32),
            site_id=site.id,
            origin=str(normalized),
            created=now,
            expires=now + timedelta(seconds=signins.ttl_seconds),
        )
        rows.save(session, login)
    return Issued(login=login.id, expires=login.expires)


def charge_start(signins: SignIns, client_key: str, login_id: str | None = None) -> None:
    """Charge the start of a provider flow like a login id (429 with ``Retry-After``).

    Each start writes (Authlib's state, and the login's row), so a loop over one
    ``/auth/{provider}/login`` URL would write without end. The budget is the login ids'
    (``login_rate_limits``), kept apart from theirs, per client address (``client_key``)
    and per login id, so neither many ids from one address nor one id from many addresses
    gets further. An id not shaped like ours is refused later as unknown, writing nothing.
    """
    if signins.limiter is None:
        return
    keys = [client_key]
    if login_id is not None and LOGIN_ID.match(login_id):
        keys.append(f"login:{login_id}")
    signins.limiter.hit("start", keys)


def check_return_to(login_origin: str, return_to: str) -> str:
    """The page to come back to after a full-page sign-in, or ``InvalidInput``.

    It must be an absolute http(s) URL on exactly the origin the login id was issued to.
    Backslashes, whitespace, control characters and user info are refused outright, since
    browsers and parsers disagree about them (``https://evil\\@blog.example``).
    """
    refused = InvalidInput("The page to return to is not on this site.", field="return_to")
    if len(return_to) > 2000 or any(c == "\\" or ord(c) <= 0x20 or ord(c) == 0x7F for c in return_to):
        raise refused
    try:
        parts = urlsplit(return_to)
        if parts.scheme not in ("http", "https") or "@" in parts.netloc or not parts.hostname:
            raise refused
        if origin_of(return_to) != login_origin:
            raise refused
    except (ValueError, InvalidURL):
        raise refused from None
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def _find(session: Session, login_id: str, *, lock: bool = False) -> Login | None:
    """The login row for an id; anything not shaped like one of ours is simply unknown."""
    if not LOGIN_ID.match(login_id):
        return None
    return users.login_by_id(session, login_id, lock=lock)


def _usable(login: Login | None, site_id: str | None, now: datetime) -> Login:
    if login is None or (site_id is not None and login.site_id != site_id):
        raise NotFound(UNKNOWN)
    if login.expires <= now:
        raise Gone(TOO_LATE)
    if login.status in (LoginStatus.DONE, LoginStatus.SPENT):
        raise Gone(USED)
    return login


def check(signins: SignIns, site_id: str, login_id: str, return_to: str | None) -> str:
    """Refuse a provider flow for an unknown, expired or used id before any state is created;
    return the origin the id was issued to."""
    with signins.db.read() as session:
        login = _usable(_find(session, login_id), site_id, utcnow())
    if return_to:
        check_return_to(login.origin, return_to)
    return login.origin


def check_mailed(signins: SignIns, site_id: str, login_id: str, state: str) -> str:
    """Like ``check``, for the page a mailed link opens: the link must be the latest one
    sent for its id. Returns the origin the id was issued to."""
    with signins.db.read() as session:
        login = _usable(_find(session, login_id), site_id, utcnow())
    if login.provider != MAIL_PROVIDER or login.state_hash != state_hash(state):
        raise Gone(REPLACED)
    return login.origin


def started_from(login_origin: str, referer: str | None) -> bool:
    """Whether the flow was opened by a page on the login's origin (the browser's ``Referer``).

    Why: whoever holds a login id can redeem it. Without this, an attacker could create an id
    and lure a victim (already signed in at the provider) to its flow URL, then collect the
    victim's token. When the referrer is missing or foreign, the person confirms instead.
    """
    return referer is not None and same_origin(referer) == login_origin


def begin(
    signins: SignIns, site_id: str, login_id: str, provider: str, return_to: str | None, state: str
) -> None:
    """Tie the provider flow (its OAuth ``state``) to the login id; a failed id may be retried."""
    with signins.db.write() as session:
        login = _usable(_find(session, login_id, lock=True), site_id, utcnow())
        _start(login, provider, state)
        login.return_to = check_return_to(login.origin, return_to) if return_to else None
        rows.save(session, login)


def begin_by_mail(
    signins: SignIns, site_id: str, login_id: str, request_origin: str | None, state: str, lasts: timedelta
) -> None:
    """Tie a mailed link (its secret ``state``) to the login id, for ``lasts`` from now.

    Only the page the id was issued to may ask (``request_origin``), and a new link
    replaces the one mailed before (its state no longer matches). The id then waits as long
    as the link is valid, so the page's poll still finds it when the person comes back."""
    now = utcnow()
    with signins.db.write() as session:
        login = _usable(_find(session, login_id, lock=True), site_id, now)
        if request_origin is not None and same_origin(request_origin) != login.origin:
            raise Forbidden("This sign-in was started on another page.")
        _start(login, MAIL_PROVIDER, state)
        login.return_to, login.expires = None, max(login.expires, now + lasts)
        rows.save(session, login)


def _start(login: Login, provider: str, state: str) -> None:
    login.provider, login.state_hash = provider, state_hash(state)
    login.status, login.failure = LoginStatus.PENDING, None


def _pending(login: Login | None) -> Pending | None:
    if login is None:
        return None
    return Pending(login.id, login.site_id, login.origin, login.provider, login.return_to)


def for_state(signins: SignIns, state: str) -> Pending | None:
    """The login id a callback's ``state`` belongs to (Authlib checks the state itself)."""
    with signins.db.read() as session:
        return _pending(users.login_by_state_hash(session, state_hash(state)))


def by_id(signins: SignIns, login_id: str) -> Pending | None:
    with signins.db.read() as session:
        return _pending(_find(session, login_id))


def complete(signins: SignIns, login_id: str, profile: Profile, state: str | None = None) -> Redeemed:
    """Sign the person in on the login's site: upsert the user, open a session, attach it.

    With ``state``, only the flow that state started may finish it (a mailed link: a later
    link for the same id replaces it)."""
    with signins.db.write() as session:
        login = _usable(_find(session, login_id, lock=True), None, utcnow())
        if login.provider != profile.provider:
            raise SignInFailed(UNKNOWN)
        if state is not None and login.state_hash != state_hash(state):
            raise Gone(REPLACED)
        user = user_sessions.upsert_user(session, profile)
        row = user_sessions.open_session(signins.user_sessions, session, user, login.site_id)
        login.status, login.session_id, login.state_hash = LoginStatus.DONE, row.id, None
        rows.save(session, login)
    return Redeemed(
        token=user_sessions.session_token(signins.user_sessions, row.id, login.site_id), user=user
    )


def fail(signins: SignIns, login_id: str, sentence: str) -> None:
    """Record why the sign-in failed, so the polling page can say it too."""
    with signins.db.write() as session:
        login = _find(session, login_id, lock=True)
        if login is not None and login.status == LoginStatus.PENDING:
            login.status, login.failure, login.state_hash = LoginStatus.FAILED, sentence[:300], None
            rows.save(session, login)


def redeem(signins: SignIns, login_id: str, request_origin: str | None) -> Redeemed | None:
    """The token for a completed login id, once; ``None`` while the person is still signing in."""
    now = utcnow()
    with signins.db.write() as session:
        login = _find(session, login_id, lock=True)
        if login is None:
            raise NotFound(UNKNOWN)
        if request_origin is not None and same_origin(request_origin) != login.origin:
            raise Forbidden("This sign-in was started on another page.")
        if login.status == LoginStatus.SPENT:
            raise Gone(USED)
        if login.expires <= now:
            raise Gone(TOO_LATE)
        if login.status == LoginStatus.FAILED:
            raise SignInFailed(login.failure or UNKNOWN)
        if login.status == LoginStatus.PENDING or login.session_id is None:
            return None
        row = users.session_by_id(session, login.session_id)
        user = users.user_by_id(session, row.user_id) if row else None
        if row is None or user is None or row.revoked is not None:
            raise Gone(USED)
        login.status = LoginStatus.SPENT
        rows.save(session, login)
    return Redeemed(
        token=user_sessions.session_token(signins.user_sessions, row.id, login.site_id), user=user
    )

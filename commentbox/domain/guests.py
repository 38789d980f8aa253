"""Verified guests: a guest proves a mailbox with a one-time link and is signed in like a user.

The page that asks holds a login id (``POST /auth/logins``, as for a provider's popup); the
mailed link names that id and a secret ``state`` whose hash the id keeps, so:

- the session goes only to the page holding the id (it collects it with the same poll and
  redeem as a provider sign-in); whoever else opens the link signs nobody in for themselves;
- the link works on its site only, for ``LINK_MINUTES``, once (its state is spent, and the
  id is done), and a newer link for the same id replaces it;
- a verified guest is a ``User`` with provider ``"email"`` and the address's keyed hash as its
  id: never merged with a provider's account that has the same address, and never keyed by
  the address itself.

The answer to a request is the same whether or not the address has ever commented: nothing
here reads comments until the person holds a session (``claimable``/``claim``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from itsdangerous import BadSignature, SignatureExpired

from commentbox.auth.base import Profile
from commentbox.domain import signins, user_sessions
from commentbox.errors import Forbidden, Gone, NotFound
from commentbox.keys import Keys
from commentbox.runtime.ratelimit import RateLimiter
from commentbox.store import guests as guests_store
from commentbox.store import mail, users
from commentbox.store.models import Comment, Thread

LINK_SALT = "commentbox.guest-link"
LINK_MINUTES = 30
MAIL_ACTION = "guest-mail"  # the rate limiter's budget for these mails
INVALID = "This sign-in link is not valid. Ask for a new one from the comments."
EXPIRED = f"This sign-in link is older than {LINK_MINUTES} minutes. Ask for a new one from the comments."
NOT_A_GUEST = "Only a guest signed in with a link sent by email can claim guest comments."


@dataclass(frozen=True)
class Guests:
    """What verified guests need: the sign-ins their links complete, the keys that sign the
    links and hash addresses, and the budget of mails per address and per client."""

    signins: signins.SignIns
    keys: Keys
    limiter: RateLimiter


@dataclass(frozen=True)
class Link:
    """What a mailed link carries (signed, not secret: it is mailed to the address it names)."""

    site_id: str
    login_id: str
    state: str
    email: str
    name: str | None


def request_link(
    guests: Guests,
    site_id: str,
    login_id: str,
    email: str,
    name: str | None,
    request_origin: str | None,
    client_key: str,
) -> str:
    """The token of a new link for ``email`` (already normalized), tied to the login id.

    Charged per client address, per address and per login id before anything is written,
    so neither a flood from one browser nor one address from many can fill a mailbox."""
    keys = [client_key, f"email:{guests.keys.guest_key(email)}", f"login:{login_id}"]
    guests.limiter.hit(MAIL_ACTION, keys)
    state = secrets.token_urlsafe(24)
    lasts = timedelta(minutes=LINK_MINUTES)
    signins.begin_by_mail(guests.signins, site_id, login_id, request_origin, state, lasts)
    payload = {"site": site_id, "l": login_id, "s": state, "e": email, "n": name}
    return guests.keys.serializer(LINK_SALT).dumps(payload)


def read_link(guests: Guests, token: str) -> Link:
    """The link's contents if it is ours and younger than ``LINK_MINUTES`` (404, 410)."""
    try:
        data = guests.keys.serializer(LINK_SALT).loads(token, max_age=LINK_MINUTES * 60)
        link = Link(str(data["site"]), str(data["l"]), str(data["s"]), str(data["e"]), data.get("n"))
    except SignatureExpired:
        raise Gone(EXPIRED) from None
    except (BadSignature, KeyError, TypeError, ValueError):
        raise NotFound(INVALID) from None
    if link.name is not None and not isinstance(link.name, str):
        raise NotFound(INVALID)
    return link


def check_link(guests: Guests, token: str) -> tuple[Link, str]:
    """The link and the origin of the page that asked, for the page confirming it (a GET,
    which mail scanners fetch too: it changes nothing)."""
    link = read_link(guests, token)
    return link, signins.check_mailed(guests.signins, link.site_id, link.login_id, link.state)


def sign_in(guests: Guests, token: str) -> signins.Redeemed:
    """Spend the link and sign its address in as a verified guest of its site; the page
    holding the login id collects the session with ``signins.redeem``."""
    link = read_link(guests, token)
    signins.check_mailed(guests.signins, link.site_id, link.login_id, link.state)
    provider_user_id = guests.keys.guest_key(link.email)
    with guests.signins.db.write() as session:
        if not mail.spend_token(session, signins.state_hash(f"guest-link|{link.state}")):
            raise Gone(signins.USED)
        known = users.user_by_provider(session, signins.MAIL_PROVIDER, provider_user_id)
    name = link.name or (known.name if known else "")
    profile = Profile(signins.MAIL_PROVIDER, provider_user_id, name, email=link.email)
    return signins.complete(guests.signins, link.login_id, profile, state=link.state)


def _verified_guest(guests: Guests, token: str, site_id: str, origin: str | None) -> user_sessions.SignedIn:
    signed_in = user_sessions.resolve(guests.signins.user_sessions, token, site_id, origin)
    if signed_in.user.provider != signins.MAIL_PROVIDER or not signed_in.user.email:
        raise Forbidden(NOT_A_GUEST)
    return signed_in


def claimable(guests: Guests, token: str, site_id: str, origin: str | None) -> list[tuple[Comment, Thread]]:
    """The bearer's unverified guest comments on the site: those written with the address
    their link proved, not yet anyone's."""
    signed_in = _verified_guest(guests, token, site_id, origin)
    with guests.signins.db.read() as session:
        return list(guests_store.unverified_comments(session, site_id, signed_in.user.email or ""))


def claim(guests: Guests, token: str, site_id: str, origin: str | None, ids: list[int]) -> list[int]:
    """Make exactly the chosen comments the bearer's, all or none: an id that is not one of
    ``claimable`` (another address's, another site's, a user's) refuses the whole claim."""
    signed_in = _verified_guest(guests, token, site_id, origin)
    wanted = set(ids)
    with guests.signins.db.write() as session:
        theirs = {
            comment.id: comment
            for comment, _ in guests_store.unverified_comments(session, site_id, signed_in.user.email or "")
        }
        if not wanted <= theirs.keys():
            raise Forbidden("Some of these comments were not written with your address as a guest here.")
        guests_store.give_to_user(session, [theirs[i] for i in sorted(wanted)], signed_in.user.id)  # type: ignore[arg-type]
    return sorted(wanted)

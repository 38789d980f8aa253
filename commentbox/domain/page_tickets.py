"""From the widget to the "My data" page: a one-time ticket that carries a session across.

The widget's session lives in the host page's storage, which this server's own pages
cannot read; the page cannot use the bearer directly. So the widget asks for a ticket
(``POST /api/v1/me/page``, with its bearer and from its site's origin), and opens the page
with it: the page spends the ticket once, within two minutes, and keeps the same session's
token in a first-party cookie of its own (``http/routes/me_page.py``). The ticket is
signed (own salt), names the session and the site, and is spent in the database, so a
replay or a ticket for another site gets nothing.
"""

from __future__ import annotations

import hashlib
import secrets

from itsdangerous import BadSignature, SignatureExpired

from commentbox.domain.user_sessions import OTHER_SITE, SignedIn, UserSessions, session_token
from commentbox.errors import Unauthorized
from commentbox.store import mail, users
from commentbox.store.models import utcnow

TICKET_SALT = "commentbox.me-ticket"
TICKET_SECONDS = 120
SPENT = "This link to your data was used already, or is too old. Open it again from the comments."


def issue(user_sessions: UserSessions, signed_in: SignedIn) -> str:
    """A ticket for ``signed_in``'s session on its site (random, so two are never equal)."""
    claims = {"s": signed_in.session_id, "site": signed_in.site_id, "n": secrets.token_urlsafe(9)}
    return user_sessions.keys.serializer(TICKET_SALT).dumps(claims)


def redeem(user_sessions: UserSessions, ticket: str, site_id: str) -> str:
    """Spend ``ticket`` for the site's page; returns the session's token. ``Unauthorized``
    when it is forged, expired, spent, another site's, or its session has ended."""
    try:
        claims = user_sessions.keys.serializer(TICKET_SALT).loads(ticket, max_age=TICKET_SECONDS)
    except (BadSignature, SignatureExpired):
        raise Unauthorized(SPENT) from None
    if not isinstance(claims, dict) or not all(isinstance(claims.get(k), str) for k in ("s", "site")):
        raise Unauthorized(SPENT)
    if claims["site"] != site_id:
        raise Unauthorized(OTHER_SITE)
    spent_id = "me-ticket:" + hashlib.sha256(ticket.encode()).hexdigest()[:40]
    with user_sessions.db.write() as session:
        if not mail.spend_token(session, spent_id):
            raise Unauthorized(SPENT)
        row = users.session_by_id(session, claims["s"])
        if row is None or row.revoked is not None or row.expires <= utcnow():
            raise Unauthorized(SPENT)
    return session_token(user_sessions, claims["s"], site_id)

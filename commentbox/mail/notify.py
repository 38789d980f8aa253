"""Notifications: who is told about a comment, with which links, rendered how.

Listens on the event seam (``comment.created``, ``comment.approved``) and puts mail in the
outbox; never sends from a request. Links carry signed tokens, one salt per purpose:

- moderator action links, bound to one comment *and* one action, expiring after
  ``COMMENTBOX_ACTION_LINK_DAYS`` and spent on use (GET shows a page, only POST acts);
- "notify me of replies" confirmations for guests (double opt-in: nobody can subscribe
  someone else's address);
- one-click unsubscribe (``List-Unsubscribe`` + ``List-Unsubscribe-Post``, RFC 8058).

Nobody is told about their own comment.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from dataclasses import dataclass
from functools import cache
from typing import Any

from itsdangerous import BadSignature
from sqlmodel import Session

from commentbox.admin import moderators
from commentbox.admin.actions import Action, Moderation, Moderator, apply
from commentbox.domain.markup import for_email
from commentbox.domain.text import shorten
from commentbox.domain.visitors import Visitor
from commentbox.errors import Forbidden, Gone, InvalidInput, NotFound
from commentbox.html.render import environment
from commentbox.keys import Keys
from commentbox.mail.outbox import Mail, Outbox
from commentbox.runtime.events import Events
from commentbox.store import comments, mail, rows, users
from commentbox.store.db import Database
from commentbox.store.models import Comment, CommentStatus, NotifyModerators, Site, Subscription, Thread

log = logging.getLogger(__name__)

ACTION_SALT = "commentbox.action-link"
CONFIRM_SALT = "commentbox.confirm-subscription"
UNSUBSCRIBE_SALT = "commentbox.unsubscribe"
CONFIRM_DAYS = 7
SUBJECT_TITLE = 80  # characters of the page title in a subject


@cache
@dataclass(frozen=True)
class Notifier:
    """The collaborators of notifications: the outbox that sends, the keys that sign links,
    the events that trigger mail, and the public address links point to."""

    db: Database
    keys: Keys
    outbox: Outbox
    events: Events
    base_url: str
    action_link_days: int
    moderation: Moderation


def render(name: str, **values: Any) -> tuple[str, str]:
    """The (text, html) parts of ``name``."""
    env = environment()
    return (
        env.get_template(f"email/{name}.txt").render(**values),
        env.get_template(f"email/{name}.html").render(**values),
    )


def subscribe_listeners(notifier: Notifier) -> None:
    """Listen only where mail can be sent (``COMMENTBOX_SMTP_HOST``)."""
    if not notifier.outbox.enabled:
        return
    notifier.events.subscribe("comment.created", lambda **e: created(notifier, **e))
    notifier.events.subscribe("comment.approved", lambda **e: approved(notifier, **e))


# Tokens ------------------------------------------------------------------------------------------


def action_token(
    notifier: Notifier, comment: Comment, action: Action, recipient: str, issued: float | None = None
) -> str:
    """A link for one moderator to take one action on one comment, once, for some days."""
    return notifier.keys.serializer(ACTION_SALT).dumps(
        {
            "c": comment.id,
            "n": comment.nonce,
            "a": action.value,
            "r": recipient,
            "t": time.time() if issued is None else issued,
            "j": secrets.token_hex(8),
        }
    )


@dataclass(frozen=True)
class ActionLink:
    comment_id: int
    action: Action
    recipient: str
    token_id: str


def read_action_token(notifier: Notifier, token: str) -> ActionLink:
    """Decode an action link, or raise: forged or broken (404), expired (410)."""
    try:
        data = notifier.keys.serializer(ACTION_SALT).loads(token)
        link = ActionLink(
            int(data["c"]), Action(data["a"]), str(data["r"]), hashlib.sha256(token.encode()).hexdigest()
        )
        issued, nonce = float(data["t"]), str(data["n"])
    except (BadSignature, KeyError, TypeError, ValueError):
        raise NotFound("This moderation link is not valid.") from None
    if time.time() - issued > notifier.action_link_days * 86400:
        raise Gone("This moderation link has expired. Use the admin pages instead.")
    with notifier.db.read() as session:
        comment = comments.comment_by_id(session, link.comment_id)
    if comment is None or comment.nonce != nonce:
        raise Gone("This comment does not exist any more.")
    return link


def act_from_link(notifier: Notifier, token: str, action: str) -> tuple[ActionLink, int]:
    """Take the link's action (the form must name the same action), once."""
    link = read_action_token(notifier, token)
    if action != link.action.value:
        raise InvalidInput("This link was made for another action.", field="action")
    with notifier.db.write() as session:
        comment = comments.comment_by_id(session, link.comment_id)
        site_id = comments.thread_by_id(session, comment.thread_id).site_id if comment else None
        if site_id is None:
            raise Gone("This comment does not exist any more.")
        if link.recipient not in moderators.moderator_emails(session, site_id):
            raise Forbidden("You no longer moderate this site.")
        if not mail.spend_token(session, link.token_id):
            raise Gone("This link has been used already.")
    changed = apply(
        notifier.moderation,
        Moderator(f"email:{link.recipient}", frozenset({site_id})),
        [link.comment_id],
        link.action,
    )
    return link, changed


def comment_preview(notifier: Notifier, comment_id: int) -> str:
    """The comment's HTML under the mail policy, for the confirmation page of an action link."""
    with notifier.db.read() as session:
        comment = comments.comment_by_id(session, comment_id)
    return for_email(comment.html) if comment else ""


def _confirm_token(notifier: Notifier, subscription: Subscription) -> str:
    return notifier.keys.serializer(CONFIRM_SALT).dumps({"s": subscription.id, "n": subscription.nonce})


def _unsubscribe_token(
    notifier: Notifier, email: str, scope: str, subscription: Subscription | None = None
) -> str:
    payload: dict[str, Any] = {"e": email.lower(), "s": scope}
    if subscription is not None:
        payload |= {"i": subscription.id, "n": subscription.nonce}
    return notifier.keys.serializer(UNSUBSCRIBE_SALT).dumps(payload)


def confirm_subscription(notifier: Notifier, token: str) -> None:
    try:
        data = notifier.keys.serializer(CONFIRM_SALT).loads(token, max_age=CONFIRM_DAYS * 86400)
        subscription_id, nonce = int(data["s"]), str(data["n"])
    except (BadSignature, KeyError, TypeError, ValueError):
        raise NotFound("This confirmation link is not valid (any more).") from None
    with notifier.db.write() as session:
        subscription = mail.subscription_by_id(session, subscription_id)
        if subscription is None or subscription.nonce != nonce:
            raise Gone("This subscription does not exist any more.")
        subscription.confirmed = True
        rows.save(session, subscription)


def unsubscribe(notifier: Notifier, token: str) -> str:
    """Stop the mail a link was sent with; returns the address (shown on the page)."""
    try:
        data = notifier.keys.serializer(UNSUBSCRIBE_SALT).loads(token)
        email, scope = str(data["e"]), str(data["s"])
    except (BadSignature, KeyError, TypeError, ValueError):
        raise NotFound("This unsubscribe link is not valid.") from None
    with notifier.db.write() as session:
        if "i" in data:
            subscription = mail.subscription_by_id(session, int(data["i"]))
            if subscription is not None and subscription.nonce == data.get("n"):
                rows.remove(session, subscription)
        else:
            mail.opt_out(session, email, scope)
    return email


# Listeners ----------------------------------------------------------------------------------------


def created(
    notifier: Notifier,
    *,
    comment: Comment,
    site: Site,
    notify: bool = False,
    visitor: Visitor | None = None,
    **_: Any,
) -> None:
    confirmation = None
    with notifier.db.write() as session:
        thread = comments.thread_by_id(session, comment.thread_id)
        author_email = comment.author_email or (visitor.user.email if visitor and visitor.user else None)
        if notify and author_email:
            confirmation = _subscribe(
                notifier, session, comment, site, thread, author_email, confirmed=comment.user_id is not None
            )
    if confirmation is not None:  # after the commit: the outbox writes in its own transaction
        notifier.outbox.enqueue(confirmation)
    _tell_moderators(notifier, comment, site, thread, author_email)
    if comment.status == CommentStatus.APPROVED:
        _tell_subscribers(notifier, comment, site, thread, author_email)


def approved(notifier: Notifier, *, comment: Comment, site: Site, **_: Any) -> None:
    with notifier.db.read() as session:
        thread = comments.thread_by_id(session, comment.thread_id)
        author = comment.author_email or (
            user.email if comment.user_id and (user := users.user_by_id(session, comment.user_id)) else None
        )
    _tell_subscribers(notifier, comment, site, thread, author)


def _base(notifier: Notifier) -> str:
    return notifier.base_url


def _page_link(thread: Thread, comment: Comment) -> str:
    return f"{thread.url}#comment-{comment.id}" if thread.url else ""


def _unsubscribe_headers(notifier: Notifier, link: str) -> dict[str, str]:
    return {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _subscribe(
    notifier: Notifier,
    session: Session,
    comment: Comment,
    site: Site,
    thread: Thread,
    email: str,
    *,
    confirmed: bool,
) -> Mail | None:
    """Signed-in users with a provider email subscribe at once; a guest's address is asked
    first: returns the confirmation mail to send."""
    subscription = Subscription(
        comment_id=comment.id,  # type: ignore[arg-type]
        email=email.lower(),
        user_id=comment.user_id,
        confirmed=confirmed,
        nonce=secrets.token_hex(16),
    )
    rows.save(session, subscription)
    if confirmed or mail.opted_out(session, email, "replies"):
        return None
    confirm = f"{_base(notifier)}/notifications/confirm/{_confirm_token(notifier, subscription)}"
    unsubscribe_link = (
        f"{_base(notifier)}/notifications/unsubscribe/{_unsubscribe_token(notifier, email, 'replies')}"
    )
    text, html = render(
        "confirm",
        site=site.name,
        page=thread.title or thread.url,
        confirm=confirm,
        unsubscribe=unsubscribe_link,
        days=CONFIRM_DAYS,
    )
    subject = f"Confirm reply notifications on {site.name}"
    return Mail(email, subject, text, html, _unsubscribe_headers(notifier, unsubscribe_link))


def _tell_moderators(
    notifier: Notifier, comment: Comment, site: Site, thread: Thread, author_email: str | None
) -> None:
    setting = NotifyModerators(site.notify_moderators)
    status = CommentStatus(comment.status)
    if setting is NotifyModerators.NONE or (
        setting is NotifyModerators.PENDING and status is CommentStatus.APPROVED
    ):
        return
    scope = f"moderation:{site.id}"
    with notifier.db.read() as session:
        recipients = [
            e for e in moderators.moderator_emails(session, site.id) if not mail.opted_out(session, e, scope)
        ]
    for email in recipients:
        if author_email and email.lower() == author_email.lower():
            continue  # a moderator's own comment
        actions = [a for a in Action if not (a is Action.APPROVE and status is CommentStatus.APPROVED)]
        links = {
            a.value: f"{_base(notifier)}/admin/act/{action_token(notifier, comment, a, email)}"
            for a in actions
        }
        unsubscribe_link = (
            f"{_base(notifier)}/notifications/unsubscribe/{_unsubscribe_token(notifier, email, scope)}"
        )
        text, html = render(
            "moderator",
            site=site.name,
            page=thread.title or thread.url,
            page_link=_page_link(thread, comment),
            author=comment.author_name or "a signed-in visitor",
            status=status.value,
            body=comment.body,
            comment_html=for_email(comment.html),
            links=links,
            queue=f"{_base(notifier)}/admin/comments/{comment.id}",
            unsubscribe=unsubscribe_link,
        )
        what = "Waiting for you" if status is CommentStatus.PENDING else "New comment"
        subject = f"[{site.name}] {what}: {shorten(thread.title or thread.url, SUBJECT_TITLE)}"
        notifier.outbox.enqueue(
            Mail(email, subject, text, html, _unsubscribe_headers(notifier, unsubscribe_link))
        )


def _tell_subscribers(
    notifier: Notifier, comment: Comment, site: Site, thread: Thread, author_email: str | None
) -> None:
    """Mail those who asked to hear about replies to the parent, except the replier."""
    if comment.parent_id is None:
        return
    with notifier.db.read() as session:
        subscriptions = [
            s
            for s in mail.subscribers(session, comment.parent_id)
            if not mail.opted_out(session, s.email, "replies")
            and not (comment.user_id is not None and s.user_id == comment.user_id)
            and not (author_email and s.email.lower() == author_email.lower())
        ]
    for subscription in subscriptions:
        unsubscribe_link = (
            f"{_base(notifier)}/notifications/unsubscribe/"
            f"{_unsubscribe_token(notifier, subscription.email, 'replies', subscription)}"
        )
        text, html = render(
            "reply",
            site=site.name,
            page=thread.title or thread.url,
            page_link=_page_link(thread, comment),
            author=comment.author_name or "Someone",
            body=comment.body,
            comment_html=for_email(comment.html),
            unsubscribe=unsubscribe_link,
        )
        notifier.outbox.enqueue(
            Mail(
                subscription.email,
                f"New reply on {site.name}: {shorten(thread.title or thread.url, SUBJECT_TITLE)}",
                text,
                html,
                _unsubscribe_headers(notifier, unsubscribe_link),
            )
        )

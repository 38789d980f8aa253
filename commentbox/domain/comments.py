"""Comment rules: posting, editing within the window, deleting (tombstones), voting.

Functions take plain values and ``Commenting`` (the few collaborators they use); they raise
``errors.*`` and never build HTTP responses. Each write runs in one transaction, which the
function opens itself, and announces itself on ``commenting.events`` twice: inside that
transaction (``within``: the webhook outbox) and after it committed (``emit``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import partial
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection
from sqlmodel import Session

from commentbox.domain import budgets, retries, screening
from commentbox.domain.known_sites import KnownSites
from commentbox.domain.markup import render_markdown
from commentbox.domain.removal import remove
from commentbox.domain.schemas import CommentCreate, CommentCreated, CommentEdit, CommentPublic
from commentbox.domain.sites import check_origin, get_site
from commentbox.domain.spam import RequestFacts, text_hash
from commentbox.domain.threads import Presentation, Presenter, ThreadRef
from commentbox.domain.visitors import Visitor, edit_deadline, user_edit_deadline
from commentbox.errors import Forbidden, Gone, InvalidInput, NotFound
from commentbox.keys import Keys
from commentbox.runtime.events import Events
from commentbox.runtime.groupcommit import GroupCommit
from commentbox.store import comments, posting, rows, versions
from commentbox.store.db import Database
from commentbox.store.models import GONE_FOR_AUTHOR, Comment, CommentStatus, Site, Thread, utcnow

NO_FACTS = RequestFacts()


@dataclass(frozen=True)
class Commenting:
    """The collaborators of posting, editing, deleting and voting."""

    db: Database
    keys: Keys
    sites: KnownSites
    events: Events
    group: GroupCommit
    screens: screening.Screens
    presentation: Presentation


@dataclass(frozen=True)
class Posted:
    comment: CommentCreated
    held: bool


def _present(commenting: Commenting, session: Session, comment_id: int) -> CommentPublic:
    row = comments.comment_row(session, comment_id)
    assert row is not None
    return Presenter(commenting.presentation).comment(row)


def post_comment(
    commenting: Commenting,
    data: CommentCreate,
    visitor: Visitor,
    origin: str | None,
    facts: RequestFacts = NO_FACTS,
    idempotency_key: str | None = None,
) -> Posted:
    """Store a new comment (or a reply) after the spam layers; held when the site's mode or a
    layer says so (``screening.py``). A retry with the first try's ``idempotency_key``
    answers that try's comment (``retries.py``), charged no budget and stored once.

    The hottest write, so it takes the site from this process's memory (``commenting.sites``) and
    writes on a bare connection, in a transaction shared with the posts that arrive with it
    (``groupcommit``): one read (``store.standing``, which also checks the site's version),
    the insert, and the thread's version bump — no ORM session, nothing read back.
    """
    if visitor.user is None and data.author is None:
        raise InvalidInput("Give your name and email, or sign in.", field="author")
    hashed = retries.key_hash(data.site, visitor, idempotency_key) if idempotency_key else None
    if hashed is not None:
        with commenting.db.read() as session:
            first = retries.earlier(session.connection(), hashed)
        if first is not None:
            return _replayed(commenting, *first)
    email = data.author.email if visitor.user is None and data.author else None
    screening.charge(commenting.screens, visitor, email, "post")
    known = commenting.sites.get(data.site) or commenting.sites.load_now(commenting.db, data.site)
    while True:  # twice at most: once more if the site changed since this process loaded it
        new = _screened(
            commenting, known.site, known.ref(data.url, data.page_id), data, visitor, origin, facts
        )
        new.key_hash = hashed
        written = commenting.group.run(partial(_write, commenting.screens, commenting.events, new))
        if isinstance(written, tuple):  # a concurrent try with this key won
            return _replayed(commenting, *written)
        if written is not None:
            comment_id = written
            break
        known = commenting.sites.load_now(commenting.db, data.site)  # changed (or gone: NotFound)
    user = visitor.user
    row = SimpleNamespace(
        id=comment_id,
        **new.values,
        user_name=user.name if user else None,
        user_avatar=user.avatar if user else None,
        user_provider=user.provider if user else None,
    )
    created = _created(commenting, row, new.site, guest=user is None)
    if commenting.events.listens("comment.created"):  # an ORM object only for those who want one
        comment = Comment(id=comment_id, **new.values)
        commenting.events.emit(
            "comment.created", comment=comment, site=new.site, notify=data.notify, visitor=visitor
        )
    return Posted(comment=created, held=row.status != CommentStatus.APPROVED)


def _created(commenting: Commenting, row: Any, site: Site, *, guest: bool) -> CommentCreated:
    """What the author learns of their new comment (the first try's answer, and its retries')."""
    created = CommentCreated(**Presenter(commenting.presentation).comment(row).model_dump())
    if row.status == CommentStatus.SPAM:
        created.status = CommentStatus.PENDING  # the sender learns only that it waits
    if guest:
        created.edit_token = commenting.keys.edit_token(row.id, row.nonce)
        created.edit_until = edit_deadline(row.created, site.edit_window_seconds)
    else:
        created.edit_until = user_edit_deadline(site, row.created)
    return created


def _replayed(commenting: Commenting, comment_id: int, held: bool) -> Posted:
    """A retry's answer: the first try's comment as it is now, with the first try's status code."""
    with commenting.db.read() as session:
        shown = comments.comment_row(session, comment_id)
        comment = comments.comment_by_id(session, comment_id)
        if shown is None or comment is None:
            raise Gone("The comment this request repeats has been removed.")
        site = get_site(session, comments.thread_by_id(session, comment.thread_id).site_id)
    row = SimpleNamespace(**shown._mapping, nonce=comment.nonce)
    return Posted(comment=_created(commenting, row, site, guest=comment.user_id is None), held=held)


@dataclass
class _NewComment:
    """A post that passed every layer needing no database, ready for its write.

    ``values`` is its row; the write adds the thread and settles the status."""

    site: Site
    ref: ThreadRef
    title: str
    visitor: Visitor
    screened: CommentStatus | None
    values: dict[str, Any]
    key_hash: str | None = None  # of the post's Idempotency-Key


def _screened(
    commenting: Commenting,
    site: Site,
    ref: ThreadRef,
    data: CommentCreate,
    visitor: Visitor,
    origin: str | None,
    facts: RequestFacts,
) -> _NewComment:
    check_origin(site, origin)
    guest = data.author if visitor.user is None else None
    html = render_markdown(data.body, allow_images=site.allow_images)
    draft = screening.Draft(
        body=data.body,
        html=html,
        name=guest.name if guest else visitor.user.name if visitor.user else "",
        email=guest.email if guest else None,
        website=guest.website if guest else None,
        permalink=ref.url or "",
        parent_id=data.parent,
    )
    screened = screening.screen_post(
        commenting.screens,
        site,
        draft,
        visitor,
        facts,
        honeypot=data.hp,
        form_token=data.form_token,
        thread_key=ref.key,
    )
    values = {
        "parent_id": data.parent,
        "user_id": visitor.user.id if visitor.user else None,
        "author_name": draft.name if guest else "",
        "author_email": draft.email,
        "author_website": draft.website,
        "body": data.body,
        "html": html,
        "score": 0,
        "created": utcnow(),
        "edited": None,
        "ip_hash": visitor.ip_hash,
        "client_hash": visitor.client_hash,
        "nonce": secrets.token_hex(16),
        "pinned": False,
        "trashed_from": None,
        "text_hash": text_hash(data.body),
    }
    return _NewComment(site, ref, data.title or "", visitor, screened, values)


def _write(
    screens: screening.Screens, events: Events, new: _NewComment, connection: Connection
) -> int | tuple[int, bool] | None:
    """The write, in a group transaction (``groupcommit``): every refusal comes before any
    write. None if the site changed since this process loaded it; the first try's
    ``(comment_id, held)`` if a concurrent try with the same key committed first."""
    site, values, visitor = new.site, new.values, new.visitor
    now = values["created"]
    found = posting.standing(
        connection,
        site.id,
        new.ref.key,
        parent_id=values["parent_id"],
        bans=screening.ban_keys(visitor, values["author_email"]),
        text_hash=values["text_hash"],
        since=now - screening.DUPLICATE_WINDOW,
        now=now,
        closed_before=screening.closed_before(site, now),
        user_id=values["user_id"],
        email=values["author_email"],
        client_hash=visitor.client_hash,
        check_trust=screening.needs_trust(site),
    )
    if found.site_version != site.version:
        return None
    first = retries.earlier(connection, new.key_hash)
    if first is not None:
        return first
    screening.check_standing(connection, site, found, values["parent_id"])
    if found.thread_id is None:
        budgets.check_new_thread(screens.rate_limiter, site)
    by_mode = screening.initial_status(site, visitor, trusted=found.trusted)
    values["status"] = screening.stricter(by_mode, new.screened)
    values["thread_id"] = found.thread_id or posting.create_thread(
        connection, Thread(site_id=site.id, key=new.ref.key, url=new.ref.url or "", title=new.title)
    )
    comment_id = posting.insert_comment(connection, values)
    retries.remember(connection, new.key_hash, comment_id, held=values["status"] != CommentStatus.APPROVED)
    if events.listens_within("comment.created"):
        events.within(
            connection,
            "comment.created",
            comment=SimpleNamespace(id=comment_id, **values),
            site=site,
            thread_url=new.ref.url or "",
            author_name=visitor.user.name if visitor.user else values["author_name"],
        )
    return comment_id


def site_of(commenting: Commenting, comment_id: int) -> str:
    """The site a comment belongs to: a bearer token is checked against it before anything else."""
    with commenting.db.read() as session:
        site_id = comments.comment_site_id(session, comment_id)
    if site_id is None:
        raise NotFound("That comment does not exist (any more).")
    return site_id


def _authorize_author(
    commenting: Commenting,
    site: Site,
    comment: Comment,
    visitor: Visitor,
    edit_token: str | None,
    *,
    editing: bool = False,
) -> None:
    """Only a comment's author may change it: the same signed-in user (editing within the
    site's signed-in window, if it sets one; deleting always), or a guest with the edit token
    of this very comment while the guest edit window is open."""
    if comment.user_id is not None:
        if visitor.user is None or visitor.user.id != comment.user_id:
            raise Forbidden("You can only change your own comments.")
        deadline = user_edit_deadline(site, comment.created)
        if editing and deadline and utcnow() > deadline:
            raise Forbidden("This comment can no longer be changed: the edit window has closed.")
        return
    if edit_token is None:
        raise Forbidden("You can only change your own comments.")
    if not commenting.keys.edit_token_valid(edit_token, comment, site.edit_window_seconds):
        raise Forbidden("This comment can no longer be changed: the edit window has closed.")


def _editable(session: Session, comment_id: int) -> tuple[Comment, Thread, Site]:
    comment = comments.comment_by_id(session, comment_id, lock=True)
    if comment is None or comment.status in GONE_FOR_AUTHOR:
        raise NotFound("That comment does not exist (any more).")
    thread = comments.thread_by_id(session, comment.thread_id)
    return comment, thread, get_site(session, thread.site_id)


def edit_comment(
    commenting: Commenting,
    comment_id: int,
    data: CommentEdit,
    visitor: Visitor,
    edit_token: str | None,
    origin: str | None,
    facts: RequestFacts = NO_FACTS,
) -> CommentPublic:
    """Change a comment's text. The edit passes the spam layers too; one they hold takes the
    comment out of view (``status`` pending) until a moderator approves it again."""
    with commenting.db.read() as session:
        comment = comments.comment_by_id(session, comment_id)
        if comment is None or comment.status in GONE_FOR_AUTHOR:
            raise NotFound("That comment does not exist (any more).")
        thread = comments.thread_by_id(session, comment.thread_id)
        site = get_site(session, thread.site_id)
        check_origin(site, origin)
        _authorize_author(commenting, site, comment, visitor, edit_token, editing=True)
        html = render_markdown(data.body, allow_images=site.allow_images)
        draft = screening.Draft(
            body=data.body,
            html=html,
            name=comment.author_name or (visitor.user.name if visitor.user else ""),
            email=comment.author_email,
            website=comment.author_website,
            permalink=thread.url,
            parent_id=comment.parent_id,
            comment_id=comment.id,
        )
        screening.charge(commenting.screens, visitor, draft.email, "edit")
        screened = screening.screen_edit(commenting.screens, session, site, thread, draft, visitor, facts)
    with commenting.db.write() as session:
        comment, thread, site = _editable(session, comment_id)
        comment.body = data.body
        comment.html = html
        comment.text_hash = text_hash(data.body)
        comment.edited = utcnow()
        was_counted = comment.status == CommentStatus.APPROVED
        comment.status = screening.stricter(CommentStatus(comment.status), screened)
        rows.save(session, comment)
        now_counted = comment.status == CommentStatus.APPROVED
        versions.touch_thread(session, comment.thread_id, int(now_counted) - int(was_counted))
        public = _present(commenting, session, comment_id)
        commenting.events.within(
            session.connection(), "comment.edited", comment=comment, site=site, thread_url=thread.url
        )
    if public.status == CommentStatus.SPAM:
        public.status = CommentStatus.PENDING
    commenting.events.emit("comment.edited", comment=comment, site=site)
    return public


def delete_comment(
    commenting: Commenting, comment_id: int, visitor: Visitor, edit_token: str | None, origin: str | None
) -> None:
    """Remove a comment; one with replies becomes a tombstone so the discussion stays readable.
    A tombstone keeps nothing of its author: name, email, website and text are erased."""
    with commenting.db.write() as session:
        comment, thread, site = _editable(session, comment_id)
        check_origin(site, origin)
        _authorize_author(commenting, site, comment, visitor, edit_token)
        remove(session, comment)
        commenting.events.within(
            session.connection(), "comment.deleted", comment=comment, site=site, thread_url=thread.url
        )
    commenting.events.emit("comment.deleted", comment=comment, site=site)


def vote(commenting: Commenting, comment_id: int, value: int, visitor: Visitor, origin: str | None) -> int:
    """Record one person's vote (+1, 0 to withdraw, −1) and return the comment's score.

    Charged to the visitor's own budget first (``vote``, apart from posting's), so a flood
    of votes is refused before it reads or writes anything; nobody votes on their own comment.
    """
    screening.charge(commenting.screens, visitor, None, "vote")
    with commenting.db.write() as session:
        comment = comments.comment_by_id(session, comment_id)
        if comment is None or comment.status != CommentStatus.APPROVED:
            raise NotFound("That comment does not exist (any more).")
        site = get_site(session, comments.thread_by_id(session, comment.thread_id).site_id)
        check_origin(site, origin)
        if visitor.wrote(comment):
            raise Forbidden("You cannot vote on your own comment.")
        score = comments.set_vote(session, comment_id, visitor.voter_key, value)
        versions.touch_thread(session, comment.thread_id)
    return score


def preview(commenting: Commenting, site_id: str, body: str) -> str:
    with commenting.db.read() as session:
        site = get_site(session, site_id)
    return render_markdown(body, allow_images=site.allow_images)

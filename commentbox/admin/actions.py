"""What moderators do: the queue, approve / spam / delete in bulk, edit, pin, lock, ban.

Functions take a ``Moderator`` (who acts, on which sites) and plain values, check the
moderator's right to the site of every row they touch, and raise domain errors. The admin
pages and the email action links both call these, so both obey the same rules.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Row
from sqlmodel import Session

from commentbox.domain.markup import render_markdown
from commentbox.domain.removal import remove
from commentbox.domain.screening import closed
from commentbox.domain.spam import text_hash
from commentbox.errors import Forbidden, InvalidInput, NotFound
from commentbox.runtime.events import Events
from commentbox.store import bans as stored_bans
from commentbox.store import comments as stored_comments
from commentbox.store import queue as stored_queue
from commentbox.store import rows as stored_rows
from commentbox.store import versions
from commentbox.store.db import Database
from commentbox.store.models import Ban, BanKind, Comment, CommentStatus, Role, Site, Thread, utcnow

QUEUE_PAGE = 50
MAX_INDENT = 6  # reply levels the admin stylesheet indents (.depth-1 … .depth-6)


@dataclass(frozen=True)
class Moderation:
    """The collaborators of moderators' actions: the database, the events that tell caches
    and mail, and the limits a moderator's edit and thread view follow."""

    db: Database
    events: Events
    max_body_chars: int
    max_depth: int


class Action(StrEnum):
    APPROVE = "approve"
    SPAM = "spam"
    DELETE = "delete"


@dataclass(frozen=True)
class Moderator:
    """Who acts: ``sites`` they moderate and ``owned`` sites (``None``: every site)."""

    label: str
    sites: frozenset[str] | None
    owned: frozenset[str] | None = frozenset()
    account_id: int | None = None
    user_id: int | None = None

    def may_moderate(self, site_id: str) -> bool:
        return self.sites is None or site_id in self.sites

    def may_own(self, site_id: str) -> bool:
        return self.owned is None or site_id in self.owned

    def require(self, site_id: str) -> None:
        if not self.may_moderate(site_id):
            raise Forbidden("You do not moderate this site.")

    def require_owner(self, site_id: str) -> None:
        if not self.may_own(site_id):
            raise Forbidden("Only the site's owners may change its settings.")


def moderator_from_roles(
    label: str,
    roles: Iterable[tuple[str, str]],
    *,
    superuser: bool = False,
    account_id: int | None = None,
    user_id: int | None = None,
) -> Moderator:
    """Build a ``Moderator`` from ``(site_id, role)`` pairs; a superuser owns every site."""
    if superuser:
        return Moderator(label, None, None, account_id, user_id)
    roles = list(roles)
    return Moderator(
        label,
        frozenset(site for site, _ in roles),
        frozenset(site for site, role in roles if role == Role.OWNER),
        account_id,
        user_id,
    )


# The queue ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueQuery:
    """Filters of the queue; all optional. ``status`` None means every status, pending first."""

    status: CommentStatus | None = None
    text: str = ""
    author: str = ""
    site: str = ""
    thread: str = ""
    offset: int = 0
    limit: int = QUEUE_PAGE


def queue(moderation: Moderation, moderator: Moderator, query: QueueQuery) -> list[Row[Any]]:
    """Comments across the moderator's sites, pending first, newest first."""
    if query.site and not moderator.may_moderate(query.site):
        return []
    with moderation.db.read() as session:
        return list(
            stored_queue.queue(
                session,
                sites=moderator.sites,
                status=query.status,
                text=query.text.strip(),
                author=query.author.strip(),
                site=query.site,
                thread=query.thread.strip(),
                offset=query.offset,
                limit=query.limit,
            )
        )


def comment_row(moderation: Moderation, moderator: Moderator, comment_id: int) -> Row[Any]:
    """One comment with its thread, as the queue shows it."""
    with moderation.db.read() as session:
        row = stored_queue.queue_row(session, comment_id)
    if row is None or row.status == CommentStatus.DELETED:
        raise NotFound("That comment does not exist (any more).")
    moderator.require(row.site_id)
    return row


@dataclass(frozen=True)
class ThreadInfo:
    id: int
    site_id: str
    url: str
    key: str
    title: str
    locked: bool
    closed: bool  # locked, or older than the site's close_after_days
    count: int


def thread_info(moderation: Moderation, moderator: Moderator, thread_id: int) -> ThreadInfo:
    with moderation.db.read() as session:
        thread = stored_queue.thread_by_id_or_none(session, thread_id)
        if thread is None:
            raise NotFound("That thread does not exist.")
        moderator.require(thread.site_id)
        site = stored_rows.site_by_id(session, thread.site_id)
    assert site is not None
    return ThreadInfo(
        thread_id,
        thread.site_id,
        thread.url,
        thread.key,
        thread.title,
        thread.locked,
        closed(site, thread.locked, thread.created),
        thread.comment_count,
    )


@dataclass(frozen=True)
class ThreadView:
    """A thread as its moderators read it: every comment in any status, tombstones included,
    each reply right after its parent."""

    info: ThreadInfo
    rows: list[Row[Any]]
    depths: dict[int, int]  # comment id → 1 for a top-level comment, 2 for a reply, …


def thread_view(moderation: Moderation, moderator: Moderator, thread_id: int) -> ThreadView:
    """The whole thread, for a moderator of its site only (``Forbidden``/``NotFound`` else)."""
    info = thread_info(moderation, moderator, thread_id)
    with moderation.db.read() as session:
        found = stored_queue.thread_for_moderators(session, thread_id)
    rows, depths = _reading_order(found, min(moderation.max_depth, MAX_INDENT))
    return ThreadView(info, rows, depths)


def _reading_order(rows: Sequence[Row[Any]], max_depth: int) -> tuple[list[Row[Any]], dict[int, int]]:
    """Order oldest-first ``rows`` as visitors read them: pinned top-level comments first,
    then the rest oldest first, each followed by its replies (oldest first), depth capped."""
    ids = {row.id for row in rows}
    replies: dict[int | None, list[Row[Any]]] = defaultdict(list)
    for row in rows:
        replies[row.parent_id if row.parent_id in ids else None].append(row)
    stack = [(row, 1) for row in reversed(sorted(replies[None], key=lambda r: not r.pinned))]
    ordered: list[Row[Any]] = []
    depths: dict[int, int] = {}
    while stack:  # not recursion: a long back-and-forth must not exhaust Python's stack
        row, depth = stack.pop()
        ordered.append(row)
        depths[row.id] = min(depth, max_depth)
        stack.extend((reply, depth + 1) for reply in reversed(replies[row.id]))
    return ordered, depths


def pending_count(moderation: Moderation, moderator: Moderator) -> int:
    with moderation.db.read() as session:
        return stored_queue.count_by_status(session, moderator.sites, CommentStatus.PENDING)


# Acting on comments -----------------------------------------------------------------------


def _comment(session: Session, moderator: Moderator, comment_id: int) -> tuple[Comment, Thread]:
    comment = stored_comments.comment_by_id(session, comment_id, lock=True)
    if comment is None:
        raise NotFound("That comment does not exist (any more).")
    thread = stored_comments.thread_by_id(session, comment.thread_id)
    moderator.require(thread.site_id)
    return comment, thread


def apply(moderation: Moderation, moderator: Moderator, comment_ids: Sequence[int], action: Action) -> int:
    """Approve, mark as spam or delete each comment; returns how many changed.

    All or nothing: one comment on a site the moderator does not moderate refuses the lot.
    """
    approved: list[tuple[Comment, Site]] = []
    removed: list[tuple[Comment, Site]] = []  # gone from the public thread
    changed = 0
    with moderation.db.write() as session:
        for comment_id in dict.fromkeys(comment_ids):
            comment, thread = _comment(session, moderator, comment_id)
            status = CommentStatus(comment.status)
            if action is not Action.APPROVE and status is CommentStatus.APPROVED:
                removed.append((comment, stored_rows.site_by_id(session, thread.site_id)))  # type: ignore[arg-type]
            if action is Action.DELETE:
                remove(session, comment)
            elif status is CommentStatus.DELETED:
                continue
            elif action is Action.APPROVE and status is not CommentStatus.APPROVED:
                comment.status = CommentStatus.APPROVED
                stored_rows.save(session, comment)
                versions.touch_thread(session, thread.id, 1)  # type: ignore[arg-type]
                approved.append((comment, stored_rows.site_by_id(session, thread.site_id)))  # type: ignore[arg-type]
            elif action is Action.SPAM and status is not CommentStatus.SPAM:
                comment.status = CommentStatus.SPAM
                stored_rows.save(session, comment)
                versions.touch_thread(session, thread.id, -1 if status is CommentStatus.APPROVED else 0)  # type: ignore[arg-type]
            else:
                continue
            changed += 1
    for comment, site in approved:
        moderation.events.emit("comment.approved", comment=comment, site=site)
    for comment, site in removed:
        moderation.events.emit("comment.deleted", comment=comment, site=site)
    return changed


def edit(moderation: Moderation, moderator: Moderator, comment_id: int, body: str) -> None:
    """A moderator's correction, through the same sanitizer as every other write."""
    if not body.strip():
        raise InvalidInput("The comment text must not be empty.", field="body")
    if len(body) > moderation.max_body_chars:
        raise InvalidInput(
            f"The comment text is at most {moderation.max_body_chars} characters.", field="body"
        )
    with moderation.db.write() as session:
        comment, thread = _comment(session, moderator, comment_id)
        if comment.status == CommentStatus.DELETED:
            raise NotFound("That comment was deleted.")
        site = stored_rows.site_by_id(session, thread.site_id)
        comment.body = body
        comment.html = render_markdown(body, allow_images=bool(site and site.allow_images))
        comment.text_hash = text_hash(body)
        comment.edited = utcnow()
        stored_rows.save(session, comment)
        versions.touch_thread(session, thread.id)  # type: ignore[arg-type]
    if site is not None and comment.status == CommentStatus.APPROVED:
        moderation.events.emit("comment.edited", comment=comment, site=site)


def pin(moderation: Moderation, moderator: Moderator, comment_id: int, pinned: bool) -> None:
    """A pinned top-level comment is shown first, whatever the sort order."""
    with moderation.db.write() as session:
        comment, thread = _comment(session, moderator, comment_id)
        comment.pinned = pinned
        stored_rows.save(session, comment)
        versions.touch_thread(session, thread.id)  # type: ignore[arg-type]


def lock(moderation: Moderation, moderator: Moderator, thread_id: int, locked: bool) -> None:
    """A locked thread stays readable and takes no new comments or edits."""
    with moderation.db.write() as session:
        thread = stored_queue.thread_by_id_or_none(session, thread_id)
        if thread is None:
            raise NotFound("That thread does not exist.")
        moderator.require(thread.site_id)
        thread.locked = locked
        stored_rows.save(session, thread)
        versions.touch_thread(session, thread_id)


# Bans ----------------------------------------------------------------------------------------


def _until(days: int | None) -> datetime | None:
    if days is None:
        return None
    if not 1 <= days <= 36500:
        raise InvalidInput("A ban lasts from 1 day to 100 years, or for good.", field="days")
    return utcnow() + timedelta(days=days)


def ban_from_comment(
    moderation: Moderation,
    moderator: Moderator,
    comment_id: int,
    kinds: Iterable[BanKind],
    days: int | None,
    reason: str = "",
) -> list[Ban]:
    """Ban what this comment's sender is known by: their sign-in, browser, email or address."""
    with moderation.db.write() as session:
        comment, thread = _comment(session, moderator, comment_id)
        values = {
            BanKind.USER: str(comment.user_id) if comment.user_id else None,
            BanKind.CLIENT: comment.client_hash,
            BanKind.EMAIL: comment.author_email.lower() if comment.author_email else None,
            BanKind.IP: comment.ip_hash,
        }
        until = _until(days)
        bans = []
        for kind in kinds:
            value = values[kind]
            if value:
                ban = Ban(
                    site_id=thread.site_id,
                    kind=kind,
                    value=value,
                    until=until,
                    reason=reason[:300],
                    created_by=moderator.label,
                )
                stored_rows.save(session, ban)
                bans.append(ban)
        if not bans:
            raise InvalidInput("This comment carries nothing of that kind to ban.", field="kind")
    return bans


def ban_email(
    moderation: Moderation, moderator: Moderator, site_id: str, email: str, days: int | None, reason: str = ""
) -> Ban:
    moderator.require(site_id)
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise InvalidInput("Give an email address to ban.", field="email")
    with moderation.db.write() as session:
        ban = Ban(
            site_id=site_id, kind=BanKind.EMAIL, value=email, until=_until(days), reason=reason[:300],
            created_by=moderator.label,
        )  # fmt: skip
        stored_rows.save(session, ban)
    return ban


def bans(moderation: Moderation, moderator: Moderator) -> list[Ban]:
    with moderation.db.read() as session:
        return list(stored_bans.bans(session, moderator.sites, utcnow()))


def unban(moderation: Moderation, moderator: Moderator, ban_id: int) -> None:
    with moderation.db.write() as session:
        ban = stored_bans.ban_by_id(session, ban_id)
        if ban is None:
            raise NotFound("That ban does not exist (any more).")
        moderator.require(ban.site_id)
        stored_rows.remove(session, ban)

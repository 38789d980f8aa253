"""What moderators do: the queue, approve / spam / trash / restore / delete, edit, pin, lock.

Functions take a ``Moderator`` (who acts, on which sites) and plain values, check the
moderator's right to the site of every row they touch, and raise domain errors. The admin
pages, the email action links and the CLI all call these, so all obey the same rules.
Bans are in ``admin/bans.py``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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
from commentbox.store import comments as stored_comments
from commentbox.store import queue as stored_queue
from commentbox.store import rows as stored_rows
from commentbox.store import versions
from commentbox.store.db import Database
from commentbox.store.models import Comment, CommentStatus, Role, Site, Thread, utcnow

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
    TRASH = "trash"  # out of view, kept with its status: Undo / Restore gives it back
    RESTORE = "restore"
    DELETE = "delete"  # for good (a tombstone if it has replies)


# What a moderator's notification mail offers, one link each: the decision on a new comment.
MAIL_ACTIONS = (Action.APPROVE, Action.SPAM, Action.DELETE)


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


def comment_for_moderator(session: Session, moderator: Moderator, comment_id: int) -> tuple[Comment, Thread]:
    comment = stored_comments.comment_by_id(session, comment_id, lock=True)
    if comment is None:
        raise NotFound("That comment does not exist (any more).")
    thread = stored_comments.thread_by_id(session, comment.thread_id)
    moderator.require(thread.site_id)
    return comment, thread


def _announce_within(
    moderation: Moderation,
    session: Session,
    before: CommentStatus,
    after: CommentStatus,
    comment: Comment,
    thread: Thread,
    site: Site | None,
) -> None:
    """Tell the in-transaction listeners (the webhook outbox) what this action changed. A
    webhook heard of the comment when it arrived, held or not: so publishing it (or giving
    it back) is ``comment.approved``, and taking it away from the thread or the queue
    (spam, trash, delete) is ``comment.deleted``."""
    if site is None or after is before:
        return
    if after is CommentStatus.APPROVED:
        event = "comment.approved"
    elif after in (CommentStatus.SPAM, CommentStatus.TRASH, CommentStatus.DELETED):
        event = "comment.deleted"
    else:
        return
    moderation.events.within(session.connection(), event, comment=comment, site=site, thread_url=thread.url)


def apply(moderation: Moderation, moderator: Moderator, comment_ids: Sequence[int], action: Action) -> int:
    """Approve, mark as spam, trash, restore or delete each comment; returns how many changed.

    All or nothing: one comment on a site the moderator does not moderate refuses the lot.
    Trash keeps the comment and its status, which ``RESTORE`` gives back (Undo); only
    ``DELETE`` removes it for good.
    """
    published: list[tuple[str, Comment, Site]] = []  # (event, comment, site) once committed
    changed = 0
    with moderation.db.write() as session:
        for comment_id in dict.fromkeys(comment_ids):
            comment, thread = comment_for_moderator(session, moderator, comment_id)
            before = CommentStatus(comment.status)
            if action is Action.DELETE:
                remove(session, comment)
                after = CommentStatus.DELETED
            else:
                after = _next_status(comment, before, action)
                if after is before:
                    continue
                comment.trashed_from = before if after is CommentStatus.TRASH else None
                comment.status = after
                stored_rows.save(session, comment)
                shown = int(after is CommentStatus.APPROVED) - int(before is CommentStatus.APPROVED)
                versions.touch_thread(session, thread.id, shown)  # type: ignore[arg-type]
            site = stored_rows.site_by_id(session, thread.site_id)
            event = _event(before, after, action)
            if event is not None:
                published.append((event, comment, site))  # type: ignore[arg-type]
            _announce_within(moderation, session, before, after, comment, thread, site)
            changed += 1
    for event, comment, site in published:
        moderation.events.emit(event, comment=comment, site=site)
    return changed


def _next_status(comment: Comment, before: CommentStatus, action: Action) -> CommentStatus:
    """The status ``action`` gives a comment now ``before`` (``before`` itself: no change)."""
    if before is CommentStatus.DELETED:
        return before  # a tombstone keeps nothing to approve or restore
    if action is Action.RESTORE:
        if before is not CommentStatus.TRASH:
            return before
        return CommentStatus(comment.trashed_from or CommentStatus.PENDING)
    return {
        Action.APPROVE: CommentStatus.APPROVED,
        Action.SPAM: CommentStatus.SPAM,
        Action.TRASH: CommentStatus.TRASH,
    }[action]


def _event(before: CommentStatus, after: CommentStatus, action: Action) -> str | None:
    """What caches, live readers and mail hear: a comment published for the first time is
    ``comment.approved`` (subscribers get their reply mail), one given back by Undo is
    ``comment.restored`` (no second mail), one leaving the public thread ``comment.deleted``."""
    if before is CommentStatus.APPROVED and after is not CommentStatus.APPROVED:
        return "comment.deleted"
    if after is CommentStatus.APPROVED and before is not CommentStatus.APPROVED:
        return "comment.restored" if action is Action.RESTORE else "comment.approved"
    return None


def edit(moderation: Moderation, moderator: Moderator, comment_id: int, body: str) -> None:
    """A moderator's correction, through the same sanitizer as every other write."""
    if not body.strip():
        raise InvalidInput("The comment text must not be empty.", field="body")
    if len(body) > moderation.max_body_chars:
        raise InvalidInput(
            f"The comment text is at most {moderation.max_body_chars} characters.", field="body"
        )
    with moderation.db.write() as session:
        comment, thread = comment_for_moderator(session, moderator, comment_id)
        if comment.status == CommentStatus.DELETED:
            raise NotFound("That comment was deleted.")
        site = stored_rows.site_by_id(session, thread.site_id)
        comment.body = body
        comment.html = render_markdown(body, allow_images=bool(site and site.allow_images))
        comment.text_hash = text_hash(body)
        comment.edited = utcnow()
        stored_rows.save(session, comment)
        versions.touch_thread(session, thread.id)  # type: ignore[arg-type]
        if site is not None:
            moderation.events.within(
                session.connection(), "comment.edited", comment=comment, site=site, thread_url=thread.url
            )
    if site is not None and comment.status == CommentStatus.APPROVED:
        moderation.events.emit("comment.edited", comment=comment, site=site)


def pin(moderation: Moderation, moderator: Moderator, comment_id: int, pinned: bool) -> None:
    """A pinned top-level comment is shown first, whatever the sort order."""
    with moderation.db.write() as session:
        comment, thread = comment_for_moderator(session, moderator, comment_id)
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

"""Threads: which page a request means, and its comments arranged for reading.

The hot path that serves these pages from memory (and decides when to rebuild them with
``build_page``) is ``reading.py``.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from commentbox.domain.avatars import picture_url
from commentbox.domain.schemas import (
    AuthorPublic,
    CommentPublic,
    Identity,
    ReplyTarget,
    ThreadPage,
    ThreadPublic,
)
from commentbox.domain.screening import closed
from commentbox.domain.urls import InvalidURL, canonical_url, origin_of
from commentbox.errors import Forbidden, InvalidInput
from commentbox.store import comments as stored_comments
from commentbox.store import versions
from commentbox.store.db import Database
from commentbox.store.models import CommentStatus, LinkbackKind, Site, User

if TYPE_CHECKING:  # only for annotations: the keys are passed in
    from commentbox.keys import Keys

MAX_COUNT_URLS = 100
LINKBACK_KINDS = frozenset(LinkbackKind)


@dataclass(frozen=True)
class Presentation:
    """What turning stored rows into public shapes needs: the keys behind avatar URLs
    (guests' identicons, signed-in users' pictures served by us), the server's public
    address, and how deep replies nest."""

    keys: Keys
    base_url: str
    max_depth: int

    def identicon(self, key: str) -> str:
        """The generated avatar for ``key``: a guest's own, and the one a signed-in person's
        picture falls back to when the provider's fails to load (or there is none)."""
        return f"{self.base_url}/avatars/{self.keys.avatar_key(key)}.svg"

    def user_identicon(self, user_id: int | None) -> str:
        return self.identicon(f"user|{user_id}")

    def identity(self, user: User) -> Identity:
        """A signed-in person as the widget's "Commenting as" line shows them."""
        identicon = self.user_identicon(user.id)
        avatar = picture_url(self.keys, self.base_url, user.id, user.avatar) or identicon
        return Identity(name=user.name, avatar=avatar, provider=user.provider, identicon=identicon)


class Sort(StrEnum):
    OLDEST = "oldest"
    NEWEST = "newest"
    TOP = "top"


@dataclass(frozen=True)
class ThreadRef:
    """A page: ``key`` identifies its thread; ``url`` is its canonical address, if known."""

    key: str
    url: str | None
    page_id: str | None = None


def resolve_ref(site: Site, url: str | None, page_id: str | None) -> ThreadRef:
    """Key a page by its explicit id, else by its canonical URL, which must be the site's own."""
    canonical = None
    if url:
        try:
            canonical = canonical_url(url, frozenset(site.query_params))
            origin = origin_of(canonical)
        except InvalidURL as exc:
            raise InvalidInput(f"The page URL is not valid: {exc}.", field="url") from None
        if origin not in site.origins:
            raise Forbidden("This page's address is not on an origin registered for this site.")
    if page_id:
        return ThreadRef(key=f"id:{page_id}", url=canonical, page_id=page_id)
    if canonical is None:
        raise InvalidInput("Give the page's url or page_id.", field="url")
    return ThreadRef(key=canonical, url=canonical)


# Presenting ----------------------------------------------------------------------------


class Presenter:
    """Turns stored rows into public shapes; the one place that decides what a viewer sees."""

    def __init__(self, presentation: Presentation) -> None:
        self._presentation = presentation

    def author(self, row: Any) -> AuthorPublic:
        if row.status == CommentStatus.DELETED:
            return AuthorPublic(name=None, avatar=None, provider=None)
        if linkback_kind(row) is not None:  # another page: its title and address, no picture
            return AuthorPublic(name=row.author_name, avatar=None, provider=None, website=row.author_website)
        if row.user_provider is not None:
            identicon = self._presentation.user_identicon(row.user_id)
            p = self._presentation
            return AuthorPublic(
                name=row.user_name,
                avatar=picture_url(p.keys, p.base_url, row.user_id, row.user_avatar) or identicon,
                provider=row.user_provider,
                identicon=identicon,
            )
        return AuthorPublic(
            name=row.author_name,
            avatar=self._presentation.identicon(row.author_email or row.author_name),
            provider=None,
            website=row.author_website,
        )

    def comment(self, row: Any) -> CommentPublic:
        deleted = row.status == CommentStatus.DELETED
        return CommentPublic(
            id=row.id,
            parent=row.parent_id,
            thread=row.thread_id,
            author=self.author(row),
            html="" if deleted else row.html,
            created=row.created,
            edited=row.edited,
            score=row.score,
            status=None if row.status == CommentStatus.APPROVED else str(row.status),
            deleted=deleted,
            pinned=bool(row.pinned),
            kind=linkback_kind(row),
        )


def linkback_kind(row: Any) -> str | None:
    """``pingback``, ``trackback`` or ``webmention`` for a linkback's row, else None. Rows of
    comments just posted are built without the column (a post is never a linkback)."""
    kind = getattr(row, "kind", None)
    return kind if kind in LINKBACK_KINDS else None


def arrange(comments: Sequence[CommentPublic], max_depth: int) -> list[CommentPublic]:
    """Nest replies under their parents (in the given order); return the top-level comments.

    Replies deeper than ``max_depth`` hang from their ancestor at ``max_depth`` with an
    ``in_reply_to`` marker, so deep back-and-forths stay readable on a phone. Tombstones
    with no remaining replies are dropped. Any order is fine — a reply stamped before its
    parent (clocks of two machines disagree) still lands under it — and a parent cycle in
    the data is cut at its first comment, which is shown at the top level.
    """
    by_id = {c.id: c for c in comments}
    children: dict[int, list[CommentPublic]] = {}
    for comment in comments:
        if comment.parent is not None and comment.parent in by_id and comment.parent != comment.id:
            children.setdefault(comment.parent, []).append(comment)
    depth: dict[int, int] = {}
    container: dict[int, CommentPublic | None] = {}  # whose ``replies`` a comment sits in

    def place_from(root: CommentPublic) -> None:
        depth[root.id], container[root.id] = 1, None
        stack = [root]
        while stack:
            parent = stack.pop()
            for child in children.get(parent.id, ()):
                if child.id in depth:
                    continue  # a cycle back into what is placed already
                if depth[parent.id] < max_depth:
                    depth[child.id], container[child.id] = depth[parent.id] + 1, parent
                else:
                    depth[child.id], container[child.id] = max_depth, container[parent.id]
                    child.in_reply_to = ReplyTarget(id=parent.id, name=parent.author.name)
                stack.append(child)

    for comment in comments:
        if comment.parent is None or comment.parent not in by_id or comment.parent == comment.id:
            place_from(comment)
    for comment in comments:  # only cycles are left unplaced
        if comment.id not in depth:
            place_from(comment)
    top: list[CommentPublic] = []
    for comment in comments:
        host = container[comment.id]
        (top if host is None else host.replies).append(comment)
    return _prune_tombstones(top)


def _prune_tombstones(nodes: list[CommentPublic]) -> list[CommentPublic]:
    kept = []
    for node in nodes:
        node.replies = _prune_tombstones(node.replies)
        if not node.deleted or node.replies:
            kept.append(node)
    return kept


def _sort_key(sort: Sort) -> Callable[[CommentPublic], Any]:
    """Pinned comments first, then the visitor's chosen order."""
    if sort is Sort.NEWEST:
        return lambda c: (not c.pinned, -c.created.timestamp(), -c.id)
    if sort is Sort.TOP:
        return lambda c: (not c.pinned, -c.score, c.created, c.id)
    return lambda c: (not c.pinned, c.created, c.id)


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, offset = raw.split(":")
        if kind != "o" or not offset.isdigit():
            raise ValueError(raw)
        return int(offset)
    except ValueError:
        raise InvalidInput("The cursor is not one this server gave out.", field="cursor") from None


# Reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadRequest:
    site: Site
    ref: ThreadRef
    sort: Sort = Sort.OLDEST
    limit: int = 100
    cursor: str | None = None


def build_page(presentation: Presentation, session: Session, request: ReadRequest) -> ThreadPage:
    """Load and arrange one page of a thread (the cache-miss path)."""
    row = versions.thread_version(session, request.site.id, request.ref.key)
    offset = decode_cursor(request.cursor)
    thread = ThreadPublic(
        id=row.id if row else None,
        site=request.site.id,
        url=(row.url or None) if row else request.ref.url,
        page_id=request.ref.page_id,
        title=row.title if row else "",
        count=row.comment_count if row else 0,
        locked=bool(row and closed(request.site, row.locked, row.created)),
    )
    if row is None:
        return ThreadPage(thread=thread, comments=[], next=None)
    presenter = Presenter(presentation)
    comments = [presenter.comment(r) for r in stored_comments.visible_comments(session, row.id)]
    top = sorted(arrange(comments, presentation.max_depth), key=_sort_key(request.sort))
    page = top[offset : offset + request.limit]
    more = offset + request.limit < len(top)
    return ThreadPage(
        thread=thread, comments=page, next=encode_cursor(offset + request.limit) if more else None
    )


def live_state(
    db: Database, presentation: Presentation, thread_id: int, comment_id: int
) -> tuple[CommentPublic | None, int]:
    """A comment as the public thread shows it now (a tombstone if deleted under replies;
    ``None`` while only its author may see it, or once it is gone), and the thread's count."""
    with db.read() as session:
        row = stored_comments.comment_row(session, comment_id)
        count = stored_comments.thread_by_id(session, thread_id).comment_count
    if row is None or row.status not in (CommentStatus.APPROVED, CommentStatus.DELETED):
        return None, count
    return Presenter(presentation).comment(row), count

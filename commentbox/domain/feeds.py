"""What a comment feed holds: a site's (or one thread's) newest published comments as they
read now — edited text, removed comments gone — in public shapes only.

Rendering them as Atom is ``html/feeds.py``; ``GET /feeds/{site}.atom`` is
``http/routes/feeds.py``. Example::

    feed = read_feed(db, presentation, "blog", url="https://blog.example/posts/hello/")
    feed.thread.title, [entry.comment.author.name for entry in feed.entries]
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from commentbox.domain.schemas import CommentPublic
from commentbox.domain.sites import get_site
from commentbox.domain.threads import Presentation, Presenter, resolve_ref
from commentbox.errors import NotFound
from commentbox.store import feeds as stored_feeds
from commentbox.store import versions
from commentbox.store.db import Database
from commentbox.store.models import Site

FEED_ENTRIES = 50  # a feed reader polls; the newest fifty cover any sensible interval


@dataclass(frozen=True)
class FeedThread:
    """The page a thread feed follows: its thread's id, its canonical URL (None for a page
    known only by ``page_id``), its title and its key."""

    id: int
    url: str | None
    title: str
    key: str
    page_id: str | None = None


@dataclass(frozen=True)
class FeedEntry:
    """One published comment and the page it was written on."""

    comment: CommentPublic
    page: FeedThread


@dataclass(frozen=True)
class Feed:
    """A site's feed (``thread`` None) or one thread's; entries newest first."""

    site: Site
    thread: FeedThread | None
    entries: list[FeedEntry]


def feed_path(site_id: str, url: str | None = None, page_id: str | None = None) -> str:
    """Where a feed is served: ``/feeds/{site}.atom``, with ``?page_id=`` or ``?url=`` for one
    page's thread."""
    path = f"/feeds/{site_id}.atom"
    if page_id:
        return f"{path}?{urlencode({'page_id': page_id})}"
    return f"{path}?{urlencode({'url': url})}" if url else path


def _page(thread_id: int, url: str | None, title: str, key: str) -> FeedThread:
    page_id = key.removeprefix("id:") if key.startswith("id:") else None
    return FeedThread(id=thread_id, url=url or None, title=title, key=key, page_id=page_id)


def read_feed(
    db: Database,
    presentation: Presentation,
    site_id: str,
    *,
    url: str | None = None,
    page_id: str | None = None,
    limit: int = FEED_ENTRIES,
) -> Feed:
    """The site's newest published comments, or one thread's when ``url`` or ``page_id`` names
    a page. ``NotFound`` for an unknown site, a site whose feeds are off, or a page with no
    thread; the page URL must be on one of the site's origins (as for reading the thread)."""
    with db.read() as session:
        site = get_site(session, site_id)
        if not site.feeds:
            raise NotFound("This site publishes no feed.")
        thread: FeedThread | None = None
        thread_id: int | None = None
        if url or page_id:
            ref = resolve_ref(site, url, page_id)
            row = versions.thread_version(session, site.id, ref.key)
            if row is None:
                raise NotFound("There is no thread for this page.")
            thread_id = row.id
            thread = _page(row.id, row.url or ref.url, row.title, ref.key)
        rows = stored_feeds.newest_published(session, site.id, thread_id, limit)
        presenter = Presenter(presentation)
        entries = [
            FeedEntry(presenter.comment(r), _page(r.thread_id, r.thread_url, r.thread_title, r.thread_key))
            for r in rows
        ]
    return Feed(site=site, thread=thread, entries=entries)

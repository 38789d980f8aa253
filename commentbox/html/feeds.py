"""Atom 1.0 (RFC 4287) documents of comment feeds, built with feedgen.

Why feedgen: it serializes through lxml, so every name, title and body is escaped by an XML
serializer rather than by a template, and it refuses a feed without the elements RFC 4287
requires (id, title, updated). What XML 1.0 cannot carry at all (control characters an
imported body may hold) is dropped first — lxml would refuse the whole document otherwise.

Entry ids are tag URIs (RFC 4151) minted from this server's host and the site's creation
date, ``tag:comments.example,2026-12-07:blog/comment/42``: stable for as long as the
comment lives, whichever page address it is read under.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import urlencode, urlsplit

from feedgen.feed import FeedGenerator

from commentbox import __version__
from commentbox.domain.feeds import Feed, FeedEntry, FeedThread, feed_path
from commentbox.html.render import safe_url

ATOM_TYPE = "application/atom+xml"
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str) -> str:
    """``value`` without the characters XML 1.0 forbids (C0 controls but TAB, CR, LF; U+FFFE/F)."""
    return _NOT_XML.sub("", value)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class _Minter:
    """Ids and links of one feed's document."""

    def __init__(self, feed: Feed, base_url: str) -> None:
        self._base = base_url.rstrip("/")
        host = urlsplit(self._base).hostname or "localhost"
        self._prefix = f"tag:{host},{_utc(feed.site.created):%Y-%m-%d}:{feed.site.id}"
        self._site = feed.site

    def id(self, what: str) -> str:
        return f"{self._prefix}/{what}"

    def page(self, page: FeedThread) -> str:
        """Where a reader sees the thread: the page itself, else its no-JavaScript page."""
        url = safe_url(page.url)
        if url is not None and page.page_id is None:
            return url
        query = {"page_id": page.page_id} if page.page_id else {"url": page.url or ""}
        return f"{self._base}/threads/{self._site.id}?{urlencode(query)}"

    def home(self) -> str:
        """The site's first origin, where its pages live (this server, for a site with none)."""
        return (safe_url(f"{self._site.origins[0]}/") if self._site.origins else None) or self._base


def _page_name(page: FeedThread) -> str:
    return page.title or page.url or page.page_id or page.key


def _add_entry(generator: FeedGenerator, mint: _Minter, entry: FeedEntry, in_thread: bool) -> None:
    comment, author = entry.comment, entry.comment.author
    name = xml_text(author.name or "") or "Anonymous"
    item = generator.add_entry(order="append")
    item.id(mint.id(f"comment/{comment.id}"))
    item.title(name if in_thread else f"{name} on {xml_text(_page_name(entry.page))}")
    person = {"name": name}
    website = safe_url(author.website)
    if website:
        person["uri"] = xml_text(website)
    item.author(person)
    item.link(href=f"{mint.page(entry.page)}#comment-{comment.id}", rel="alternate", type="text/html")
    item.published(_utc(comment.created))
    item.updated(_utc(comment.edited or comment.created))
    if xml_text(comment.html).strip():
        item.content(xml_text(comment.html), type="html")


def atom(feed: Feed, base_url: str) -> bytes:
    """The feed as an Atom document (UTF-8 bytes); the same feed gives the same bytes."""
    mint = _Minter(feed, base_url)
    generator = FeedGenerator()
    site_name = xml_text(feed.site.name) or feed.site.id
    if feed.thread is None:
        generator.id(mint.id("comments"))
        generator.title(f"Comments on {site_name}")
        generator.link(href=mint.home(), rel="alternate", type="text/html")
    else:
        generator.id(mint.id(f"thread/{feed.thread.id}"))
        generator.title(f"Comments on {xml_text(_page_name(feed.thread))}")
        generator.link(href=mint.page(feed.thread), rel="alternate", type="text/html")
    followed = feed.thread
    path = feed_path(feed.site.id, followed.url, followed.page_id) if followed else feed_path(feed.site.id)
    self_url = base_url.rstrip("/") + path
    generator.link(href=self_url, rel="self", type=ATOM_TYPE)
    generator.author({"name": site_name})
    generator.generator("commentbox", version=__version__)
    generator.language("en")
    newest = max((_utc(e.comment.edited or e.comment.created) for e in feed.entries), default=None)
    generator.updated(newest or _utc(feed.site.created))
    for entry in feed.entries:
        _add_entry(generator, mint, entry, in_thread=feed.thread is not None)
    return generator.atom_str(pretty=False)  # type: ignore[no-any-return]

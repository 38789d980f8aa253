"""What a source page says about itself, read from its HTML: does it link here, and with
which title, author, time and excerpt.

The page is parsed once, with BeautifulSoup's HTML parser (html5lib, mf2py's default, took
seconds on a 1 MiB page); the link must be a real ``<a href>`` (a URL in a comment or a
script does not count, as the Webmention spec asks), resolved against ``<base>`` and the
page's URL. Title, author, published time and excerpt come from the first h-entry (mf2py),
else from ``<title>`` and the text around the link. Everything comes out as plain text,
one line, cut to length: the page's markup, scripts included, never survives.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import mf2py
from bs4 import BeautifulSoup, Tag

from commentbox.domain.text import clean_name, shorten

TITLE_CHARS = 200
AUTHOR_CHARS = 100
EXCERPT_CHARS = 300
_LONE_SURROGATES = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class SourceFacts:
    """A source page that links here, as the thread shows it."""

    title: str
    author: str
    published: datetime | None
    excerpt: str


def plain(value: object, limit: int) -> str:
    """Any value from the page as one line of text of at most ``limit`` characters."""
    text = _LONE_SURROGATES.sub("", str(value or "")).replace("\x00", " ")
    return shorten(clean_name(text), limit)


def _links(soup: BeautifulSoup, url: str) -> list[Tag]:
    base = soup.find("base", href=True)
    root = urljoin(url, str(base["href"])) if isinstance(base, Tag) else url
    anchors = [a for a in soup.find_all("a", href=True) if isinstance(a, Tag)]
    for anchor in anchors:
        anchor["data-resolved"] = urljoin(root, str(anchor["href"]).strip())
    return anchors


def read_source(html: str, url: str, links_here: Callable[[str], bool]) -> SourceFacts | None:
    """The facts of a page at ``url``, or None when none of its ``<a href>`` passes ``links_here``."""
    soup = BeautifulSoup(html, "html.parser")
    link = next((a for a in _links(soup, url) if links_here(str(a["data-resolved"]))), None)
    if link is None:
        return None
    entry = _first_entry(mf2py.parse(doc=soup, url=url).get("items", []))
    props: dict[str, Any] = entry.get("properties", {}) if entry else {}
    title = _first_text(props.get("name")) or _page_title(soup) or (urlsplit(url).hostname or url)
    excerpt = _first_text(props.get("summary")) or _first_text(props.get("content")) or _around(link)
    if excerpt.startswith(title):  # an implied name is often the whole text
        title = _page_title(soup) or title
    return SourceFacts(
        title=plain(title, TITLE_CHARS),
        author=plain(_author(props.get("author")), AUTHOR_CHARS),
        published=_published(_first_text(props.get("published"))),
        excerpt=plain(excerpt, EXCERPT_CHARS),
    )


def _first_entry(items: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The first h-entry, at the top or inside an h-feed."""
    for item in items:
        if "h-entry" in item.get("type", ()):
            return item
        found = _first_entry(item.get("children", []))
        if found:
            return found
    return None


def _first_text(values: Any) -> str:
    if not values:
        return ""
    value = values[0]
    if isinstance(value, dict):  # e-content: {"html", "value"}; an embedded item: its value
        return str(value.get("value", ""))
    return str(value)


def _author(values: Any) -> str:
    if not values:
        return ""
    value = values[0]
    if isinstance(value, dict):
        return _first_text(value.get("properties", {}).get("name")) or str(value.get("value", ""))
    return str(value)


def _page_title(soup: BeautifulSoup) -> str:
    title = soup.find("title")
    return title.get_text(" ", strip=True) if isinstance(title, Tag) else ""


def _around(link: Tag) -> str:
    """The text of the block that holds the link (a paragraph, a list item …)."""
    block = link.find_parent(["p", "li", "blockquote", "td", "div", "section", "article"])
    return (block or link).get_text(" ", strip=True)


def _published(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)

"""Which thread an imported page lands in: ``--map-url`` first, then the live canonical-URL policy.

Using ``domain/urls.py`` with the site's ``query_params`` is what merges the variants an old
system kept apart (``http``/``https``, a trailing slash, tracking queries) into the one
thread a visitor's browser will ask for; a page off the site's origins is refused here as
it would be refused live, and the report lists it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from commentbox.domain.urls import InvalidURL, canonical_url, origin_of
from commentbox.errors import InvalidInput
from commentbox.store.models import Site


class Refused(ValueError):
    """The page cannot be a thread of this site; the message says why."""


@dataclass(frozen=True)
class UrlMap:
    """``OLD=NEW`` prefix rewrites; the longest matching prefix wins."""

    rules: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, values: Sequence[str]) -> UrlMap:
        rules = []
        for value in values:
            old, sep, new = value.partition("=")
            if not sep or not old.strip() or not new.strip():
                raise InvalidInput(f"--map-url takes OLD_PREFIX=NEW_PREFIX, not “{value}”.")
            rules.append((old.strip(), new.strip()))
        return cls(tuple(sorted(rules, key=lambda rule: len(rule[0]), reverse=True)))

    def apply(self, url: str) -> str:
        for old, new in self.rules:
            if url.startswith(old):
                return new + url[len(old) :]
        return url


MAX_PAGE_ID = 2000


def thread_key(site: Site, url: str, url_map: UrlMap, page_id: str | None = None) -> tuple[str, str]:
    """``(thread key, canonical URL)`` of an imported page, or ``Refused``. With a page id the
    key is ``id:<page id>`` as for a widget given ``data-page-id``, and the address is kept
    only if it is the site's own."""
    if page_id:
        if len(page_id) > MAX_PAGE_ID or any(ord(ch) < 32 for ch in page_id):
            raise Refused("a page id that is too long or holds control characters")
        try:
            return f"id:{page_id}", _canonical(site, url, url_map)
        except Refused:
            return f"id:{page_id}", ""
    key = _canonical(site, url, url_map)
    return key, key


def _absolute(site: Site, url: str) -> str:
    """Isso, Commento and Artalk often know a page by its path (``/post/1``), Commento by its
    host and path (``//blog.example/post/1``): such a page is on the site's origin with that
    host, whatever its scheme (``https`` when the site has none), and a bare path on the
    site's first origin."""
    if url.startswith("//"):
        host = urlsplit(url).netloc.lower()
        for origin in site.origins:
            if origin.partition("://")[2] == host:
                return origin + url[2 + len(host) :]
        return "https:" + url
    if url.startswith("/") and site.origins:
        return site.origins[0] + url
    return url


def _canonical(site: Site, url: str, url_map: UrlMap) -> str:
    mapped = url_map.apply(_absolute(site, url.strip()))
    try:
        key = canonical_url(mapped, frozenset(site.query_params))
        origin = origin_of(key)
    except InvalidURL as exc:
        raise Refused(f"not a page address ({exc})") from None
    if origin not in site.origins:
        raise Refused("outside the site's origins")
    return key

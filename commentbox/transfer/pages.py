"""Which thread an imported page lands in: ``--map-url`` first, then the live canonical-URL policy.

Using ``domain/urls.py`` with the site's ``query_params`` is what merges the variants an old
system kept apart (``http``/``https``, a trailing slash, tracking queries) into the one
thread a visitor's browser will ask for; a page off the site's origins is refused here as
it would be refused live, and the report lists it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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


def thread_key(site: Site, url: str, url_map: UrlMap) -> str:
    """The canonical URL (the thread key) of an imported page, or ``Refused``."""
    mapped = url_map.apply(url.strip())
    try:
        key = canonical_url(mapped, frozenset(site.query_params))
        origin = origin_of(key)
    except InvalidURL as exc:
        raise Refused(f"not a page address ({exc})") from None
    if origin not in site.origins:
        raise Refused("outside the site's origins")
    return key

"""Site rows kept in each process's memory, trusted only while their version is current.

Reads check a site's version in the same query as the thread's (``reading.locate``), so
keeping the row here costs no query of its own; a changed or removed site is reloaded
(or refused) on the very next request.
"""

from __future__ import annotations

from commentbox.domain.sites import get_site
from commentbox.domain.threads import ThreadRef, resolve_ref
from commentbox.domain.urls import InvalidURL, canonical_url
from commentbox.runtime.offload import blocking
from commentbox.store.db import Database
from commentbox.store.models import Site

MAX_MEMO = 4096  # page keys remembered per site before the memo starts over


class KnownSite:
    """A site row as loaded at one version, with the page keys already worked out for it."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self._refs: dict[tuple[str | None, str | None], ThreadRef] = {}
        self._keys: dict[str, str] = {}
        self._params = frozenset(site.query_params)

    def ref(self, url: str | None, page_id: str | None) -> ThreadRef:
        """``threads.resolve_ref``, remembered (canonicalizing a URL costs more than the check)."""
        found = self._refs.get((url, page_id))
        if found is None:
            found = resolve_ref(self.site, url, page_id)
            if len(self._refs) >= MAX_MEMO:
                self._refs.clear()
            self._refs[(url, page_id)] = found
        return found

    def key(self, url: str) -> str:
        """A counted URL's thread key ("" for an address that can have no thread); counts
        do not check origins, any URL is just a key."""
        found = self._keys.get(url)
        if found is None:
            try:
                found = canonical_url(url, self._params)
            except InvalidURL:
                found = ""
            if len(self._keys) >= MAX_MEMO:
                self._keys.clear()
            self._keys[url] = found
        return found


class KnownSites:
    """This process's copies of site rows; each is trusted only after a version check."""

    def __init__(self) -> None:
        self._sites: dict[str, KnownSite] = {}

    def get(self, site_id: str) -> KnownSite | None:
        return self._sites.get(site_id)

    async def load(self, db: Database, site_id: str) -> KnownSite:
        """Read the site (thread pool); ``NotFound`` if there is none."""
        return await blocking(self.load_now, db, site_id)

    def load_now(self, db: Database, site_id: str) -> KnownSite:
        """``load`` for code already off the event loop (the write path)."""
        self._sites.pop(site_id, None)
        with db.read() as session:
            known = KnownSite(get_site(session, site_id))
        self._sites[site_id] = known
        return known

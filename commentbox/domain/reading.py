"""The read hot path: thread pages and counts, from memory whenever nothing changed.

Every read asks ``reader.freshness`` one question — the site's version and the thread's
``(id, version, count)`` — and nothing else: the site row comes from this process's
``KnownSites`` (valid while its version matches), the page key from a per-site memo of
URL canonicalization, and the response bytes from ``ThreadCache`` under an ETag built
from the thread's version. Only a miss (a changed thread, a new site) reaches the thread
pool and the ORM. The widget's ``/embed/thread`` serves HTML through ``read_rendered``
with its own ``kind`` and builder, so both share the same freshness guarantee.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial

import orjson
from sqlmodel import Session

from commentbox import __version__
from commentbox.domain.known_sites import KnownSites
from commentbox.domain.threads import (
    MAX_COUNT_URLS,
    Presentation,
    ReadRequest,
    Sort,
    ThreadRef,
    build_page,
    decode_cursor,
)
from commentbox.errors import CommentboxError, InvalidInput
from commentbox.runtime.freshness import Freshness
from commentbox.runtime.threadcache import ThreadCache
from commentbox.store.db import Database
from commentbox.store.models import Site
from commentbox.store.versions import ThreadState


@dataclass(frozen=True)
class Reader:
    """The collaborators of the read path: this process's site rows and rendered bodies, the
    freshness check, and the database for a miss."""

    db: Database
    sites: KnownSites
    freshness: Freshness
    cache: ThreadCache
    presentation: Presentation


@dataclass(frozen=True)
class Located:
    """A page of a current site, and its thread's state as of this request."""

    site: Site
    ref: ThreadRef
    state: ThreadState


async def locate(reader: Reader, site_id: str, url: str | None, page_id: str | None) -> Located:
    """Find the page's thread state with one freshness check (more only if the site changed)."""
    known = reader.sites.get(site_id) or await reader.sites.load(reader.db, site_id)
    while True:
        try:
            ref = known.ref(url, page_id)
        except CommentboxError:
            # Refused by the site as we know it: make sure that is the site as it is now.
            states = await reader.freshness.check(site_id, ())
            if states.site_version == known.site.version:
                raise
            known = await reader.sites.load(reader.db, site_id)
            continue
        states = await reader.freshness.check(site_id, (ref.key,))
        if states.site_version == known.site.version:
            return Located(known.site, ref, states.thread(ref.key))
        known = await reader.sites.load(reader.db, site_id)  # changed or gone (NotFound)


@dataclass(frozen=True)
class ThreadQuery:
    """What a client asked for; ``variant`` tells apart the pages of one thread."""

    site: str
    url: str | None = None
    page_id: str | None = None
    sort: Sort = Sort.OLDEST
    limit: int = 100
    cursor: str | None = None

    def variant(self, kind: str) -> str:
        return f"{kind}|{self.sort}|{self.limit}|{self.cursor or ''}"


@dataclass(frozen=True)
class Rendered:
    """A response body and its ETag; ``body`` is None when the client's copy is current."""

    etag: str
    body: bytes | None


Builder = Callable[[Session, ReadRequest], bytes]  # carries what it needs besides the rows


@lru_cache(maxsize=4096)
def etag_of(key: str, state: ThreadState, variant: str) -> str:
    """Weak ETag: the thread's id and version, and a digest of the page key, the variant and
    this release (an upgrade may render differently). Identical on every instance."""
    seed = f"{__version__}|{key}|{variant}"
    digest = hashlib.blake2s(seed.encode(), digest_size=6).hexdigest()
    return f'W/"{state.id or 0}.{state.version}.{digest}"'


def etag_matches(etag: str, if_none_match: str | None) -> bool:
    if not if_none_match:
        return False
    tags = {t.strip() for t in if_none_match.split(",")}
    return "*" in tags or etag in tags or etag.removeprefix("W/") in tags


async def read_rendered(
    reader: Reader, query: ThreadQuery, kind: str, build: Builder, if_none_match: str | None = None
) -> Rendered:
    """One page of a thread rendered by ``build`` (JSON, HTML …), cached per thread version."""
    decode_cursor(query.cursor)  # refuse a forged cursor before anything is built
    located = await locate(reader, query.site, query.url, query.page_id)
    # The site's version too: a page shows site settings (its name, its feeds, closed threads,
    # linkback links), and a change of them shows at once.
    variant = f"{query.variant(kind)}|{located.site.version}"
    etag = etag_of(located.ref.key, located.state, variant)
    if etag_matches(etag, if_none_match):
        return Rendered(etag=etag, body=None)
    request = ReadRequest(
        site=located.site, ref=located.ref, sort=query.sort, limit=query.limit, cursor=query.cursor
    )

    def render() -> bytes:
        with reader.db.read() as session:
            return build(session, request)

    body = await reader.cache.fetch((located.site.id, etag, variant), render)
    return Rendered(etag=etag, body=body)


def _json_page(presentation: Presentation, session: Session, request: ReadRequest) -> bytes:
    return orjson.dumps(build_page(presentation, session, request).model_dump(mode="json"))


async def read_thread(reader: Reader, query: ThreadQuery, if_none_match: str | None = None) -> Rendered:
    """``GET /api/v1/threads``: the thread page as JSON bytes."""
    return await read_rendered(reader, query, "json", partial(_json_page, reader.presentation), if_none_match)


async def count_comments(
    reader: Reader, site_id: str, urls: Sequence[str], page_ids: Sequence[str] = ()
) -> dict[str, int]:
    """Published comments per page, keyed as the caller spelled each URL or page id."""
    if len(urls) + len(page_ids) > MAX_COUNT_URLS:
        raise InvalidInput(f"Ask for at most {MAX_COUNT_URLS} pages at once.", field="url")
    known = reader.sites.get(site_id) or await reader.sites.load(reader.db, site_id)
    while True:
        keys = {url: known.key(url) for url in urls}
        keys.update({page_id: f"id:{page_id}" for page_id in page_ids})
        states = await reader.freshness.check(site_id, sorted({k for k in keys.values() if k}))
        if states.site_version == known.site.version:
            return {given: states.thread(key).count if key else 0 for given, key in keys.items()}
        known = await reader.sites.load(reader.db, site_id)

"""Signed-in authors' pictures, fetched and served by this server.

Why: a thread showing Google's, X's or Facebook's picture URL makes every reader's browser
ask that provider for it (one third-party request per reader and author, with the reader's
address and the page in the referrer), and Facebook's URLs expire. So threads point at
``/avatars/{user}-{key}`` instead (``picture_url``); the first request for it fetches the
provider's picture through the safe fetcher (``outbound/``: public addresses only, 5 s,
images only, at most 256 KiB), and the bytes are kept in ``avatar_cache`` until they expire.

``key`` is ``Keys.picture_key(user, provider URL)``: a new provider URL (a new picture, a
re-signed Facebook URL) gives a new address, so browsers may cache each one for long, and
nobody can name a URL for the server to fetch. A picture that cannot be fetched is
remembered as missing for an hour (``RETRY_SECONDS``); meanwhile the identicon stands in.
"""

from __future__ import annotations

import hmac
import logging
import re
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from commentbox.keys import Keys
from commentbox.outbound.fetch import Fetcher, FetchRefused
from commentbox.store import avatars as stored_avatars
from commentbox.store import users
from commentbox.store.db import Database
from commentbox.store.models import AvatarCache, utcnow

log = logging.getLogger(__name__)

PICTURE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})  # never SVG
MAX_PICTURE_BYTES = 256 * 1024
RETRY_SECONDS = 3600
_KEY = re.compile(r"^([1-9][0-9]{0,9})-([0-9a-f]{32})$")


def picture_url(keys: Keys, base_url: str, user_id: int | None, source_url: str | None) -> str | None:
    """Where readers load a signed-in user's picture: this server's ``/avatars/…``, never the
    provider. A picture this server serves already (the demo providers' identicons) stays."""
    if not source_url or user_id is None:
        return None
    own = f"{base_url}/avatars/"
    if source_url.startswith(own):
        return source_url
    return f"{own}{user_id}-{keys.picture_key(user_id, source_url)}"


@dataclass(frozen=True)
class Pictures:
    """The collaborators of serving pictures: where they are cached, the fetcher, the keys
    that sign their addresses, and how long a fetched one is kept."""

    db: Database
    fetcher: Fetcher
    keys: Keys
    cache_seconds: int
    # One fetch per user at a time in this process: the readers of a popular thread who
    # arrive together wait for the first one's fetch instead of each making their own.
    _fetching: defaultdict[int, threading.Lock] = field(default_factory=lambda: defaultdict(threading.Lock))


@dataclass(frozen=True)
class Picture:
    media_type: str
    body: bytes


def _fetch(fetcher: Fetcher, url: str) -> Picture | None:
    try:
        fetched = fetcher.get(url, accept=PICTURE_TYPES, max_bytes=MAX_PICTURE_BYTES)
    except FetchRefused as refused:
        log.info("avatar not fetched: %s", refused.reason)
        return None
    if fetched.status != 200 or fetched.media_type not in PICTURE_TYPES:
        log.info("avatar not fetched: the provider answered %s", fetched.status)
        return None
    return Picture(fetched.media_type, fetched.body)


def _cached(pictures: Pictures, user_id: int, digest: str) -> tuple[str | None, Picture | None, bool]:
    """``(provider URL, cached picture, whether the cache answers)`` for the user named by an
    avatar key; no URL when the user is gone, has no picture, or the key is not theirs."""
    with pictures.db.read() as session:
        user = users.user_by_id(session, user_id)
        cached = stored_avatars.cached_picture(session, user_id)
    source = user.avatar if user is not None else None
    if not source or not hmac.compare_digest(pictures.keys.picture_key(user_id, source), digest):
        return None, None, True
    if cached is None or cached.source_url != source or cached.expires <= utcnow():
        return source, None, False
    return source, Picture(cached.media_type, cached.body) if cached.body is not None else None, True


def picture(pictures: Pictures, key: str) -> Picture | None:
    """The picture behind ``/avatars/{key}``, fetched now if it is not cached (or its cache
    expired, or the user's provider URL changed since); None when there is none to show —
    an unknown or forged key, a user without a picture, a fetch that failed."""
    found = _KEY.match(key)
    if found is None:
        return None
    user_id, digest = int(found.group(1)), found.group(2)
    source, cached, answered = _cached(pictures, user_id, digest)
    if answered or source is None:
        return cached
    with pictures._fetching[user_id]:
        source, cached, answered = _cached(pictures, user_id, digest)  # fetched while we waited?
        if answered or source is None:
            return cached
        return _fetch_and_keep(pictures, user_id, source)


def _fetch_and_keep(pictures: Pictures, user_id: int, source: str) -> Picture | None:
    now = utcnow()
    fetched = _fetch(pictures.fetcher, source)
    keep = timedelta(seconds=pictures.cache_seconds if fetched else RETRY_SECONDS)
    row = AvatarCache(
        user_id=user_id,
        source_url=source,
        media_type=fetched.media_type if fetched else "",
        body=fetched.body if fetched else None,
        expires=now + keep,
    )
    with pictures.db.write() as session:
        stored_avatars.keep_picture(session, row)
    return fetched

"""Safe retries of a post: the same ``Idempotency-Key`` from the same site and identity
within 24 hours answers the comment the first try made (same id, same status code).

The key is hashed together with the site and the identity (the signed-in user, else the
guest's browser token, else their address hash), so a key replayed by someone else names
nothing of theirs: it simply posts their own comment.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import Connection

from commentbox.domain.visitors import Visitor
from commentbox.errors import MalformedRequest
from commentbox.store import posted_keys
from commentbox.store.models import utcnow

MAX_KEY_CHARS = 255


class KeyTaken(Exception):
    """Another transaction recorded this key first: this one rolls back, and its retry finds
    the key (``groupcommit`` retries each unit of a failed group alone)."""


def checked_key(value: str | None) -> str | None:
    """The header's value if it is a key (1–255 visible ASCII characters), else a 400."""
    if value is None:
        return None
    if not 1 <= len(value) <= MAX_KEY_CHARS or not all(" " < c <= "~" for c in value):
        raise MalformedRequest("An Idempotency-Key is 1 to 255 visible ASCII characters.")
    return value


def key_hash(site_id: str, visitor: Visitor, key: str) -> str:
    who = f"u:{visitor.user.id}" if visitor.user else f"g:{visitor.client_hash or visitor.ip_hash}"
    return hashlib.sha256(f"{site_id}\x00{who}\x00{key}".encode()).hexdigest()


def earlier(connection: Connection, hashed: str | None) -> tuple[int, bool] | None:
    """``(comment_id, held)`` of the first try, if this post is a retry."""
    return posted_keys.find(connection, hashed, utcnow()) if hashed else None


def remember(connection: Connection, hashed: str | None, comment_id: int, held: bool) -> None:
    """Record the first try's answer, in its own transaction; ``KeyTaken`` if a concurrent try won."""
    if hashed and not posted_keys.remember(connection, hashed, comment_id, held, utcnow()):
        raise KeyTaken

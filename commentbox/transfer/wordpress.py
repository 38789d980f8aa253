"""WordPress WXR (``.xml``, ``.xml.gz``, ``.zip``) → neutral entries, streamed item by item.

Read through ``xmlstream`` (hardened and streamed: each ``<item>`` is dropped once read).

Elements are matched by their local name under any WordPress export namespace
(``http``/``https``, 1.0–1.2), since real files carry each variant. Facts and pitfalls:
``../shared/IMPORT-FORMATS.md`` §1.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from typing import Any, BinaryIO

from commentbox.store.models import CommentStatus
from commentbox.transfer import xmlstream
from commentbox.transfer.model import BodyFormat, Entry, ImportedComment, ImportedThread, Kind, Skipped

SOURCE = "wordpress"
ROOT = "rss"
_WP_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/1\.\d+/$")
_DATE = "%Y-%m-%d %H:%M:%S"
_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}")
STATUSES = {
    "1": CommentStatus.APPROVED,
    "approve": CommentStatus.APPROVED,
    "0": CommentStatus.PENDING,
    "hold": CommentStatus.PENDING,
    "spam": CommentStatus.SPAM,
    "trash": CommentStatus.DELETED,
    "post-trashed": CommentStatus.DELETED,
}
KINDS = {"": Kind.COMMENT, "comment": Kind.COMMENT, "pingback": Kind.PINGBACK, "trackback": Kind.TRACKBACK}
NOTE = "a WordPress block note (private, editorial)"
LOCAL_TIME_ONLY = "only a site-local time (no valid comment_date_gmt): give --timezone"
BAD_DATE = "an impossible date"
NO_LINK = "its post has no link"


@lru_cache(maxsize=512)
def _wp_name(tag: str) -> str | None:
    """``{http://wordpress.org/export/1.2/}comment_id`` → ``comment_id``; None for another
    namespace's element. (Asked for every element of the file, hence remembered.)"""
    if not tag.startswith("{"):
        return tag
    namespace, _, local = tag[1:].partition("}")
    return local if _WP_NAMESPACE.match(namespace) else None


def _fields(element: Any) -> dict[str, str]:
    """The texts of an element's WordPress children by name, trimmed (the first of each)."""
    fields: dict[str, str] = {}
    for child in element:
        name = _wp_name(child.tag)
        if name is not None and name not in fields:
            fields[name] = (child.text or "").strip()
    return fields


def _wp(element: Any, name: str) -> str:
    return _fields(element).get(name, "")


def _plain(element: Any, name: str) -> str:
    found = element.find(name)
    return (found.text or "").strip() if found is not None else ""


def read(stream: BinaryIO, *, timezone: tzinfo | None = None, name: str = "the file") -> Iterator[Entry]:
    """Every comment of every post, in file order; ``timezone`` reads ``comment_date`` (the
    site's local time) where ``comment_date_gmt`` is missing or ``0000-00-00 …``."""
    for element in xmlstream.records(stream, ROOT, name, depth=2):
        if element.tag == "item":
            yield from _item(element, timezone)


def _item(item: Any, timezone: tzinfo | None) -> Iterator[Entry]:
    comments = [c for c in item if c.tag.startswith("{") and _wp_name(c.tag) == "comment"]
    if not comments:
        return
    link = _plain(item, "link")
    post = _wp(item, "post_id") or link
    thread = ImportedThread(url=link, title=html.unescape(_plain(item, "title")))
    for comment in comments:
        fields = _fields(comment)
        source_id = f"{post}-{fields.get('comment_id', '')}"
        if not link:
            yield Skipped(NO_LINK, source_id)
            continue
        yield _comment(fields, source_id, post, thread, timezone)


def _comment(
    fields: dict[str, str], source_id: str, post: str, thread: ImportedThread, timezone: tzinfo | None
) -> Entry:
    kind_name = fields.get("comment_type", "").lower()
    if kind_name == "note":
        return Skipped(NOTE, source_id)
    kind = KINDS.get(kind_name)
    if kind is None:
        return Skipped(f"a comment of type “{kind_name[:40]}”", source_id)
    created = _time(fields.get("comment_date_gmt", ""), UTC)
    if created is None:
        local = fields.get("comment_date", "")
        if timezone is None:
            return Skipped(LOCAL_TIME_ONLY if _time(local, UTC) else BAD_DATE, source_id)
        created = _time(local, timezone)
        if created is None:
            return Skipped(BAD_DATE, source_id)
    parent = fields.get("comment_parent", "")
    return ImportedComment(
        source_id=source_id,
        thread=thread,
        parent_id=f"{post}-{parent}" if parent not in ("", "0") else None,
        created=created,
        body=fields.get("comment_content", ""),
        body_format=BodyFormat.HTML,
        status=STATUSES.get(fields.get("comment_approved", "").lower(), CommentStatus.PENDING),
        author_name=html.unescape(fields.get("comment_author", "")),
        author_email=fields.get("comment_author_email", "") or None,
        author_website=fields.get("comment_author_url", "") or None,
        ip=fields.get("comment_author_IP", "") or None,
        kind=kind,
    )


def _time(value: str, zone: tzinfo) -> datetime | None:
    """A WXR time read in ``zone``, as UTC; None for ``0000-00-00 00:00:00`` and other nonsense."""
    try:
        # The usual shape at C speed; strptime (lenient: ``2020-1-5 3:4:5``) for the rest.
        parsed = datetime.fromisoformat(value) if _ISO.fullmatch(value) else datetime.strptime(value, _DATE)
    except ValueError:
        return None
    if parsed.year < 1990:
        return None
    return parsed.replace(tzinfo=zone).astimezone(UTC)  # a ZoneInfo's offset follows the date

"""Artalk's Artrans (``.artrans``: a JSON array of comments, gzip'd or not) → neutral entries.

Artalk exports its own comments this way, and its Artransfer tool converts Typecho, Valine,
Twikoo, WordPress and Disqus exports into it, so the values vary: every field may be a
string (``"true"``, ``"12"``) or a JSON value, ``rid`` is ``""`` or ``"0"`` at the top level,
``page_key`` a full address or a path (on the comment's ``site_urls``, else on the site's
first origin). ``is_pending`` → the moderation queue, everything else is published;
``vote_up`` minus ``vote_down`` is the score.

Times: converted files write ISO 8601 with ``Z``; Artalk itself writes Go's
``2022-04-09 17:28:47 +0800 CST``. A time without an offset is read in ``--timezone`` (it
was the Artalk server's local time), and skipped without one.

Bodies: Artalk's own comments are Markdown, which may hold HTML (Artalk renders both);
converted ones are HTML. A body with tags is read as HTML (converted like any HTML body),
one without as Markdown. Facts: ``../shared/IMPORT-FORMATS.md`` §6.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from datetime import timezone as fixed_zone
from typing import Any, BinaryIO

from commentbox.store.models import CommentStatus
from commentbox.transfer import jsonstream, values
from commentbox.transfer.files import BadFile
from commentbox.transfer.model import BodyFormat, Entry, ImportedComment, ImportedThread, Skipped

SOURCE = "artalk"
NO_ID = "a comment without an id"
NO_PAGE = "a comment without its page (page_key)"
BAD_DATE = values.BAD_DATE
NOT_IT = "is not an Artrans file (a JSON array of comments)."
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*[\s/>]")
# Go's time.Time.String(): "2006-01-02 15:04:05.999999999 -0700 MST"
_GO_TIME = re.compile(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(?:\.(\d+))? ([+-])(\d\d)(\d\d)(?: \S+)?")


def read(stream: BinaryIO, *, timezone: tzinfo | None = None, name: str = "the file") -> Iterator[Entry]:
    """Every comment, in file order."""
    for _, record in jsonstream.records(stream, name, root="array", not_it=NOT_IT):
        if not isinstance(record, dict):
            raise BadFile(f"{name} {NOT_IT}")
        yield _comment(record, timezone)


def _comment(record: dict[str, Any], zone: tzinfo | None) -> Entry:
    source_id = values.text(record.get("id"))
    if not source_id:
        return Skipped(NO_ID)
    page = values.text(record.get("page_key"))
    if not page:
        return Skipped(NO_PAGE, source_id)
    if page.startswith("/") and not page.startswith("//"):
        base = values.text(record.get("site_urls")).split(",")[0].strip().rstrip("/")
        page = base + page if base.startswith(("http://", "https://")) else page
    created = _time(record.get("created_at"), zone)
    if isinstance(created, str):
        return Skipped(created, source_id)
    body = values.text(record.get("content"))
    parent = values.text(record.get("rid"))
    return ImportedComment(
        source_id=source_id,
        thread=ImportedThread(url=page, title=values.text(record.get("page_title"))),
        parent_id=parent if parent not in ("", "0") else None,
        created=created,
        body=body,
        body_format=BodyFormat.HTML if _TAG.search(body) else BodyFormat.MARKDOWN,
        status=CommentStatus.PENDING if values.flag(record.get("is_pending")) else CommentStatus.APPROVED,
        author_name=values.name(record.get("nick")),
        author_email=values.optional(record.get("email")),
        author_website=values.optional(record.get("link")),
        ip=values.optional(record.get("ip")),
        score=values.score(record.get("vote_up"), record.get("vote_down")),
    )


def _time(value: Any, zone: tzinfo | None) -> datetime | str:
    """The time as UTC, or the reason it is skipped."""
    found = values.text(value)
    go = _GO_TIME.fullmatch(found)
    if go:
        stamp, fraction, sign, hours, minutes = go.groups()
        offset = timedelta(hours=int(hours), minutes=int(minutes)) * (-1 if sign == "-" else 1)
        try:
            local = datetime.fromisoformat(f"{stamp}.{(fraction or '0')[:6]:0<6}")
            parsed = local.replace(tzinfo=fixed_zone(offset)).astimezone(UTC)
        except (ValueError, OverflowError):
            return BAD_DATE
        return parsed if parsed >= values.EARLIEST else BAD_DATE
    return values.time_or_reason(found, zone)

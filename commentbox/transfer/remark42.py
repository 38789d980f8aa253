"""Remark42's backup (``backup-<site>-<date>.gz``, JSON Lines, gzip'd or not) → neutral entries.

Line 1 is the backup's header (``{"version": 1, "users": […], "posts": […]}``), each further
line one comment, so the file streams line by line. Threads are keyed by the comment's
``locator.url`` (a full address). The body is the commenter's Markdown (``orig``) when the
backup has it, else the stored HTML (``text``), converted like any HTML body. ``delete``
makes a tombstone; the comments of a user blocked on Remark42 (hidden there) go to the
moderation queue. The IP is dropped: Remark42 keeps only its own keyed hash of it, which
would match nothing here. ``score`` (the sum of its votes) is kept. Facts: ``../shared/IMPORT-FORMATS.md`` §4.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

import orjson

from commentbox.store.models import CommentStatus
from commentbox.transfer import values
from commentbox.transfer.files import BadFile
from commentbox.transfer.jsonstream import BOM
from commentbox.transfer.model import BodyFormat, Entry, ImportedComment, ImportedThread, Skipped

SOURCE = "remark42"
VERSIONS = (0, 1)
MAX_LINE = 64 * 1024**2  # the header lists every user on one line: room for a big site
BAD_DATE = "an impossible date (or one without its UTC offset)"
NO_ID = "a comment without an id"
NO_URL = "a comment without its page's address (locator.url)"


def read(stream: BinaryIO, *, name: str = "the file") -> Iterator[Entry]:
    """Every comment, in file order (Remark42 writes them page by page, oldest first)."""
    blocked: set[str] | None = None
    for number, record in _lines(stream, name):
        if blocked is None or (isinstance(record, dict) and "version" in record and "locator" not in record):
            # Remark42's docs merge backups by concatenating them: each brings its header.
            blocked = (blocked or set()) | _header(record, name)
            continue
        if not isinstance(record, dict) or not isinstance(record.get("locator"), dict):
            raise BadFile(f"{name} line {number} is not a Remark42 comment.")
        yield _comment(record, blocked)


def _lines(stream: BinaryIO, name: str) -> Iterator[tuple[int, Any]]:
    number = records = 0
    while raw := stream.readline(MAX_LINE + 1):
        number += 1
        if len(raw) > MAX_LINE:
            raise BadFile(f"{name} line {number} is longer than {MAX_LINE:,} bytes: not a Remark42 backup.")
        if not raw.strip():
            continue
        records += 1
        try:
            yield number, orjson.loads(raw.removeprefix(BOM) if records == 1 else raw)
        except orjson.JSONDecodeError:
            raise BadFile(f"{name} line {number} is not JSON: is this a Remark42 backup?") from None
    if records == 0:
        raise BadFile(f"{name} is empty.")


def _header(record: Any, name: str) -> set[str]:
    """The ids of users blocked on Remark42, once the header is known to be one."""
    if not isinstance(record, dict) or "version" not in record or "locator" in record:
        raise BadFile(f"{name} is not a Remark42 backup (its first line is not the backup's header).")
    if record["version"] not in VERSIONS or isinstance(record["version"], bool):
        raise BadFile(f"{name} is a Remark42 backup of version {str(record['version'])[:20]}, "
                      f"which this version cannot read (it reads 0 and 1).")  # fmt: skip
    users = record.get("users")
    return {
        values.text(user.get("id"))
        for user in (users if isinstance(users, list) else [])
        if isinstance(user, dict)
        and isinstance(user.get("blocked"), dict)
        and values.flag(user["blocked"].get("status"))
    }


def _comment(record: dict[str, Any], blocked: set[str]) -> Entry:
    source_id = values.text(record.get("id"))
    if not source_id:
        return Skipped(NO_ID)
    url = values.text(record["locator"].get("url"))
    if not url:
        return Skipped(NO_URL, source_id)
    created = values.time(record.get("time"))
    if created is None:
        return Skipped(BAD_DATE, source_id)
    user: dict[str, Any] = record["user"] if isinstance(record.get("user"), dict) else {}
    markdown = values.text(record.get("orig"))
    if values.flag(record.get("delete")):
        status = CommentStatus.DELETED
    elif values.flag(user.get("block")) or values.text(user.get("id")) in blocked:
        status = CommentStatus.PENDING
    else:
        status = CommentStatus.APPROVED
    return ImportedComment(
        source_id=source_id,
        thread=ImportedThread(url=url, title=values.text(record.get("title"))),
        parent_id=values.text(record.get("pid")) or None,
        created=created,
        body=markdown or values.text(record.get("text")),
        body_format=BodyFormat.MARKDOWN if markdown else BodyFormat.HTML,
        status=status,
        author_name=values.name(user.get("name")),
        score=values.score(record.get("score")),
    )

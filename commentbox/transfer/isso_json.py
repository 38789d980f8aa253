"""Isso's "generic" JSON import format → neutral entries, one thread at a time.

Isso reads this format from tools that convert other systems (``isso import --type generic``):
``[{"id": "/path/", "title": "…", "comments": [{"id", "author", "email", "website",
"remote_addr", "created": "2005-02-24 04:03:37", "text"}]}]``. Comment ids are per thread
(both of Isso's sample threads hold a comment 0), so a comment's source id is
``<thread id>-<comment id>``. There are no parents and no statuses: every comment is
published, as Isso does. ``created`` has no offset — Isso reads it in the server's zone — so
it is read in ``--timezone``, and skipped and counted without it. ``text`` is Markdown.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import tzinfo
from typing import Any, BinaryIO

from commentbox.store.models import CommentStatus
from commentbox.transfer import jsonstream, values
from commentbox.transfer.files import BadFile
from commentbox.transfer.model import BodyFormat, Entry, ImportedComment, ImportedThread, Skipped

NOT_IT = "is neither an Isso database nor Isso's generic JSON (an array of threads)."
NO_THREAD = "a thread without an id"


def read(stream: BinaryIO, *, timezone: tzinfo | None = None, name: str = "the file") -> Iterator[Entry]:
    """Every comment of every thread, in file order."""
    jsonstream.skip_bom(stream)
    if stream.peek(1)[:1] != b"[":  # type: ignore[attr-defined]  # open_export's BufferedReader
        raise BadFile(f"{name} {NOT_IT}")
    for _, thread in jsonstream.records(stream, name, root="array", not_it=NOT_IT):
        if not isinstance(thread, dict) or not isinstance(thread.get("comments"), list):
            raise BadFile(f"{name} {NOT_IT}")
        key = values.text(thread.get("id"))
        page = ImportedThread(url=key, title=values.text(thread.get("title")))
        for comment in thread["comments"]:
            if not key:
                yield Skipped(NO_THREAD)
            elif isinstance(comment, dict):
                yield _comment(comment, key, page, timezone)


def _comment(comment: dict[str, Any], key: str, page: ImportedThread, zone: tzinfo | None) -> Entry:
    source_id = f"{key}-{values.text(comment.get('id'))}"
    created = values.time_or_reason(comment.get("created"), zone)
    if isinstance(created, str):
        return Skipped(created, source_id)
    return ImportedComment(
        source_id=source_id,
        thread=page,
        parent_id=None,
        created=created,
        body=values.text(comment.get("text")),
        body_format=BodyFormat.MARKDOWN,
        status=CommentStatus.APPROVED,
        author_name=values.name(comment.get("author")),
        author_email=values.optional(comment.get("email")),
        author_website=values.optional(comment.get("website")),
        ip=values.optional(comment.get("remote_addr")),
    )

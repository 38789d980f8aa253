"""Disqus export (``.xml``, ``.xml.gz``) → neutral entries, streamed record by record.

The export is flat: ``<thread dsq:id>`` records, then ``<post dsq:id>`` records that name
their thread and parent by ``dsq:id``. Threads are small and kept in memory; a post that
comes before its thread (not in real exports, but not forbidden) waits until the end.

Statuses: ``isSpam`` true → spam; ``isDeleted`` true → a tombstone (replies keep their
place); a value that is neither ``true`` nor ``false`` counts as spam, so nothing unclear is
ever published. Posts of a deleted thread are skipped, as on Disqus. Values are trimmed
(pretty-printed exports pad every one). Facts: ``../shared/IMPORT-FORMATS.md`` §2.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, BinaryIO

from commentbox.store.models import CommentStatus
from commentbox.transfer import xmlstream
from commentbox.transfer.model import BodyFormat, Entry, ImportedComment, ImportedThread, Skipped

SOURCE = "disqus"
DSQ_ID = "{http://disqus.com/disqus-internals}id"
DELETED_THREAD = "its thread was deleted on Disqus"
NO_THREAD = "its thread is not in the file"
NO_ID = "a post without a dsq:id"
BAD_DATE = "an impossible date"


@dataclass(frozen=True, slots=True)
class _Thread:
    page: ImportedThread
    deleted: bool


def _child(element: Any, name: str) -> Any:
    for child in element:
        if xmlstream.local(child.tag) == name:
            return child
    return None


def _text(element: Any, name: str) -> str:
    found = _child(element, name)
    return (found.text or "").strip() if found is not None else ""


def _flag(element: Any, name: str) -> bool | None:
    """``true``/``false`` (trimmed, any case) as a bool; anything else None."""
    return {"true": True, "false": False}.get(_text(element, name).lower())


def read(stream: BinaryIO, *, ids_as_page_ids: bool = False, name: str = "the file") -> Iterator[Entry]:
    """Every post, in file order. With ``ids_as_page_ids`` a thread's ``<id>`` (the page's
    ``disqus_identifier``), when it has one, becomes its page id instead of its link."""
    threads: dict[str, _Thread] = {}
    waiting: list[Any] = []
    for element in xmlstream.records(stream, "disqus", name):
        kind = xmlstream.local(element.tag)
        if kind == "thread":
            identifier = _text(element, "id")
            page = ImportedThread(
                url=_text(element, "link"),
                title=html.unescape(_text(element, "title")),
                page_id=identifier if ids_as_page_ids and identifier else None,
            )
            threads[element.get(DSQ_ID, "")] = _Thread(page, _flag(element, "isDeleted") is True)
        elif kind == "post":
            thread = _child(element, "thread")
            if thread is not None and thread.get(DSQ_ID, "") not in threads:
                waiting.append(element)
                continue
            yield _post(element, threads)
    for element in waiting:
        yield _post(element, threads)


def _post(post: Any, threads: dict[str, _Thread]) -> Entry:
    source_id = post.get(DSQ_ID, "").strip()
    if not source_id:
        return Skipped(NO_ID)
    reference = _child(post, "thread")
    thread = threads.get(reference.get(DSQ_ID, "") if reference is not None else "")
    if thread is None:
        return Skipped(NO_THREAD, source_id)
    if thread.deleted:
        return Skipped(DELETED_THREAD, source_id)
    created = _time(_text(post, "createdAt"))
    if created is None:
        return Skipped(BAD_DATE, source_id)
    spam, deleted = _flag(post, "isSpam"), _flag(post, "isDeleted")
    if spam is not False or deleted is None:
        status = CommentStatus.SPAM
    else:
        status = CommentStatus.DELETED if deleted else CommentStatus.APPROVED
    parent = _child(post, "parent")
    author = _child(post, "author")
    return ImportedComment(
        source_id=source_id,
        thread=thread.page,
        parent_id=(parent.get(DSQ_ID) or None) if parent is not None else None,
        created=created,
        body=_text(post, "message"),
        body_format=BodyFormat.HTML,
        status=status,
        author_name=_text(author, "name") if author is not None else "",
        author_email=(_text(author, "email") or None) if author is not None else None,
        ip=_text(post, "ipAddress") or None,
    )


def _time(value: str) -> datetime | None:
    """``createdAt``: UTC, with ``Z`` in real exports and without it in Disqus' own example."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)

"""Commento (v1) and Comentario (v1 dialect, v3) exports → neutral entries, streamed.

One JSON document, usually gzip'd: ``{"version", "comments": […], "commenters": […]}`` (v3
adds ``"pages"``). A comment names its author and page by id, and the commenters and pages
may come after the comments, so the file is read twice: once for the small tables
(commenters, pages, version), once for the comments, one at a time (``jsonstream``).

v1: ``url`` is a path on ``domain`` (Comentario writes ``path`` and ``host``), so a page lands
on the site's origin with that host; ``parentHex`` ``root`` is top level; ``state``
approved → published, unapproved → the queue, flagged (Akismet's verdict) → spam; deleted,
or a body that is empty or ``[deleted]``, → a tombstone. The anonymous commenter has no
record, and missing values are the string ``undefined``. v3: ``isDeleted``, ``isApproved``,
``isPending`` (neither: rejected, so spam); the page's address is the comment's ``url``
origin and its page's path. Bodies are Markdown. Facts: ``../shared/IMPORT-FORMATS.md`` §5.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from commentbox.store.models import CommentStatus
from commentbox.transfer import jsonstream, values
from commentbox.transfer.files import BadFile, open_export
from commentbox.transfer.model import BodyFormat, Entry, ImportedComment, ImportedThread, Skipped

SOURCE = "commento"
VERSIONS = (1, 3)
STATES = {
    "approved": CommentStatus.APPROVED,
    "unapproved": CommentStatus.PENDING,
    "flagged": CommentStatus.SPAM,
}
MISSING = frozenset({"undefined", "null"})
DELETED_BODIES = ("", "[deleted]")
BAD_DATE = "an impossible date"
NO_ID = "a comment without an id"
NO_PAGE = "its page is not in the file"
NOT_IT = "is not a Commento or Comentario export (it is not a JSON object)."


@dataclass
class _Tables:
    """What the first pass keeps: small, one entry per person and per page."""

    version: Any = None
    people: dict[str, tuple[str, str | None, str | None]] = field(default_factory=dict)  # name, email, link
    pages: dict[str, ImportedThread] = field(default_factory=dict)  # v3 page id → page (path only)


def read(path: Path, *, max_bytes: int, name: str = "the file") -> Iterator[Entry]:
    """Every comment, in file order."""
    tables = _tables(path, max_bytes, name)
    with open_export(path, max_bytes=max_bytes) as stream:
        for key, record in jsonstream.records(stream, name, root="map", not_it=NOT_IT):
            if key == "comments" and isinstance(record, dict):
                yield _v3(record, tables) if tables.version == 3 else _v1(record, tables)


def _tables(path: Path, max_bytes: int, name: str) -> _Tables:
    tables = _Tables()
    with open_export(path, max_bytes=max_bytes) as stream:
        for key, record in jsonstream.records(stream, name, root="map", not_it=NOT_IT):
            if key == "version":
                tables.version = record
            elif key == "commenters" and isinstance(record, dict):
                person = values.text(record.get("commenterHex") or record.get("id"))
                tables.people[person] = (
                    values.name(record.get("name")),
                    values.optional(record.get("email"), absent=MISSING),
                    values.optional(record.get("link") or record.get("websiteUrl"), absent=MISSING),
                )
            elif key == "pages" and isinstance(record, dict):
                tables.pages[values.text(record.get("id"))] = ImportedThread(
                    url=_path(record.get("path")), title=values.text(record.get("title"))
                )
    if tables.version is None:
        raise BadFile(f"{name} is not a Commento or Comentario export (it names no version).")
    if tables.version not in VERSIONS or isinstance(tables.version, bool):
        raise BadFile(f"{name} is a Commento export of version {values.text(tables.version)[:20] or '?'}, "
                      f"which this version cannot read (it reads 1 and 3).")  # fmt: skip
    return tables


def _path(value: Any) -> str:
    found = values.text(value)
    return found if found.startswith("/") else "/" + found


def _author(tables: _Tables, person: str) -> tuple[str, str | None, str | None]:
    return tables.people.get(person, ("", None, None))  # "anonymous" has no record


def _v1(record: dict[str, Any], tables: _Tables) -> Entry:
    source_id = values.text(record.get("commentHex"))
    if not source_id:
        return Skipped(NO_ID)
    created = values.time(record.get("creationDate"))
    if created is None:
        return Skipped(BAD_DATE, source_id)
    host = values.text(record.get("host") or record.get("domain")).lower()
    page = _path(record.get("path") or record.get("url"))
    body = values.text(record.get("markdown"))
    if values.flag(record.get("deleted")) or body in DELETED_BODIES:
        status = CommentStatus.DELETED
    else:
        status = STATES.get(values.text(record.get("state")).lower(), CommentStatus.PENDING)
    parent = values.text(record.get("parentHex"))
    name, email, link = _author(tables, values.text(record.get("commenterHex")))
    return ImportedComment(
        source_id=source_id,
        thread=ImportedThread(url=f"//{host}{page}" if host else page),
        parent_id=parent if parent and parent != "root" else None,
        created=created,
        body=body,
        body_format=BodyFormat.MARKDOWN,
        status=status,
        author_name=name,
        author_email=email,
        author_website=link,
        score=values.score(record.get("score")),
    )


def _v3(record: dict[str, Any], tables: _Tables) -> Entry:
    source_id = values.text(record.get("id"))
    if not source_id:
        return Skipped(NO_ID)
    page = tables.pages.get(values.text(record.get("pageId")))
    if page is None:
        return Skipped(NO_PAGE, source_id)
    created = values.time(record.get("createdTime"))
    if created is None:
        return Skipped(BAD_DATE, source_id)
    body = values.text(record.get("markdown"))
    if values.flag(record.get("isDeleted")) or body in DELETED_BODIES:
        status = CommentStatus.DELETED
    elif values.flag(record.get("isApproved")):
        status = CommentStatus.APPROVED
    else:
        status = CommentStatus.PENDING if values.flag(record.get("isPending")) else CommentStatus.SPAM
    name, email, link = _author(tables, values.text(record.get("userCreated")))
    return ImportedComment(
        source_id=source_id,
        thread=ImportedThread(url=_origin(record.get("url")) + page.url, title=page.title),
        parent_id=values.optional(record.get("parentId")),
        created=created,
        body=body,
        body_format=BodyFormat.MARKDOWN,
        status=status,
        author_name=name,
        author_email=email,
        author_website=link,
        score=values.score(record.get("score")),
    )


def _origin(value: Any) -> str:
    """``http://localhost:8000`` of a comment's ``url``; "" (the site's own) if it has none."""
    try:
        parts = urlsplit(values.text(value))
    except ValueError:
        return ""
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""

"""The neutral shape of an import: what every format module yields, whatever it read.

A format module turns its file into a stream of ``ImportedComment`` (and ``Skipped`` for
entries it will not import, with the reason), in file order; the loader does the rest —
thread keys, parents in any order, statuses, bodies, re-imports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from commentbox.store.models import CommentStatus


class BodyFormat(StrEnum):
    MARKDOWN = "markdown"  # Isso, Remark42's source, Commento: rendered as typed
    HTML = "html"  # WordPress, Disqus: converted to Markdown, then rendered like any comment


class Kind(StrEnum):
    COMMENT = "comment"
    PINGBACK = "pingback"
    TRACKBACK = "trackback"


@dataclass(frozen=True, slots=True)
class ImportedThread:
    """A page as the old system knew it: its address (before ``--map-url``), its title, and
    the explicit page id it is keyed by instead of its address, if any (``data-page-id``)."""

    url: str
    title: str = ""
    page_id: str | None = None


@dataclass(frozen=True, slots=True)
class ImportedComment:
    """One comment. ``source_id`` is unique within the file's system and stable across its
    exports (it makes re-imports add nothing); ``parent_id`` names another comment's
    ``source_id``, wherever that one is in the file. ``created`` is timezone-aware.
    ``ip`` is the address as the old system kept it: the loader hashes it like a live one."""

    source_id: str
    thread: ImportedThread
    parent_id: str | None
    created: datetime
    body: str
    body_format: BodyFormat
    status: CommentStatus
    author_name: str
    author_email: str | None = None
    author_website: str | None = None
    ip: str | None = None
    kind: Kind = Kind.COMMENT
    score: int = 0  # the old system's votes, up minus down (Isso's likes − dislikes)

    def __post_init__(self) -> None:
        if self.created.tzinfo is None:
            raise ValueError("an imported time must carry its time zone")


@dataclass(frozen=True, slots=True)
class Skipped:
    """An entry of the file that is not imported, and why (the report counts each reason)."""

    reason: str
    source_id: str = ""


Entry = ImportedComment | Skipped

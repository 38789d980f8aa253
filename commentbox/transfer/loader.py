"""Writing an import: the format's entries, in batches, each batch in one transaction.

Why batches and source ids rather than one transaction for the whole file: a large import
must not hold SQLite's write lock for minutes while the site is serving. Each batch lands
whole or not at all, and every comment's source id (``comment_source``) tells a re-run
which ones are there already — so an import that was stopped is finished by running it
again, and importing a newer export adds only what is new.

Parents are kept whatever the file's order. A reply is written pointing at its parent when
the parent came earlier in the file; the others are pointed at theirs once the whole file
is read. A reply whose parent is spam hangs from the nearest ancestor that is not; one whose
parent is not in the import (or on another page) is shown at the top level; a deleted
parent stays as a tombstone with its replies under it. Each of those is counted in the report.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from commentbox.domain import sites
from commentbox.domain.spam import text_hash
from commentbox.domain.urls import InvalidURL, origin_of
from commentbox.store import backups, imports, posting
from commentbox.store.db import Database
from commentbox.store.models import CommentStatus, Site, Thread
from commentbox.transfer.bodies import Unrenderable, render
from commentbox.transfer.model import Entry, ImportedComment, Kind, Skipped
from commentbox.transfer.pages import Refused, UrlMap, thread_key
from commentbox.transfer.report import Report

BATCH_SIZE = 500
IP_HASHES_KEPT = 10_000
PAGE_REFUSED = "its page is not imported (listed below)"
SPAM_PARENT = "reply to spam, attached to the nearest ancestor that is not spam"
MISSING_PARENT = "reply to a comment not in the import, shown at the top level"
OTHER_PAGE_PARENT = "reply to a comment on another page, shown at the top level"
LOOP = "replies in a loop, the first shown at the top level"
# The old system's votes on a comment, as one vote of their net value: a comment's score is
# the sum of its votes, so live votes add to it (no live voter key looks like this one).
IMPORTED_VOTER = "imported"


@dataclass(frozen=True)
class Options:
    """``source`` names the old system; it prefixes every source id (``wordpress:…``)."""

    source: str
    url_map: UrlMap = field(default_factory=UrlMap)
    dry_run: bool = False
    batch_size: int = BATCH_SIZE


@dataclass(slots=True)
class _Node:
    """What parent resolution needs of one comment of this import (no bodies: stays small)."""

    comment_id: int
    parent: str | None  # the parent's source id, from the file
    status: str
    thread_id: int
    parent_id: int | None  # the parent as written so far
    new: bool  # created by this run (only those are counted in the report)


def load(
    db: Database,
    site_id: str,
    entries: Iterable[Entry],
    options: Options,
    *,
    hash_ip: Callable[[str], str],
    progress: Callable[[int], None] = lambda _n: None,
) -> Report:
    """Import ``entries`` into site ``site_id``; the report says what was (or would be) done."""
    return _Load(db, sites.load_site(db, site_id), options, hash_ip, progress).run(entries)


class _Load:
    def __init__(
        self,
        db: Database,
        site: Site,
        options: Options,
        hash_ip: Callable[[str], str],
        progress: Callable[[int], None],
    ) -> None:
        self.db, self.site, self.options = db, site, options
        self.hash_ip, self.progress = hash_ip, progress
        self.report = Report(source=options.source, site=site.id, dry_run=options.dry_run)
        self.nodes: dict[str, _Node] = {}
        self.threads: dict[str, int] = {}  # thread key → id
        self.urls: dict[str, str] = {}  # thread key → canonical address ("" if unknown)
        self.fake_id = 0  # a dry run's stand-in ids are negative
        # Every comment of a page asks for the same thread key, and a guest's comments for the
        # same IP hash: each is worked out once per import (canonicalizing a URL and an HMAC
        # were a tenth of a comment's cost).
        self.keys: dict[tuple[str, str | None], tuple[str, str] | Refused] = {}
        self.ip_hashes: dict[str, str] = {}

    def run(self, entries: Iterable[Entry]) -> Report:
        batch: list[ImportedComment] = []
        for entry in entries:
            if isinstance(entry, Skipped):
                self.report.skipped[entry.reason] += 1
                self.progress(1)
                continue
            batch.append(entry)
            if len(batch) >= self.options.batch_size:
                self._write(batch)
                batch = []
        self._write(batch)
        self._settle_parents()
        return self.report

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        if self.options.dry_run:
            with self.db.read() as session:
                yield session.connection()
        else:
            with self.db.write_connection() as connection:
                yield connection

    def _stand_in(self) -> int:
        self.fake_id -= 1
        return self.fake_id

    def _write(self, batch: list[ImportedComment]) -> None:
        if not batch:
            return
        keyed: list[tuple[str, ImportedComment]] = []
        in_batch: set[str] = set()  # twins within one batch are not in self.nodes yet
        for comment in batch:
            if comment.source_id in self.nodes or comment.source_id in in_batch:
                self.report.skipped["the same id twice in the file (the first is kept)"] += 1
                continue
            in_batch.add(comment.source_id)
            page = self._thread_key(comment)
            if isinstance(page, Refused):
                self.report.refuse_page(comment.thread.url, str(page))
                self.report.skipped[PAGE_REFUSED] += 1
                continue
            key, url = page
            keyed.append((key, comment))
            self.urls.setdefault(key, url)
        with self._connection() as connection:
            self._find_threads(connection, keyed)
            known = imports.known_sources(connection, self.site.id, [self._source(c) for _, c in keyed])
            rows: list[dict[str, Any]] = []
            made: list[tuple[ImportedComment, int]] = []
            earliest: dict[int, datetime | None] = {}
            for key, comment in keyed:
                found = known.get(self._source(comment))
                if found is not None:
                    self.report.already_imported += 1
                    self.nodes[comment.source_id] = _Node(
                        found.comment_id, comment.parent_id, found.status, found.thread_id,
                        found.parent_id, new=False,
                    )  # fmt: skip
                    continue
                values = self._row(self.threads[key], comment)
                if values is None:
                    continue
                rows.append(values)
                made.append((comment, values["thread_id"]))
                first = earliest.get(values["thread_id"])
                earliest[values["thread_id"]] = min(first, comment.created) if first else comment.created
            if self.options.dry_run:
                ids = [self._stand_in() for _ in rows]
            else:
                ids = imports.insert_comments(connection, rows)
                imports.insert_sources(
                    connection,
                    [
                        {"site_id": self.site.id, "source": self._source(c), "comment_id": i, "kind": c.kind}
                        for (c, _), i in zip(made, ids, strict=True)
                    ],
                )
                backups.insert_votes(
                    connection,
                    [
                        {"comment_id": i, "voter": IMPORTED_VOTER, "value": values["score"]}
                        for i, values in zip(ids, rows, strict=True)
                        if values["score"]
                    ],
                )
            for (comment, thread_id), comment_id, values in zip(made, ids, rows, strict=True):
                self.nodes[comment.source_id] = _Node(
                    comment_id, comment.parent_id, values["status"], thread_id, None, new=True
                )
                self.report.created[values["status"]] += 1
                if comment.kind is not Kind.COMMENT:
                    self.report.kinds[comment.kind] += 1
            # Parents that came earlier in the file are known now: point the replies at them.
            parents = {}
            for comment, _ in made:
                node = self.nodes[comment.source_id]
                target = self._parent_of(node, final=False)
                if target is not None and target[0] is not None:
                    parents[node.comment_id] = node.parent_id = target[0]
            if not self.options.dry_run:
                imports.set_parents(connection, parents)
                imports.settle_threads(connection, earliest)
        self.progress(len(batch))

    def _find_threads(self, connection: Connection, keyed: list[tuple[str, ImportedComment]]) -> None:
        wanted = {key: comment for key, comment in reversed(keyed) if key not in self.threads}
        if not wanted:
            return
        found = imports.thread_ids(connection, self.site.id, wanted)
        self.threads.update(found)
        self.report.threads_existing += len(found)
        for key, comment in wanted.items():
            if key in found:
                continue
            thread = Thread(
                site_id=self.site.id, key=key, url=self.urls[key], title=comment.thread.title.strip()[:300],
                created=comment.created,
            )  # fmt: skip
            dry = self.options.dry_run
            self.threads[key] = self._stand_in() if dry else posting.create_thread(connection, thread)
            self.report.threads_created += 1

    def _thread_key(self, comment: ImportedComment) -> tuple[str, str] | Refused:
        """``thread_key`` of the comment's page, remembered for its next comments."""
        page = (comment.thread.url, comment.thread.page_id)
        found = self.keys.get(page)
        if found is None:
            try:
                found = thread_key(self.site, page[0], self.options.url_map, page[1])
            except Refused as refused:
                found = refused
            self.keys[page] = found
        return found

    def _ip_hash(self, ip: str | None) -> str | None:
        ip = (ip or "").strip()
        if not ip:
            return None
        found = self.ip_hashes.get(ip)
        if found is None:
            if len(self.ip_hashes) >= IP_HASHES_KEPT:  # a file of one-off IPs: memory stays flat
                self.ip_hashes.clear()
            found = self.ip_hashes[ip] = self.hash_ip(ip)
        return found

    def _source(self, comment: ImportedComment) -> str:
        return f"{self.options.source}:{comment.source_id}"

    def _row(self, thread_id: int, comment: ImportedComment) -> dict[str, Any] | None:
        """The comment's row (parent still unset), or None with the reason counted."""
        deleted = comment.status == CommentStatus.DELETED
        try:
            body, html = (
                ("", "")
                if deleted
                else render(comment.body, comment.body_format, allow_images=self.site.allow_images)
            )
        except Unrenderable:
            self.report.skipped["a body the renderer refuses (nested too deep)"] += 1
            return None
        if not deleted and not html:
            self.report.skipped["an empty body"] += 1
            return None
        email = (comment.author_email or "").strip()
        return {
            "thread_id": thread_id,
            "parent_id": None,
            "user_id": None,  # the old system's people become guests, never accounts
            "author_name": "" if deleted else (" ".join(comment.author_name.split())[:200] or "Anonymous"),
            "author_email": email.lower() if not deleted and "@" in email and len(email) <= 254 else None,
            "author_website": None if deleted else _website(comment.author_website),
            "body": body,
            "html": html,
            "status": comment.status,
            "score": 0 if deleted else comment.score,
            "created": comment.created,
            "edited": comment.edited if comment.edited and comment.edited > comment.created else None,
            "ip_hash": self._ip_hash(comment.ip),
            "client_hash": None,
            "nonce": secrets.token_hex(16),
            "pinned": comment.pinned and not deleted,
            "trashed_from": None,
            "text_hash": text_hash(body) if body else None,
        }

    def _parent_of(self, node: _Node, *, final: bool) -> tuple[int | None, str | None] | None:
        """``(parent row id or None, reason it is not the file's parent)``; before the whole
        file is read (``final`` false), None while an ancestor is still unknown."""
        reason = None
        seen = {id(node)}
        parent_source = node.parent
        while parent_source is not None:
            parent = self.nodes.get(parent_source)
            if parent is None:
                return (None, MISSING_PARENT) if final else None
            if id(parent) in seen:
                return None, LOOP
            seen.add(id(parent))
            if parent.thread_id != node.thread_id:
                return None, OTHER_PAGE_PARENT
            if parent.status != CommentStatus.SPAM:
                return parent.comment_id, reason
            reason = SPAM_PARENT
            if not parent.new and parent.parent is None:  # stored by an earlier run
                return parent.parent_id, reason
            parent_source = parent.parent
        return None, reason

    def _settle_parents(self) -> None:
        """Point every reply at its parent now that the whole file is read, and count the
        replies that could not keep theirs."""
        self._load_earlier_parents()
        changed: dict[int, int | None] = {}
        touched: dict[int, datetime | None] = {}
        for node in self.nodes.values():
            if node.parent is None:
                continue
            target, reason = self._parent_of(node, final=True) or (None, None)
            if reason is not None and node.new:
                self.report.reparented[reason] += 1
            if target != node.parent_id and node.comment_id > 0:
                changed[node.comment_id] = node.parent_id = target
                touched[node.thread_id] = None
        if self.options.dry_run or not changed:
            return
        items = list(changed.items())
        for start in range(0, len(items), self.options.batch_size):
            with self.db.write_connection() as connection:
                imports.set_parents(connection, dict(items[start : start + self.options.batch_size]))
        with self.db.write_connection() as connection:
            imports.settle_threads(connection, touched)

    def _load_earlier_parents(self) -> None:
        """Parents this file names but does not hold may be there from an earlier import."""
        missing = {n.parent for n in self.nodes.values() if n.parent and n.parent not in self.nodes}
        if not missing:
            return
        prefix = f"{self.options.source}:"
        with self.db.read() as session:
            found = imports.known_sources(session.connection(), self.site.id, [prefix + s for s in missing])
        for source, row in found.items():
            self.nodes[source.removeprefix(prefix)] = _Node(
                row.comment_id, None, row.status, row.thread_id, row.parent_id, new=False
            )


def _website(value: str | None) -> str | None:
    """An author's website, kept only if it is an http(s) address (old exports hold anything)."""
    value = (value or "").strip()
    if not value or len(value) > 2000 or any(ch in value for ch in "\r\n\t"):
        return None
    try:
        origin_of(value)
    except InvalidURL:
        return None
    return value

"""``export json`` and ``import json``: a site's backup that restores to the same rows.

The file is JSON Lines, one record per line, so both directions stream:

    {"commentbox_export": 1, "site": {every setting of the site}}
    {"user": {...}}       the signed-in people whose comments are on the site
    {"thread": {...}}     every column of each thread
    {"comment": {...}}    every column of each comment, its "source" and "kind" if it was
                          imported, and its "votes" [{"voter", "value"}], in id order

Times are ISO 8601 with their offset. Ids in the file are the exporting database's: they tie
comments to threads, parents and users, and are replaced by the restoring database's own.
Restoring recognises the comments it holds already by their nonce (random per comment), so
restoring twice, or again after a stopped restore, adds nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, BinaryIO

import orjson

from commentbox.errors import NotFound
from commentbox.store import backups, imports, posting, rows
from commentbox.store.db import Database
from commentbox.store.models import Site, Thread
from commentbox.transfer.files import BadFile
from commentbox.transfer.report import Report

VERSION = 1
SOURCE = "json"
_TIMES = {"created", "updated", "edited"}
BATCH_SIZE = 500


def _line(record: dict[str, Any]) -> bytes:
    return orjson.dumps(record, option=orjson.OPT_NAIVE_UTC) + b"\n"


def export(db: Database, site_id: str, out: BinaryIO) -> int:
    """Write site ``site_id`` to ``out``; the number of comments written."""
    written = 0
    with db.read() as session:
        connection = session.connection()
        site = backups.site_values(connection, site_id)
        if site is None:
            raise NotFound(f"There is no site called “{site_id[:64]}”.")
        out.write(_line({"commentbox_export": VERSION, "site": site}))
        for user in backups.site_users(connection, site_id):
            out.write(_line({"user": user}))
        for thread in backups.site_threads(connection, site_id):
            out.write(_line({"thread": thread}))
        for page in backups.site_comments(connection, site_id):
            out.writelines(_line({"comment": comment}) for comment in page)
            written += len(page)
    return written


def records(stream: BinaryIO, name: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(kind, values)`` per line, times parsed; ``BadFile`` names the first bad line (a
    comment must come after its thread, as ``export`` writes them)."""
    threads: set[Any] = set()
    for number, raw in enumerate(stream, 1):
        if not raw.strip():
            continue
        try:
            record = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise BadFile(f"{name} line {number} is not JSON: is this a commentbox export?") from None
        if number == 1:
            if not isinstance(record, dict) or "commentbox_export" not in record:
                raise BadFile(f"{name} is not a commentbox export (its first line names no version).")
            if record["commentbox_export"] != VERSION:
                raise BadFile(f"{name} is a commentbox export of version {record['commentbox_export']!r}, "
                              f"which this version cannot read (it reads {VERSION}).")  # fmt: skip
        kind, values = _record(record, name, number)
        if kind == "thread":
            threads.add(values["id"])
        elif kind == "comment" and values["thread_id"] not in threads:
            raise BadFile(f"{name} line {number}: the comment's thread is not earlier in the file.")
        yield kind, values


_FIELDS = {
    "site": backups.SITE_FIELDS,
    "user": backups.USER_FIELDS,
    "thread": backups.THREAD_FIELDS,
    "comment": (*backups.COMMENT_FIELDS, "source", "kind", "votes"),
}


def _record(record: Any, name: str, number: int) -> tuple[str, dict[str, Any]]:
    kinds = [k for k in _FIELDS if isinstance(record, dict) and k in record]
    if len(kinds) != 1 or not isinstance(record[kinds[0]], dict):
        raise BadFile(f"{name} line {number} is not a site, user, thread or comment.")
    kind, values = kinds[0], record[kinds[0]]
    missing = [f for f in _FIELDS[kind] if f not in values]
    if missing:
        raise BadFile(f"{name} line {number}: the {kind} lacks {', '.join(missing[:5])}.")
    try:
        for field in _TIMES & values.keys():
            if values[field] is not None:
                values[field] = datetime.fromisoformat(values[field])
    except (TypeError, ValueError):
        raise BadFile(f"{name} line {number}: a time is not an ISO 8601 time.") from None
    return kind, {f: values[f] for f in _FIELDS[kind]}


def restore(db: Database, site_id: str, entries: Iterator[tuple[str, dict[str, Any]]]) -> Report:
    """Restore a backup into site ``site_id`` (created with the backup's settings if missing;
    an existing site keeps its own)."""
    return _Restore(db, site_id).run(entries)


class _Restore:
    def __init__(self, db: Database, site_id: str) -> None:
        self.db, self.site_id = db, site_id
        self.report = Report(source=SOURCE, site=site_id)
        self.users: dict[int, int] = {}
        self.threads: dict[int, int] = {}
        self.new_threads: set[int] = set()
        self.comments: dict[int, int] = {}  # the file's ids → ours
        self.later: list[tuple[int, int]] = []  # (our id, the file's parent id), set at the end

    def run(self, entries: Iterator[tuple[str, dict[str, Any]]]) -> Report:
        batch: list[dict[str, Any]] = []
        threads: list[dict[str, Any]] = []
        for kind, values in entries:
            if kind == "site":
                self._site(values)
            elif kind == "user":
                with self.db.write_connection() as connection:
                    self.users[values["id"]] = backups.user_id(connection, values)
            elif kind == "thread":
                threads.append(values)
                if len(threads) >= BATCH_SIZE:
                    self._threads(threads)
                    threads = []
            else:
                self._threads(threads)  # a comment's thread is written before it
                threads = []
                batch.append(values)
                if len(batch) >= BATCH_SIZE:
                    self._comments(batch)
                    batch = []
        self._threads(threads)
        self._comments(batch)
        self._parents()
        return self.report

    def _site(self, values: dict[str, Any]) -> None:
        with self.db.write() as session:
            if rows.site_by_id(session, self.site_id) is None:
                rows.save(session, Site(**{**values, "id": self.site_id}))
                self.report.site_created = True

    def _threads(self, batch: list[dict[str, Any]]) -> None:
        if not batch:
            return
        with self.db.write_connection() as connection:
            found = imports.thread_ids(connection, self.site_id, {values["key"] for values in batch})
            for values in batch:
                if values["key"] in found:
                    self.threads[values["id"]] = found[values["key"]]
                    self.report.threads_existing += 1
                    continue
                thread = Thread(**{**values, "id": None, "site_id": self.site_id})
                self.threads[values["id"]] = found[values["key"]] = new = posting.create_thread(
                    connection, thread
                )
                self.new_threads.add(new)
                self.report.threads_created += 1

    def _comments(self, batch: list[dict[str, Any]]) -> None:
        if not batch:
            return
        with self.db.write_connection() as connection:
            held = backups.comments_by_nonce(connection, self.site_id, [c["nonce"] for c in batch])
            fresh = []
            for comment in batch:
                if comment["nonce"] in held:
                    self.comments[comment["id"]] = held[comment["nonce"]]
                    self.report.already_imported += 1
                    if comment["parent_id"] is not None:
                        self.later.append((held[comment["nonce"]], comment["parent_id"]))
                else:
                    fresh.append(comment)
            values = [self._row(c) for c in fresh]
            ids = imports.insert_comments(connection, values)
            sources, votes = [], []
            for comment, row, new in zip(fresh, values, ids, strict=True):
                self.comments[comment["id"]] = new
                if comment["parent_id"] is not None and row["parent_id"] is None:
                    self.later.append((new, comment["parent_id"]))
                if comment["source"]:
                    sources.append(
                        {"site_id": self.site_id, "source": comment["source"], "comment_id": new,
                         "kind": comment["kind"] or "comment"}
                    )  # fmt: skip
                votes += [{"comment_id": new, **vote} for vote in comment["votes"]]
                self.report.created[comment["status"]] += 1
            imports.insert_sources(connection, sources)
            backups.insert_votes(connection, votes)
            touched = {r["thread_id"] for r in values} - self.new_threads
            imports.settle_threads(connection, dict.fromkeys(touched))

    def _row(self, comment: dict[str, Any]) -> dict[str, Any]:
        row = {k: v for k, v in comment.items() if k in backups.COMMENT_FIELDS and k != "id"}
        row["thread_id"] = self.threads[comment["thread_id"]]
        row["parent_id"] = self.comments.get(comment["parent_id"]) if comment["parent_id"] else None
        row["user_id"] = self.users.get(comment["user_id"]) if comment["user_id"] else None
        return row

    def _parents(self) -> None:
        pending = {ours: self.comments.get(parent) for ours, parent in self.later}
        items = list(pending.items())
        for start in range(0, len(items), BATCH_SIZE):
            with self.db.write_connection() as connection:
                imports.set_parents(connection, dict(items[start : start + BATCH_SIZE]))

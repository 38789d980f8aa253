"""Keeping less: what is forgotten by itself, on a schedule (docs/privacy.md lists it all).

Per site (``Site.ip_hash_days``, ``Site.guest_email_days``): comments' IP hashes, and the
address hashes that key guests' votes, after ``ip_hash_days`` (30 by default); guests'
emails on comments that carry no subscription after ``guest_email_days`` (unset: kept).
For everyone: ended sessions, spent login ids and OAuth state, and sent mail after
``COMMENTBOX_SENT_MAIL_DAYS``.

``sweep`` is idempotent and cheap when there is nothing to do, so every instance may run
it (``RetentionJob``, started with the app like the mail outbox): two instances sweeping
at once find nothing left for the second.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from sqlmodel import Session

from commentbox.runtime.offload import blocking
from commentbox.store import privacy, rows, users, versions
from commentbox.store.db import Database
from commentbox.store.models import utcnow

log = logging.getLogger(__name__)

BATCH = 500  # rows per transaction: each holds SQLite's write lock for well under a second


@dataclass(frozen=True)
class Swept:
    """How many of each were forgotten by one sweep (the job logs these)."""

    ip_hashes: int = 0
    vote_keys: int = 0
    guest_emails: int = 0
    sessions: int = 0
    sent_mail: int = 0

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))


def sweep(db: Database, sent_mail_days: int, now: datetime | None = None) -> Swept:
    """Forget what is past its time on every site, in batches of ``BATCH`` rows, each its own
    short transaction: a first sweep over years of comments never holds the write lock for
    long (posts wait behind it on SQLite)."""
    now = now or utcnow()
    ip_hashes = vote_keys = guest_emails = 0
    with db.read() as session:
        sites = list(rows.all_sites(session))
    for site in sites:
        before = now - timedelta(days=site.ip_hash_days)
        ip_hashes += _batched(db, privacy.wipe_ip_hashes, site.id, before)
        vote_keys += _batched(db, privacy.anonymize_guest_votes, site.id, before)
        if site.guest_email_days is not None:
            emails_before = now - timedelta(days=site.guest_email_days)
            guest_emails += _batched(db, _wipe_emails, site.id, emails_before)
    with db.write() as session:
        sessions = users.purge_expired_auth(session, now)
        sent_mail = privacy.delete_sent_mail(session, now - timedelta(days=sent_mail_days))
    return Swept(ip_hashes, vote_keys, guest_emails, sessions, sent_mail)


def _wipe_emails(session: Session, site_id: str, before: datetime, limit: int) -> int:
    wiped, threads = privacy.wipe_guest_emails(session, site_id, before, limit)
    for thread_id in threads:  # guests' avatars are drawn from their address: caches must drop
        versions.touch_thread(session, thread_id)
    return wiped


Step = Callable[[Session, str, datetime, int], int]


def _batched(db: Database, step: Step, site_id: str, before: datetime) -> int:
    """Run ``step`` in a transaction of its own until it does less than a whole batch."""
    done = 0
    while True:
        with db.write() as session:
            did = step(session, site_id, before, BATCH)
        done += did
        if did < BATCH:
            return done


class RetentionJob:
    """Runs ``sweep`` at start and then every ``every_seconds``, until stopped."""

    def __init__(self, db: Database, every_seconds: float, sent_mail_days: int) -> None:
        self._db = db
        self._every = every_seconds
        self._sent_mail_days = sent_mail_days
        self._stopping: asyncio.Event | None = None

    async def run(self) -> None:
        self._stopping = asyncio.Event()
        while not self._stopping.is_set():
            try:
                swept = await blocking(sweep, self._db, self._sent_mail_days)
            except Exception:  # a database hiccup must not end the job: the next round retries
                log.exception("the retention sweep failed; it runs again later")
            else:
                if swept:
                    counts = ", ".join(f"{f.name}={getattr(swept, f.name)}" for f in fields(swept))
                    log.info("retention sweep forgot %s", counts)
            with suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self._every)

    async def stop(self, task: asyncio.Task[None]) -> None:
        """End the job; a sweep in hand finishes first (its database work must not outlive
        the engine)."""
        if self._stopping is not None:
            self._stopping.set()
            await task
        else:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task

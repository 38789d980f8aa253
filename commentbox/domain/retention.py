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
from contextlib import suppress
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from commentbox.runtime.offload import blocking
from commentbox.store import privacy, rows, users, versions
from commentbox.store.db import Database
from commentbox.store.models import utcnow

log = logging.getLogger(__name__)


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
    """Forget what is past its time on every site; one transaction per site."""
    now = now or utcnow()
    ip_hashes = vote_keys = guest_emails = 0
    with db.read() as session:
        sites = list(rows.all_sites(session))
    for site in sites:
        with db.write() as session:
            before = now - timedelta(days=site.ip_hash_days)
            ip_hashes += privacy.wipe_ip_hashes(session, site.id, before)
            vote_keys += privacy.anonymize_guest_votes(session, site.id, before)
            if site.guest_email_days is not None:
                wiped, threads = privacy.wipe_guest_emails(
                    session, site.id, now - timedelta(days=site.guest_email_days)
                )
                guest_emails += wiped
                for thread_id in threads:  # guests' avatars are drawn from their address
                    versions.touch_thread(session, thread_id)
    with db.write() as session:
        sessions = users.purge_expired_auth(session, now)
        sent_mail = privacy.delete_sent_mail(session, now - timedelta(days=sent_mail_days))
    return Swept(ip_hashes, vote_keys, guest_emails, sessions, sent_mail)


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

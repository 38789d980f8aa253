"""Delivering webhooks: from the outbox table, through the safe fetcher, with retries.

One background task per app instance (``runtime/pump.py``) claims due deliveries
(``store/leases.py``: two instances never deliver one row twice) and posts them, a few at a
time on threads of their own (``CONCURRENCY``, apart from the pool that serves requests),
each within ``COMMENTBOX_WEBHOOK_TIMEOUT``. A 2xx answer delivers; anything else is retried
after 5 s, 5 min, 30 min, 2 h, 5 h and 10 h, and then given up as failed. Every attempt
leaves its status, error and time in the row, which is the endpoint's delivery log;
finished rows are forgotten after ``KEEP_DAYS``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from anyio import CapacityLimiter, to_thread

from commentbox.outbound.fetch import Fetcher, FetchRefused
from commentbox.runtime.offload import blocking
from commentbox.runtime.pump import Pump
from commentbox.store import leases
from commentbox.store import webhooks as stored
from commentbox.store.db import Database
from commentbox.store.models import WebhookDelivery, utcnow
from commentbox.webhooks.events import TEST_EVENT, envelope
from commentbox.webhooks.signing import new_event_id, signed_headers

log = logging.getLogger(__name__)

RETRY_SECONDS = (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600)  # then: failed
BATCH = 20
CONCURRENCY = 4  # deliveries in flight per instance: a hanging receiver holds one thread, not the pool
LEASE_SECONDS = 120  # a claimed delivery is due again after this if its sender died mid-post
POLL_SECONDS = 5.0  # retries fall due and other instances queue without waking us
ANSWER_BYTES = 16 * 1024  # of a receiver's answer: only its status matters
DISABLED = "the endpoint is disabled"
KEEP_DAYS = 30  # finished deliveries are forgotten after this (checked once an hour)


@dataclass(frozen=True)
class Attempt:
    """How one attempt went: ``status`` 0 when no HTTP answer came; ``error`` empty when delivered."""

    status: int
    error: str

    @property
    def delivered(self) -> bool:
        return not self.error


class WebhookSender:
    def __init__(self, db: Database, fetcher: Fetcher, timeout: float) -> None:
        self._db = db
        self._fetcher = fetcher
        self._timeout = timeout
        self._pump = Pump("webhook outbox", self.send_due, poll=POLL_SECONDS, grace=timeout + 5)
        self._limiter: CapacityLimiter | None = None
        self._pruned: float | None = None  # time.monotonic() of the last prune

    def wake(self) -> None:
        self._pump.wake()

    async def run(self) -> None:
        await self._pump.run()

    async def stop(self, task: asyncio.Task[None]) -> None:
        await self._pump.stop(task)

    async def send_due(self) -> int:
        """Deliver one batch of due deliveries; returns how many were attempted."""
        if self._limiter is None:  # made on the loop that uses it
            self._limiter = CapacityLimiter(CONCURRENCY)
        due = await blocking(self._claim)
        posts = (to_thread.run_sync(partial(self.deliver, row), limiter=self._limiter) for row in due)
        await asyncio.gather(*posts)
        return len(due)

    def _claim(self) -> list[WebhookDelivery]:
        lease = timedelta(seconds=LEASE_SECONDS)
        with self._db.write() as session:
            if self._pruned is None or time.monotonic() - self._pruned > 3600:
                stored.prune_deliveries(session, utcnow() - timedelta(days=KEEP_DAYS))
                self._pruned = time.monotonic()
            done = WebhookDelivery.delivered
            return leases.claim_due(session, WebhookDelivery, done, utcnow(), BATCH, lease)

    def deliver(self, row: WebhookDelivery) -> Attempt:
        """Post one claimed delivery now and record the outcome (synchronous: a worker thread,
        or the CLI)."""
        with self._db.read() as session:
            target = stored.delivery_target(session, row.endpoint_id)
        if target is None:  # removed meanwhile: its deliveries went with it
            return Attempt(0, "the endpoint was removed")
        url, secret, enabled = target
        if not enabled:
            attempt = Attempt(0, DISABLED)
            self._record(row, attempt, retry=False)
            return attempt
        body = row.payload.encode()
        try:
            answer = self._fetcher.post(
                url,
                content=body,
                content_type="application/json",
                headers=signed_headers(secret, row.event_id, body, utcnow()),
                max_bytes=ANSWER_BYTES,
                deadline=self._timeout,
            )
        except FetchRefused as refused:
            attempt = Attempt(0, refused.reason)
        else:
            ok = 200 <= answer.status < 300
            attempt = Attempt(answer.status, "" if ok else f"the endpoint answered HTTP {answer.status}")
        self._record(row, attempt)
        return attempt

    def _record(self, row: WebhookDelivery, attempt: Attempt, *, retry: bool = True) -> None:
        attempts = row.attempts + 1
        now = utcnow()
        retry = retry and attempts <= len(RETRY_SECONDS) and row.event != TEST_EVENT  # a test: once
        next_attempt = now + timedelta(seconds=RETRY_SECONDS[attempts - 1]) if retry else None
        if not attempt.delivered:
            log.info("webhook %s (%s) attempt %d failed: %s", row.id, row.event, attempts, attempt.error)
        with self._db.write() as session:
            stored.attempted(
                session,
                row.id,  # type: ignore[arg-type]
                now=now,
                attempts=attempts,
                status=attempt.status,
                error=attempt.error,
                next_attempt=next_attempt,
            )

    def send_test(self, endpoint_id: int, site_id: str) -> Attempt:
        """Queue a ``webhook.test`` event for one endpoint and deliver it at once (it is
        leased to us as it is written, so the background task leaves it alone)."""
        now = utcnow()
        data = {"site": site_id, "message": "A test event from commentbox: this endpoint works."}
        row = WebhookDelivery(
            endpoint_id=endpoint_id,
            event_id=new_event_id(),
            event=TEST_EVENT,
            payload=envelope(TEST_EVENT, data, now),
            next_attempt=now + timedelta(seconds=LEASE_SECONDS),
        )
        with self._db.write() as session:
            session.add(row)
            session.flush()
        return self.deliver(row)

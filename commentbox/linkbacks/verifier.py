"""The background verifier: one task per app instance works through queued claims.

Claims wait in the ``linkback`` table, so a restart loses none; each instance claims a row
by moving its ``next_attempt`` forward in one conditional UPDATE (as the mail outbox does),
so two instances never fetch the same source at once. A source that hangs costs at most the
fetcher's 5 s, and only this task's time, never a request's.
"""

from __future__ import annotations

from datetime import timedelta

from commentbox.linkbacks.receiving import CLAIM_SECONDS, Linkbacks
from commentbox.linkbacks.verifying import verify
from commentbox.runtime.offload import blocking
from commentbox.runtime.pump import Pump
from commentbox.store import linkbacks as stored
from commentbox.store.models import utcnow

BATCH = 10


def _claim(linkbacks: Linkbacks) -> list[int]:
    now = utcnow()
    with linkbacks.db.write() as session:
        claimed = []
        for row in stored.due(session, now, BATCH):
            if stored.claim(session, row.id, row.next_attempt, now + timedelta(seconds=CLAIM_SECONDS)):  # type: ignore[arg-type]
                claimed.append(row.id)
        return claimed  # type: ignore[return-value]


async def verify_due(linkbacks: Linkbacks) -> int:
    """Verify one batch of due claims; returns how many were tried."""
    claimed = await blocking(_claim, linkbacks)
    for linkback_id in claimed:
        await blocking(verify, linkbacks, linkback_id)
    return len(claimed)


def attach_pump(linkbacks: Linkbacks, poll: float) -> Pump:
    """The verifier's loop, which ``receive`` wakes for each new claim."""
    linkbacks.pump = Pump("linkback verifier", lambda: verify_due(linkbacks), poll=poll, grace=10)
    return linkbacks.pump

"""The background verifier: one task per app instance works through queued claims.

Claims wait in the ``linkback`` table, so a restart loses none; each instance claims a row
by moving its ``next_attempt`` forward in one conditional UPDATE (``store/leases.py``, as the
mail outbox does),
so two instances never fetch the same source at once. A source that hangs costs at most the
fetcher's 5 s, and only this task's time, never a request's.
"""

from __future__ import annotations

from datetime import timedelta

from commentbox.linkbacks.receiving import CLAIM_SECONDS, Linkbacks
from commentbox.linkbacks.verifying import verify
from commentbox.runtime.offload import blocking
from commentbox.runtime.pump import Pump
from commentbox.store import leases
from commentbox.store.linkbacks import waiting_claims
from commentbox.store.models import Linkback, utcnow

BATCH = 10


def _claim(linkbacks: Linkbacks) -> list[int]:
    lease = timedelta(seconds=CLAIM_SECONDS)
    with linkbacks.db.write() as session:
        rows = leases.claim(session, Linkback, waiting_claims(), utcnow(), BATCH, lease)
        return [row.id for row in rows if row.id is not None]


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

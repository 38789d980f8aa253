"""Who is asking: the visitor behind a request, and how long their comments stay theirs.

A guest is known only by keyed hashes (``commentbox.keys``) of their address and browser
token; IP addresses are never kept in the clear.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from commentbox.store.models import Site, User

# How long a guest's edit token still *reads* its comment once the edit window has closed:
# as long as the widget shows a held comment to its author (PENDING_DAYS in embed.js), so
# the author's browser learns that it was published or removed.
AUTHOR_READ_SECONDS = 30 * 86400


@dataclass(frozen=True)
class Visitor:
    """The person behind one request: a signed-in ``user``, or a guest known by hashes."""

    ip_hash: str
    client_hash: str | None = None
    user: User | None = None

    @property
    def voter_key(self) -> str:
        """One vote per identity: the user, or a guest's IP hash combined with the browser token."""
        if self.user is not None:
            return f"u:{self.user.id}"
        return "g:" + hashlib.sha256(f"{self.ip_hash}|{self.client_hash or ''}".encode()).hexdigest()[:40]


def edit_deadline(created: datetime, window_seconds: int) -> datetime:
    return created + timedelta(seconds=window_seconds)


def user_edit_deadline(site: Site, created: datetime) -> datetime | None:
    """When a signed-in author's comment stops being editable; None where the site sets no
    window (``user_edit_window_seconds`` 0). Deleting has no deadline."""
    window = site.user_edit_window_seconds
    return edit_deadline(created, window) if window else None

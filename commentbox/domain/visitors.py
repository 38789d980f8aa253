"""Who is asking: the visitor behind a request, and how long their comments stay theirs.

A guest is known only by keyed hashes (``commentbox.keys``) of their address and browser
token; IP addresses are never kept in the clear.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from commentbox.store.models import Comment, Site, User

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
        """One vote per person: the signed-in user, or a guest's address (its keyed hash).

        Never the browser token: the client chooses that header, so a fresh token per request
        would be a fresh vote. Guests sharing one address (a household, an office NAT) share
        one vote per comment; signing in gives each of them their own.
        """
        if self.user is not None:
            return f"u:{self.user.id}"
        return f"g:{self.ip_hash}"

    def wrote(self, comment: Comment) -> bool:
        """Whether ``comment`` is, as far as the server can tell, this visitor's own (no self-votes).

        A signed-in author is known by the account; a guest comment by the browser that
        wrote it (its token's hash, which survives a move to another network) and, for a
        guest, by the address it came from too, since a guest can forge a new browser token
        but not a new address: a guest never votes on a comment written from their address.
        """
        same_browser = self.client_hash is not None and self.client_hash == comment.client_hash
        if self.user is not None:
            return self.user.id == comment.user_id or (comment.user_id is None and same_browser)
        return same_browser or self.ip_hash == comment.ip_hash


def edit_deadline(created: datetime, window_seconds: int) -> datetime:
    return created + timedelta(seconds=window_seconds)


def user_edit_deadline(site: Site, created: datetime) -> datetime | None:
    """When a signed-in author's comment stops being editable; None where the site sets no
    window (``user_edit_window_seconds`` 0). Deleting has no deadline."""
    window = site.user_edit_window_seconds
    return edit_deadline(created, window) if window else None

"""The domain's events as live events: what the public thread gained, changed or lost.

Held comments never go out: a comment reaches streams when it is published (at once, or
when a moderator approves it). An edit that sends a comment back to moderation is, for
the public thread, a removal.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from commentbox.live.hub import LiveEvent, channel_of
from commentbox.live.relay import Relay
from commentbox.runtime.events import Events
from commentbox.store import comments
from commentbox.store.db import Database
from commentbox.store.models import Comment, CommentStatus, Site

THREAD_KEYS_CACHED = 4096


class Announcer:
    def __init__(self, db: Database, relay: Relay) -> None:
        self._db = db
        self._relay = relay
        self._keys: OrderedDict[int, str] = OrderedDict()  # a thread's key never changes

    def listen_to(self, events: Events) -> None:
        events.subscribe("comment.created", self._created)
        events.subscribe("comment.approved", self._published)
        events.subscribe("comment.restored", self._published)  # Undo of a moderator's Trash
        events.subscribe("comment.edited", self._edited)
        events.subscribe("comment.deleted", self._deleted)

    def _created(self, comment: Comment, site: Site, **_: Any) -> None:
        if comment.status == CommentStatus.APPROVED:
            self._announce(comment, site, "published")

    def _published(self, comment: Comment, site: Site, **_: Any) -> None:
        self._announce(comment, site, "published")

    def _edited(self, comment: Comment, site: Site, **_: Any) -> None:
        self._announce(comment, site, "edited" if comment.status == CommentStatus.APPROVED else "deleted")

    def _deleted(self, comment: Comment, site: Site, **_: Any) -> None:
        self._announce(comment, site, "deleted")

    def _announce(self, comment: Comment, site: Site, kind: str) -> None:
        assert comment.id is not None
        self._relay.publish(
            LiveEvent.new(
                channel_of(site.id, self._key(comment.thread_id)), kind, comment.thread_id, comment.id
            )
        )

    def _key(self, thread_id: int) -> str:
        key = self._keys.get(thread_id)
        if key is None:
            with self._db.read() as session:
                key = self._keys[thread_id] = comments.thread_by_id(session, thread_id).key
            if len(self._keys) > THREAD_KEYS_CACHED:
                self._keys.popitem(last=False)
        return key

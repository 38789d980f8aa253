"""A tiny in-process event seam: ``comment.created`` → notifications, webhooks, live updates.

The domain announces what happened; listeners (registered in ``create_app``) decide what
follows, so new reactions never mean new calls sprinkled through the domain. Two phases:

- ``within(connection, name, …)``, inside the write's transaction, for listeners whose
  writes must commit or roll back with the change (the webhook outbox: an event is queued
  if and only if the comment change happened). Such a listener's error fails the write.
- ``emit(name, …)``, after the write committed; a listener that fails is logged and does
  not undo the write (mail, live updates, metrics).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

log = logging.getLogger(__name__)

Listener = Callable[..., None]
TransactionListener = Callable[..., None]  # called as listener(connection, **payload)


class Events:
    def __init__(self) -> None:
        self._listeners: dict[str, list[Listener]] = defaultdict(list)
        self._within: dict[str, list[TransactionListener]] = defaultdict(list)

    def subscribe(self, name: str, listener: Listener) -> None:
        self._listeners[name].append(listener)

    def subscribe_within(self, name: str, listener: TransactionListener) -> None:
        """Hear ``name`` inside the writer's transaction: ``listener(connection, **payload)``."""
        self._within[name].append(listener)

    def listens(self, name: str) -> bool:
        """Whether ``emit(name, …)`` would reach anyone (spares building a payload for no one)."""
        return bool(self._listeners.get(name))

    def listens_within(self, name: str) -> bool:
        return bool(self._within.get(name))

    def within(self, connection: Connection, name: str, **payload: Any) -> None:
        """Tell the in-transaction listeners; errors propagate, so the change rolls back."""
        for listener in self._within.get(name, ()):
            listener(connection, **payload)

    def emit(self, name: str, **payload: Any) -> None:
        for listener in self._listeners.get(name, ()):
            try:
                listener(**payload)
            except Exception:
                log.exception("listener %r for %s failed", listener, name)

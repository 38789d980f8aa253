"""A tiny in-process event seam: ``comment.created`` → notifications, webhooks, live updates.

The domain announces what happened; listeners (registered in ``create_app``) decide what
follows, so new reactions never mean new calls sprinkled through the domain. Listeners run
after the write committed; one that fails is logged and does not undo the write.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

Listener = Callable[..., None]


class Events:
    def __init__(self) -> None:
        self._listeners: dict[str, list[Listener]] = defaultdict(list)

    def subscribe(self, name: str, listener: Listener) -> None:
        self._listeners[name].append(listener)

    def listens(self, name: str) -> bool:
        """Whether ``emit(name, …)`` would reach anyone (spares building a payload for no one)."""
        return bool(self._listeners.get(name))

    def emit(self, name: str, **payload: Any) -> None:
        for listener in self._listeners.get(name, ()):
            try:
                listener(**payload)
            except Exception:
                log.exception("listener %r for %s failed", listener, name)

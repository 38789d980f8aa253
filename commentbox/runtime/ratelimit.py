"""Rate limits on writes, per client (keyed IP hash) and per identity, with the ``limits`` library.

Storage is in memory for one process, Redis when ``COMMENTBOX_REDIS_URL`` is set (so that
every instance and worker shares one budget). The moving-window strategy counts exactly:
"3 per minute" never lets a fourth through at a window edge. ``COMMENTBOX_RATE_LIMITS=off``
turns the layer off (benchmarks); every other spam layer still applies.

A storage outage (Redis down) lets writes through with a logged error rather than
refusing every visitor: the other layers still stand, and comments are never lost.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterable, Mapping
from functools import lru_cache

from limits import RateLimitItem, parse_many
from limits.errors import StorageError
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter

from commentbox.errors import RateLimited

log = logging.getLogger(__name__)

DEFAULT_RULES = "3/minute; 20/hour"  # per client address and per identity, for new comments and edits
DEFAULT_VOTE_RULES = "30/minute; 300/hour"  # votes: cheaper than comments, so a larger budget of their own


@lru_cache(maxsize=256)
def _items(rules: str) -> list[RateLimitItem]:
    return [] if rules == "off" else parse_many(rules)


def checked_rules(value: str) -> str:
    """``value`` as rules the limiter takes ("off", or e.g. "3/minute; 20/hour"), or ValueError."""
    value = value.strip()
    if value.lower() in ("off", "none", ""):
        return "off"
    try:
        parse_many(value)
    except ValueError:
        raise ValueError("must be 'off' or limits like '3/minute; 20/hour'") from None
    return value


class RateLimiter:
    """``hit(action, keys)`` charges one write to every key, or raises ``RateLimited``.

    Every action has a budget of its own (a vote never uses up a comment's); ``rules``
    apply to each, except the actions ``per_action`` gives other rules. ``rules="off"``
    turns every budget off, ``per_action``'s too.
    """

    def __init__(
        self,
        rules: str,
        redis_url: str | None = None,
        prefix: str = "commentbox",
        per_action: Mapping[str, str] | None = None,
    ) -> None:
        self.items: list[RateLimitItem] = _items(rules)
        self.per_action: dict[str, list[RateLimitItem]] = {
            action: _items(action_rules) if self.items else []
            for action, action_rules in (per_action or {}).items()
        }
        self.storage: Storage = (
            RedisStorage(redis_url, key_prefix=prefix, wrap_exceptions=True)
            if redis_url
            else MemoryStorage(wrap_exceptions=True)
        )
        self._limiter = MovingWindowRateLimiter(self.storage)

    @property
    def enabled(self) -> bool:
        return bool(self.items)

    def hit(self, action: str, keys: Iterable[str]) -> None:
        """Charge one ``action`` to each key in turn; the first exhausted budget refuses (429).

        Charging key by key keeps the count exact under concurrency (each hit is atomic in
        the storage); a refused write may have used a slot of an earlier key, which only
        ever errs against the flooder.
        """
        items = self.per_action.get(action, self.items)
        if not items:
            return
        try:
            for key in keys:
                for item in items:
                    if not self._limiter.hit(item, action, key):
                        raise RateLimited(_sentence(item), retry_after=self._retry_after(item, action, key))
        except StorageError:
            log.exception("rate-limit storage unavailable; letting the write through")

    def within(self, rules: str, action: str, key: str) -> bool:
        """Charge one ``action`` to ``key`` under ``rules`` given per call (a site's own);
        False once that budget is spent. For budgets that hold a write rather than refuse
        it, so the caller decides. Off with the limiter, and on a storage outage."""
        items = _items(rules) if self.items else []
        try:
            return all(self._limiter.hit(item, action, key) for item in items)
        except StorageError:
            log.exception("rate-limit storage unavailable; letting the write through")
            return True

    def retry_after(self, rules: str, action: str, key: str) -> int:
        """Seconds until ``key`` has room again under ``rules`` (after ``within`` said False)."""
        try:
            resets = [self._limiter.get_window_stats(item, action, key).reset_time for item in _items(rules)]
        except StorageError:
            return 60
        return max(1, math.ceil(max(resets, default=time.time()) - time.time()))

    def _retry_after(self, item: RateLimitItem, action: str, key: str) -> int:
        reset = self._limiter.get_window_stats(item, action, key).reset_time
        return max(1, math.ceil(reset - time.time()))

    def reset(self) -> None:
        self.storage.reset()


def _sentence(item: RateLimitItem) -> str:
    per = f"{item.multiples} {item.GRANULARITY.name}s" if item.multiples > 1 else item.GRANULARITY.name
    return (
        f"You are writing faster than this site allows ({item.amount} per {per}). "
        "Please wait a little and send it again."
    )

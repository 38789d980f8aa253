"""Prometheus metrics: requests and latencies by route, comments posted, thread-cache hits.

Off unless ``COMMENTBOX_METRICS=true`` or ``COMMENTBOX_METRICS_TOKEN`` is set (then
``/metrics`` wants ``Authorization: Bearer <token>``). Each app has its own registry, so
tests build as many apps as they like. With several workers (``commentbox serve
--workers N``) every worker writes its numbers to files in ``PROMETHEUS_MULTIPROC_DIR``
(``serve`` creates one) and ``/metrics`` adds them up, so a scrape that lands on any
worker sees the whole instance.

The HTTP side (timing each request, labelling it by its route) is
``commentbox.http.request_metrics``.
"""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


def _multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class Metrics:
    """The instruments one app records into; ``render()`` is the text a scrape gets."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "commentbox_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "commentbox_http_request_duration_seconds",
            "Time from request to the end of the response, by method and route template.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.comments = Counter(
            "commentbox_comments_posted",
            "Comments stored, by the status they were stored with (approved, pending, spam).",
            ["status"],
            registry=self.registry,
        )
        self.cache = Counter(
            "commentbox_thread_cache_lookups",
            "Rendered-thread lookups; hit rate = hit / (hit + miss).",
            ["result"],
            registry=self.registry,
        )
        self._hit = self.cache.labels("hit")
        self._miss = self.cache.labels("miss")
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        children = self._children.get((method, route, status))
        if children is None:  # labelled children looked up once per combination
            children = (self.requests.labels(method, route, str(status)), self.latency.labels(method, route))
            self._children[(method, route, status)] = children
        children[0].inc()
        children[1].observe(seconds)

    def observe_cache(self, hit: bool) -> None:
        (self._hit if hit else self._miss).inc()

    def comment_posted(self, comment: Any, **_: Any) -> None:
        """``comment.created`` listener."""
        self.comments.labels(str(comment.status)).inc()

    def render(self) -> bytes:
        if _multiprocess_dir() is None:
            return generate_latest(self.registry)
        combined = CollectorRegistry()
        MultiProcessCollector(combined)
        return generate_latest(combined)

"""Prometheus metrics: requests and latencies by route, comments posted, thread-cache hits.

Off unless ``COMMENTBOX_METRICS=true`` or ``COMMENTBOX_METRICS_TOKEN`` is set (then
``/metrics`` wants ``Authorization: Bearer <token>``). Each app has its own registry, so
tests build as many apps as they like. With several workers (``commentbox serve
--workers N``) every worker writes its numbers to files in ``PROMETHEUS_MULTIPROC_DIR``
(``serve`` creates one) and ``/metrics`` adds them up, so a scrape that lands on any
worker sees the whole instance.

Routes are labelled by their template (``/api/v1/comments/{comment_id}``), never by the
raw path, so label values stay few whatever clients send; unmatched paths are
``unmatched``.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
UNMATCHED = "unmatched"
_CONVERTER = re.compile(r"\{(\w+):\w+\}")  # "{comment_id:int}" is labelled "{comment_id}"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


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


def route_templates(routes: Iterable[BaseRoute], prefix: str = "") -> dict[int, str]:
    """``id(endpoint) → path template`` for every route, mounts included (by identity: some
    endpoints, like routers, are not hashable; all live as long as the app)."""
    found: dict[int, str] = {}
    for route in routes:
        if isinstance(route, Route):
            found[id(route.endpoint)] = _CONVERTER.sub(r"{\1}", prefix + route.path)
        elif isinstance(route, Mount):
            found.update(route_templates(route.routes, prefix + route.path))
            found.setdefault(id(route.app), prefix + route.path)
    return found


class RequestMetrics:
    """ASGI middleware timing every HTTP request and labelling it by its route template.

    The router writes the matched ``endpoint`` into the scope it was given, so once the
    response is out the template is one dictionary lookup away.
    """

    def __init__(self, app: ASGIApp, metrics: Metrics, templates: dict[int, str]) -> None:
        self.app = app
        self.metrics = metrics
        self.templates = templates

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            route = self.templates.get(id(scope.get("endpoint")), UNMATCHED)
            method = scope["method"] if scope["method"] in METHODS else "other"
            self.metrics.observe_request(method, route, status, time.perf_counter() - started)

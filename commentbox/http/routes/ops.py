"""For operators and their load balancers: ``/readyz`` and Prometheus ``/metrics``.

``/healthz`` (in ``pages.py``) says the process is up; ``/readyz`` says it can serve,
i.e. its database answers — a load balancer takes an instance out of rotation on 503.
"""

from __future__ import annotations

import asyncio
import hmac
import logging

from prometheus_client import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from commentbox.errors import NotFound, ServiceUnavailable, Unauthorized
from commentbox.http.request import context
from commentbox.runtime.offload import blocking

log = logging.getLogger(__name__)
READY_TIMEOUT_SECONDS = 5.0
NO_STORE = {"Cache-Control": "no-store"}


async def readyz(request: Request) -> Response:
    ctx = context(request)
    try:
        await asyncio.wait_for(blocking(ctx.db.ping), READY_TIMEOUT_SECONDS)
    except Exception as exc:
        log.warning("not ready: the database does not answer (%s)", exc)
        raise ServiceUnavailable("The database does not answer.") from None
    return PlainTextResponse("ready", headers=NO_STORE)


async def metrics(request: Request) -> Response:
    ctx = context(request)
    if ctx.metrics is None:
        raise NotFound("Metrics are off: set COMMENTBOX_METRICS=true or COMMENTBOX_METRICS_TOKEN.")
    token = ctx.settings.metrics_token
    if token is not None:
        expected = f"Bearer {token.get_secret_value()}".encode()
        given = request.headers.get("authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            error = Unauthorized("Send the metrics token as “Authorization: Bearer …”.")
            error.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
            raise error
    body = await blocking(ctx.metrics.render)  # with several workers: reads their files
    return Response(body, media_type=CONTENT_TYPE_LATEST, headers=NO_STORE)


routes = [
    Route("/readyz", readyz, methods=["GET"]),
    Route("/metrics", metrics, methods=["GET"]),
]

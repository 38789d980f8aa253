"""The "ceiling": bare Starlette + uvicorn returning a precomputed body.

Target 1 of issue 6 is stated against this app: the fastest any Starlette
handler can answer with a body of the same size as commentbox's real thread
response, on the same server stack and worker count. The body is built once at
import (size from CEILING_BODY_BYTES) so a request does no work at all.

Run: CEILING_BODY_BYTES=49152 uvicorn ceiling_app:app --app-dir bench --workers 2
"""

from __future__ import annotations

import os

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def make_body(size: int) -> bytes:
    """A valid JSON document of exactly `size` bytes (for size >= 12)."""
    shell = b'{"pad":""}'
    return shell[:-2] + b"x" * max(0, size - len(shell)) + shell[-2:]


BODY = make_body(int(os.environ.get("CEILING_BODY_BYTES", "50000")))


async def thread(request: Request) -> Response:
    """Answer every request with the precomputed body."""
    return Response(BODY, media_type="application/json")


app = Starlette(routes=[Route("/", thread)])

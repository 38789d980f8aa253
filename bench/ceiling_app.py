"""The "ceiling": bare Starlette + uvicorn returning a precomputed body.

Target 1 of issue 6 is stated against this app: the fastest any Starlette
handler can answer with a body of the same size as commentbox's real thread
response, on the same server stack and worker count. Bodies are built once at
import (sizes from CEILING_BODY_BYTES for `/`, the JSON read, and
CEILING_EMBED_BYTES for `/embed`, the widget's HTML read) so a request does no
work at all.

Run: CEILING_BODY_BYTES=49152 CEILING_EMBED_BYTES=40000 \
     uvicorn ceiling_app:app --app-dir bench --workers 2
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


def make_html(size: int) -> bytes:
    """An HTML fragment of exactly `size` bytes (for size >= 11), like /embed/thread's."""
    shell = b"<div></div>"
    return shell[:5] + b"x" * max(0, size - len(shell)) + shell[5:]


BODY = make_body(int(os.environ.get("CEILING_BODY_BYTES", "50000")))
EMBED = make_html(int(os.environ.get("CEILING_EMBED_BYTES", "50000")))


async def thread(request: Request) -> Response:
    """The JSON thread read: the precomputed body, nothing else."""
    return Response(BODY, media_type="application/json")


async def embed(request: Request) -> Response:
    """The widget's HTML fragment read, sized like commentbox's /embed/thread."""
    return Response(EMBED, media_type="text/html; charset=utf-8")


app = Starlette(routes=[Route("/", thread), Route("/embed", embed)])

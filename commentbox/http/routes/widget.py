"""What the embedding page loads: ``/embed.js``, ``/count.js``, ``/embed.css``, the thread as
an HTML fragment for the widget's shadow root (``/embed/thread``), and the same thread as a
plain page for readers without JavaScript (``/threads/{site}``).

The browser files are built from ``widget/`` into ``commentbox/static`` (``python
widget/build.py``); they are served from memory, gzipped once, with an ETag.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from commentbox import STATIC
from commentbox.domain import reading
from commentbox.html import render
from commentbox.html.i18n import pick_language
from commentbox.http.request import context
from commentbox.http.routes.api import thread_query

ASSET_CACHE = "public, max-age=3600, stale-while-revalidate=86400"
_MEDIA = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes
    etag: str
    media_type: str


@cache
def asset(name: str) -> Asset:
    body = (STATIC / name).read_bytes()
    return Asset(
        body=body,
        gzipped=gzip.compress(body, compresslevel=9, mtime=0),
        etag='"' + hashlib.blake2s(body, digest_size=10).hexdigest() + '"',
        media_type=_MEDIA[Path(name).suffix],
    )


def _not_modified(request: Request, etag: str) -> bool:
    return etag in request.headers.get("if-none-match", "")


def _asset_response(request: Request, name: str) -> Response:
    found = asset(name)
    headers = {
        "ETag": found.etag,
        "Cache-Control": ASSET_CACHE,
        "Vary": "Accept-Encoding",
        "Cross-Origin-Resource-Policy": "cross-origin",
        # The same public file for everyone, never with credentials: any page may load it
        # in CORS mode, which <script integrity=… crossorigin> (Subresource Integrity) needs.
        "Access-Control-Allow-Origin": "*",
    }
    if _not_modified(request, found.etag):
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(found.gzipped, media_type=found.media_type, headers=headers)
    return Response(found.body, media_type=found.media_type, headers=headers)


async def embed_js(request: Request) -> Response:
    return _asset_response(request, "embed.js")


async def count_js(request: Request) -> Response:
    return _asset_response(request, "count.js")


async def embed_css(request: Request) -> Response:
    return _asset_response(request, "embed.css")


def _html(rendered: reading.Rendered, extra: dict[str, str] | None = None) -> Response:
    headers = {"ETag": rendered.etag, "Cache-Control": "no-cache", "Vary": "Accept-Language", **(extra or {})}
    if rendered.body is None:
        return Response(status_code=304, headers=headers)
    return Response(rendered.body, media_type="text/html; charset=utf-8", headers=headers)


@lru_cache(maxsize=4096)
def _asked_language(query_string: str) -> str:
    """``?lang=`` of a query string, as a catalogue we have (parsed once per distinct query:
    every reader of a page sends the same one, and parsing was an eighth of a cached read)."""
    return pick_language(QueryParams(query_string).get("lang"))


async def thread_fragment(request: Request) -> Response:
    """Served like ``GET /api/v1/threads``: from memory while the thread is unchanged."""
    lang = _asked_language(request.scope["query_string"].decode("latin-1"))
    ctx = context(request)
    rendered = await reading.read_rendered(
        ctx.reader,
        thread_query(request),
        f"fragment.{lang}",
        render.fragment_builder(ctx.pages, lang),
        request.headers.get("if-none-match"),
    )
    return _html(rendered)


async def thread_page(request: Request) -> Response:
    lang = pick_language(request.query_params.get("lang"), request.headers.get("accept-language"))
    ctx = context(request)
    rendered = await reading.read_rendered(
        ctx.reader,
        thread_query(request),
        f"page.{lang}",
        render.page_builder(ctx.pages, lang, request.url.path),
        request.headers.get("if-none-match"),
    )
    known = ctx.sites.get(request.path_params["site"])  # current: the read just checked it
    endpoints = render.linkback_endpoints(ctx.settings.base_url, known.site) if known else None
    return _html(rendered, {"X-Pingback": endpoints["pingback"]} if endpoints else None)


routes = [
    Route("/embed.js", embed_js, methods=["GET"]),
    Route("/count.js", count_js, methods=["GET"]),
    Route("/embed.css", embed_css, methods=["GET"]),
    Route("/embed/thread", thread_fragment, methods=["GET"]),
    Route("/threads/{site}", thread_page, methods=["GET"]),
]

"""``GET /feeds/{site}.atom``: a site's newest published comments as Atom; with ``?url=`` (or
``?page_id=``) one thread's. docs/feeds.md says what a feed holds and how it is cached."""

from __future__ import annotations

import hashlib

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from commentbox.domain import feeds
from commentbox.domain.reading import etag_matches
from commentbox.errors import InvalidInput
from commentbox.html.feeds import ATOM_TYPE, atom
from commentbox.http.request import context
from commentbox.runtime.offload import blocking
from commentbox.services import Context

# Anyone may keep a copy, but must ask again before showing it: a removed comment leaves the
# feed at the next poll, and the ETag makes that poll a bodiless 304 while nothing changed.
FEED_CACHE = "public, no-cache"
MAX_URL_CHARS = 2000
MAX_PAGE_ID_CHARS = 200


def _argument(request: Request, name: str, limit: int) -> str | None:
    value = request.query_params.get(name)
    if value is not None and len(value) > limit:
        raise InvalidInput(f"“{name}” is at most {limit} characters.", field=name)
    return value or None


def _document(ctx: Context, site_id: str, url: str | None, page_id: str | None) -> bytes:
    feed = feeds.read_feed(ctx.db, ctx.presentation, site_id, url=url, page_id=page_id)
    return atom(feed, ctx.settings.base_url)


async def site_feed(request: Request) -> Response:
    """The feed as it reads now, and a strong ETag of its bytes (304 when the reader has them)."""
    url = _argument(request, "url", MAX_URL_CHARS)
    page_id = _argument(request, "page_id", MAX_PAGE_ID_CHARS)
    body = await blocking(_document, context(request), request.path_params["site"], url, page_id)
    etag = '"' + hashlib.blake2s(body, digest_size=16).hexdigest() + '"'
    # Public, credential-free data: web-based feed readers may fetch it from their own origin.
    headers = {"ETag": etag, "Cache-Control": FEED_CACHE, "Access-Control-Allow-Origin": "*"}
    if etag_matches(etag, request.headers.get("if-none-match")):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=f"{ATOM_TYPE}; charset=utf-8", headers=headers)


routes = [Route("/feeds/{site}.atom", site_feed, methods=["GET"])]

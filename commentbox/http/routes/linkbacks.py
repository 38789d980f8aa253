"""``/webmention/{site}`` and ``/pingback/{site}``: other sites telling us they link here.

Webmention (W3C): a form post of ``source`` and ``target``, answered 202 with the status
URL in ``Location`` once the cheap checks pass (``linkbacks/receiving.py``); the source is
fetched later by the background verifier. Pingback: an XML-RPC call, answered in XML-RPC
(faults included, with HTTP 200 as XML-RPC wants), verified within the request.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from commentbox.errors import LinkbackRefused, PayloadTooLarge
from commentbox.http.request import JSONResponse, context, read_body
from commentbox.linkbacks import pingback, receiving
from commentbox.runtime.offload import blocking

MAX_FORM_BYTES = 8 * 1024  # two URLs of at most 2,000 characters, percent-encoded
FORM = "application/x-www-form-urlencoded"
NO_STORE = {"Cache-Control": "no-store"}


async def _source_and_target(request: Request) -> tuple[str, str]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != FORM:
        raise LinkbackRefused(f"Send source and target as {FORM}, as the Webmention spec says.")
    raw = await read_body(request, MAX_FORM_BYTES)
    try:
        form = parse_qs(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=10)
    except (UnicodeDecodeError, ValueError):
        raise LinkbackRefused("The form could not be read.") from None
    source, target = form.get("source", [""]), form.get("target", [""])
    if len(source) != 1 or len(target) != 1 or not source[0] or not target[0]:
        raise LinkbackRefused("Send one source and one target.")
    return source[0], target[0]


async def webmention(request: Request) -> Response:
    site_id = request.path_params["site"]
    source, target = await _source_and_target(request)
    ctx = context(request)
    row = await blocking(receiving.receive_webmention, ctx.linkbacks, site_id, source, target)
    location = f"{ctx.settings.base_url}/webmention/{site_id}/{row.token}"
    shown = receiving.LinkbackStatus(status=row.state, source=row.source, target=row.target)
    return JSONResponse(shown, status_code=202, headers={"Location": location, **NO_STORE})


async def webmention_status(request: Request) -> Response:
    ctx = context(request)
    site_id, token = request.path_params["site"], request.path_params["token"]
    shown = await blocking(receiving.status, ctx.linkbacks, site_id, token)
    return JSONResponse(shown, headers=NO_STORE)


async def ping(request: Request) -> Response:
    ctx = context(request)
    try:
        body = await read_body(request, pingback.MAX_CALL_BYTES)
    except PayloadTooLarge:
        answer = pingback.refusal(pingback.TOO_LARGE)
    else:
        answer = await blocking(pingback.answer, ctx.linkbacks, request.path_params["site"], body)
    return Response(answer, media_type="text/xml; charset=utf-8", headers=NO_STORE)


routes = [
    Route("/webmention/{site}", webmention, methods=["POST"]),
    Route("/webmention/{site}/{token}", webmention_status, methods=["GET"]),
    Route("/pingback/{site}", ping, methods=["POST"]),
]

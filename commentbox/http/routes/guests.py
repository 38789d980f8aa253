"""Verified guests: the widget's requests (``/api/v1/guests``) and the mailed link's page
(``/auth/email/{token}``). The domain side is ``domain/guests.py``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from commentbox.domain import guests
from commentbox.domain.guest_schemas import (
    Claimable,
    ClaimableList,
    Claimed,
    GuestClaim,
    GuestVerify,
    LinkSent,
)
from commentbox.domain.text import shorten
from commentbox.errors import CommentboxError
from commentbox.http.forms import NO_STORE, sent_from_here
from commentbox.http.request import ClientInfo, JSONResponse, context, read_json
from commentbox.http.routes.api import site_param
from commentbox.http.routes.auth import result_page
from commentbox.mail.guest_links import send_link
from commentbox.runtime.offload import blocking

EXCERPT_CHARS = 140


async def verify(request: Request) -> Response:
    """``POST /api/v1/guests/verify``: always 202 with the same body once accepted."""
    ctx = context(request)
    data = await read_json(request, GuestVerify)
    client = ClientInfo(request)
    await blocking(
        send_link,
        ctx.guest_links,
        data.site,
        data.login,
        data.email,
        data.name,
        client.origin,
        ctx.keys.hash_ip(client.ip),
    )
    return JSONResponse(LinkSent(), status_code=202, headers=NO_STORE)


async def claimable(request: Request) -> Response:
    """``GET /api/v1/guests/claim?site=S``: the bearer's older guest comments to choose from."""
    ctx = context(request)
    client = ClientInfo(request)
    found = await blocking(
        guests.claimable, ctx.guests, client.required_bearer(), site_param(request), client.origin
    )
    body = ClaimableList(
        comments=[
            Claimable(
                id=comment.id,  # type: ignore[arg-type]
                url=thread.url or None,
                title=thread.title or None,
                created=comment.created,
                status=comment.status,
                excerpt=shorten(comment.body, EXCERPT_CHARS),
            )
            for comment, thread in found
        ]
    )
    return JSONResponse(body, headers=NO_STORE)


async def claim(request: Request) -> Response:
    """``POST /api/v1/guests/claim``: make exactly the chosen ids the bearer's."""
    ctx = context(request)
    data = await read_json(request, GuestClaim)
    client = ClientInfo(request)
    claimed = await blocking(
        guests.claim, ctx.guests, client.required_bearer(), data.site, client.origin, data.ids
    )
    return JSONResponse(Claimed(claimed=claimed), headers=NO_STORE)


def _refused(request: Request, exc: CommentboxError) -> Response:
    response = result_page(request, exc.status, title="Not signed in", sentence=exc.detail)
    response.headers.update(exc.headers)
    return response


async def link_page(request: Request) -> Response:
    """``GET /auth/email/{token}``: a page with a button, since mail scanners fetch links."""
    ctx = context(request)
    token = request.path_params["token"]
    try:
        link, origin = await blocking(guests.check_link, ctx.guests, token)
    except CommentboxError as exc:
        return _refused(request, exc)
    values = {"origin": origin, "email": link.email, "action": f"/auth/email/{token}"}
    return request.app.state.templates.TemplateResponse(request, "auth/email.html", values, headers=NO_STORE)


async def link_confirmed(request: Request) -> Response:
    """The button's POST (from this server's page only): signs the page that asked in."""
    ctx = context(request)
    if not sent_from_here(request):
        return result_page(
            request, 403, title="Not signed in", sentence="Press the button on the link's own page."
        )
    try:
        redeemed = await blocking(guests.sign_in, ctx.guests, request.path_params["token"])
    except CommentboxError as exc:
        return _refused(request, exc)
    sentence = (
        f"You are signed in as {redeemed.user.name}. Go back to the page where you asked: "
        "it signs you in by itself. You can close this window."
    )
    return result_page(request, title="Signed in", sentence=sentence)


api_routes = [
    Route("/guests/verify", verify, methods=["POST"]),
    Route("/guests/claim", claimable, methods=["GET"]),
    Route("/guests/claim", claim, methods=["POST"]),
]
auth_routes = [
    Route("/email/{token}", link_page, methods=["GET"]),
    Route("/email/{token}", link_confirmed, methods=["POST"]),
]

"""``/api/v1/me/data``, ``/api/v1/me/erase``, ``/api/v1/me/page``: a signed-in visitor's
own data, from the widget (bearer, and the page's ``Origin`` must be one of the site's).

The token must belong to the site the request names; a token of another site, a revoked
session or a forged token is a 401, and nothing is read or erased.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from commentbox.domain import erasure, my_data, page_tickets, user_sessions
from commentbox.domain.erasure import Identity
from commentbox.http.openapi.operation import Operation
from commentbox.http.request import ClientInfo, JSONResponse, context, read_json
from commentbox.http.routes.api import site_param
from commentbox.runtime.offload import blocking
from commentbox.store.models import utcnow

NO_STORE = {"Cache-Control": "no-store"}


def _signed_in(request: Request, site_id: str) -> user_sessions.SignedIn:
    client = ClientInfo(request)
    return user_sessions.resolve(
        context(request).user_sessions, client.required_bearer(), site_id, client.origin
    )


async def get_data(request: Request) -> Response:
    """Everything about the bearer on ``?site=`` (the documented ``MyData`` shape)."""
    ctx = context(request)
    site_id = site_param(request)

    def load() -> my_data.MyData:
        signed_in = _signed_in(request, site_id)
        identity = Identity.user(site_id, signed_in.user.id)  # type: ignore[arg-type]
        return my_data.my_data(ctx.db, identity, signed_in.session_id)

    return JSONResponse(await blocking(load), headers=NO_STORE)


async def erase(request: Request) -> Response:
    """Erase everything of the bearer on the site; the session ends with it."""
    ctx = context(request)
    data = await read_json(request, my_data.EraseRequest)

    def run() -> erasure.Erased:
        signed_in = _signed_in(request, data.site)
        return erasure.erase(ctx.erasing, Identity.user(data.site, signed_in.user.id))  # type: ignore[arg-type]

    return JSONResponse(await blocking(run), headers=NO_STORE)


async def page_link(request: Request) -> Response:
    """A one-time link to the "My data" page for the bearer's session (``page_tickets.py``)."""
    ctx = context(request)
    data = await read_json(request, my_data.PageRequest)
    signed_in = await blocking(_signed_in, request, data.site)
    ticket = page_tickets.issue(ctx.user_sessions, signed_in)
    url = f"{ctx.settings.base_url}/me?{urlencode({'site': data.site, 'ticket': ticket})}"
    expires = utcnow() + timedelta(seconds=page_tickets.TICKET_SECONDS)
    return JSONResponse(my_data.PageLink(url=url, expires=expires), headers=NO_STORE)


routes = [
    Route("/me/data", get_data, methods=["GET"]),
    Route("/me/erase", erase, methods=["POST"]),
    Route("/me/page", page_link, methods=["POST"]),
]

_REFUSED = "not signed in, a revoked session, or the token is another site's"
operations = [
    Operation(
        "get",
        "/api/v1/me/data",
        "Everything stored about the bearer on the site (comments in any status, votes, "
        "subscriptions, sessions): the documented download",
        (("site", "query", True, "the site id"),),
        responses={200: my_data.MyData, 401: _REFUSED},
    ),
    Operation(
        "post",
        "/api/v1/me/erase",
        "Erase everything of the bearer on the site (`confirm` must be `erase`); the session ends",
        body=my_data.EraseRequest,
        responses={200: erasure.Erased, 401: _REFUSED, 422: "no confirmation"},
    ),
    Operation(
        "post",
        "/api/v1/me/page",
        "A one-time link (two minutes) that opens the bearer's “Your comments and data” page",
        body=my_data.PageRequest,
        responses={200: my_data.PageLink, 401: _REFUSED},
    ),
]

"""Demo Facebook: the login dialog, client credentials posted as parameters, Graph ``/me``.

Facebook's errors are ``{"error": {"message", "type": "OAuthException", "code"}}``, and the
Graph version is part of every URL, so the routes take any ``v<major>.<minor>``.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from commentbox.http.demo_providers import consent
from commentbox.http.demo_providers.grants import DemoIdentity
from commentbox.http.forms import first, read_form

PROVIDER = consent.DemoProvider(
    name="facebook",
    label="Facebook",
    identity=DemoIdentity("10000000000000042", "Fiona Demo", "fiona@demo.invalid", "d0e60093"),
    pkce=False,
)
PREFIX = "/demo-providers/facebook/{version:str}"


def _error(message: str, code: int, status: int = 400) -> Response:
    body = {"error": {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "demo"}}
    return JSONResponse(body, status_code=status)


async def token(request: Request) -> Response:
    store = consent.grants(request)
    form = await read_form(request)
    if not consent.client_ok(store, PROVIDER, (first(form, "client_id"), first(form, "client_secret"))):
        return _error("Error validating client secret.", 1)
    grant = consent.redeem_code(store, PROVIDER, form)
    if grant is None:
        return _error("This authorization code has expired or been used.", 100)
    access = consent.issue_token(store, grant)
    if access is None:
        return _error("Please retry your request later.", 2, 503)
    return JSONResponse({"access_token": access, "token_type": "bearer", "expires_in": 3600})


async def me(request: Request) -> Response:
    if not consent.bearer(request, consent.grants(request), PROVIDER):
        return _error("Invalid OAuth access token.", 190, 401)
    person = PROVIDER.identity
    fields = request.query_params.get("fields", "id,name").split(",")
    known = {
        "id": person.sub,
        "name": person.name,
        "email": person.email,
        "picture": {"data": {"url": consent.avatar_url(request, person), "width": 50, "height": 50}},
    }
    return JSONResponse({key: value for key, value in known.items() if key in fields or key == "id"})


async def authorize(request: Request) -> Response:
    if request.method == "POST":
        return await consent.authorize_answer(request, PROVIDER)
    return await consent.authorize_page(request, PROVIDER)


routes = [
    Route(PREFIX + "/dialog/oauth", authorize, methods=["GET", "POST"]),
    Route(PREFIX + "/oauth/access_token", token, methods=["POST"]),
    Route(PREFIX + "/me", me, methods=["GET"]),
]

"""Demo X: OAuth 2.0 with mandatory PKCE, Basic client auth, and ``GET /2/users/me``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from commentbox.http.demo_providers import consent
from commentbox.http.demo_providers.grants import DemoIdentity
from commentbox.http.forms import read_form

PROVIDER = consent.DemoProvider(
    name="twitter",
    label="X",
    identity=DemoIdentity("4200000000000000001", "Xavier Demo", None, "d0e60092"),
    pkce=True,
)
PREFIX = "/demo-providers/twitter"


def _error(error: str, status: int = 400) -> Response:
    return JSONResponse({"error": error, "error_description": f"Demo X: {error}."}, status_code=status)


async def token(request: Request) -> Response:
    store = consent.grants(request)
    if not consent.client_ok(store, PROVIDER, consent.basic_client(request)):
        return _error("unauthorized_client", 401)
    grant = consent.redeem_code(store, PROVIDER, await read_form(request))
    if grant is None:
        return _error("invalid_request")
    access = consent.issue_token(store, grant)
    if access is None:
        return _error("temporarily_unavailable", 503)
    body = {
        "token_type": "bearer",
        "expires_in": 3600,
        "access_token": access,
        "scope": "tweet.read users.read",
    }
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


async def users_me(request: Request) -> Response:
    if not consent.bearer(request, consent.grants(request), PROVIDER):
        return JSONResponse(
            {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"},
            status_code=401,
        )
    person = PROVIDER.identity
    data = {"id": person.sub, "name": person.name, "username": "xavier_demo"}
    if "profile_image_url" in request.query_params.get("user.fields", "").split(","):
        data["profile_image_url"] = consent.avatar_url(request, person)
    return JSONResponse({"data": data})


async def authorize(request: Request) -> Response:
    if request.method == "POST":
        return await consent.authorize_answer(request, PROVIDER)
    return await consent.authorize_page(request, PROVIDER)


routes = [
    Route(PREFIX + "/authorize", authorize, methods=["GET", "POST"]),
    Route(PREFIX + "/2/oauth2/token", token, methods=["POST"]),
    Route(PREFIX + "/2/users/me", users_me, methods=["GET"]),
]

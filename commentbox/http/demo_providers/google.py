"""Demo Google: OpenID Connect discovery, a JWKS, and an RS256 id_token carrying the nonce.

The signing key is made per process, so the adapter in ``auth/google.py`` verifies a real
signature, issuer, audience, expiry and nonce — the same checks it makes against Google.
"""

from __future__ import annotations

import time

from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from commentbox.http.demo_providers import consent
from commentbox.http.demo_providers.grants import DemoIdentity
from commentbox.http.forms import read_form
from commentbox.http.request import context

PROVIDER = consent.DemoProvider(
    name="google",
    label="Google",
    identity=DemoIdentity("demo-google-1", "Gemma Demo", "gemma@demo.invalid", "d0e60091"),
    pkce=True,
)
PREFIX = "/demo-providers/google"


def issuer(request: Request) -> str:
    return context(request).settings.base_url + PREFIX


def signing_key(request: Request) -> RSAKey:
    key: RSAKey = request.app.state.demo_google_key
    return key


def new_signing_key() -> RSAKey:
    return RSAKey.generate_key(
        2048, parameters={"kid": "demo-google", "use": "sig", "alg": "RS256"}, private=True
    )


async def discovery(request: Request) -> Response:
    base = issuer(request)
    return JSONResponse(
        {
            "issuer": base,
            "authorization_endpoint": base + "/authorize",
            "token_endpoint": base + "/token",
            "jwks_uri": base + "/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        }
    )


async def jwks(request: Request) -> Response:
    return JSONResponse({"keys": [signing_key(request).as_dict(private=False)]})


def _error(error: str, status: int = 400) -> Response:
    return JSONResponse({"error": error, "error_description": f"Demo Google: {error}."}, status_code=status)


async def token(request: Request) -> Response:
    store = consent.grants(request)
    if not consent.client_ok(store, PROVIDER, consent.basic_client(request)):
        return _error("invalid_client", 401)
    grant = consent.redeem_code(store, PROVIDER, await read_form(request))
    if grant is None:
        return _error("invalid_grant")
    access = consent.issue_token(store, grant)
    if access is None:
        return _error("temporarily_unavailable", 503)
    person, now = PROVIDER.identity, int(time.time())
    claims = {
        "iss": issuer(request),
        "aud": store.client(PROVIDER.name).client_id,
        "sub": person.sub,
        "iat": now,
        "exp": now + 300,
        "name": person.name,
        "email": person.email,
        "email_verified": True,
        "picture": consent.avatar_url(request, person),
        **({"nonce": grant.nonce} if grant.nonce else {}),
    }
    id_token = jwt.encode({"alg": "RS256", "kid": "demo-google"}, claims, signing_key(request))
    body = {"access_token": access, "token_type": "Bearer", "expires_in": 3600, "id_token": id_token}
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


async def authorize(request: Request) -> Response:
    if request.method == "POST":
        return await consent.authorize_answer(request, PROVIDER)
    return await consent.authorize_page(request, PROVIDER)


routes = [
    Route(PREFIX + "/.well-known/openid-configuration", discovery, methods=["GET"]),
    Route(PREFIX + "/jwks", jwks, methods=["GET"]),
    Route(PREFIX + "/authorize", authorize, methods=["GET", "POST"]),
    Route(PREFIX + "/token", token, methods=["POST"]),
]

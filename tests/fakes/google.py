"""A fake Google: OpenID Connect discovery, JWKS, consent page, token, userinfo.

It signs real RS256 id_tokens with a key generated at start, so the app's
Authlib client verifies them exactly as it would Google's. Knobs produce the
bad tokens an attacker or a broken provider could send::

    fake_google.wrong_nonce = True        # nonce claim differs from the request's
    fake_google.forged_signature = True   # signed by another key, same `kid`
    fake_google.wrong_audience = True     # aud and azp name another client
    fake_google.expired_id_token = True   # exp an hour ago (beyond any leeway)
    fake_google.id_token_claims = {"iss": "accounts.google.com"}  # any override
    fake_google.no_id_token = True        # the token answer carries no id_token at all
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from typing import Any

from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .base import CodeProblem, FakeProvider, FakeUser

GOOGLE_TOKEN_ERRORS: dict[CodeProblem, tuple[str, str]] = {
    CodeProblem.UNKNOWN: ("invalid_grant", "Malformed auth code."),
    CodeProblem.USED: ("invalid_grant", "Bad Request"),
    CodeProblem.EXPIRED: ("invalid_grant", "Bad Request"),
    CodeProblem.WRONG_CLIENT: ("invalid_grant", "Bad Request"),
    CodeProblem.REDIRECT_MISMATCH: ("redirect_uri_mismatch", "Bad Request"),
    CodeProblem.PKCE_MISSING: ("invalid_grant", "Missing code verifier."),
    CodeProblem.PKCE_MISMATCH: ("invalid_grant", "Invalid code verifier."),
}
OTHER_CLIENT = "someone-else.apps.googleusercontent.com"


def at_hash(access_token: str) -> str:
    """OIDC Core 3.1.3.6: left half of SHA-256 of the access token, base64url."""
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode("ascii")


def new_signing_key() -> RSAKey:
    kid = secrets.token_hex(8)
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"})


class FakeGoogle(FakeProvider):
    """Google as an OpenID Connect provider; client auth basic or post, PKCE optional."""

    name = "Google"
    coop_default = False
    default_client_id = "commentbox-test.apps.googleusercontent.com"
    default_client_secret = "GOCSPX-fake-google-secret"
    authorize_path = "/authorize"

    def __init__(self, client_id: str | None = None, client_secret: str | None = None) -> None:
        # Generated once per fake: RSA key generation is the slow part of start-up.
        self.keys: list[RSAKey] = [new_signing_key()]
        self.forger = RSAKey.generate_key(2048)
        super().__init__(client_id, client_secret)

    def default_user(self) -> FakeUser:
        return FakeUser(
            id="104857600000000000001",
            name="Grace Hopper",
            email="grace.hopper@example.com",
            picture="/a/grace-hopper=s96-c",
            given_name="Grace",
            family_name="Hopper",
        )

    def reset(self) -> None:
        super().reset()
        del self.keys[1:]  # undo rotate_key()
        self.wrong_nonce = False
        self.forged_signature = False
        self.wrong_audience = False
        self.expired_id_token = False
        self.id_token_claims: dict[str, Any] = {}
        self.no_id_token = False

    def rotate_key(self) -> RSAKey:
        """Sign with a fresh key from now on; JWKS keeps the old one too, like Google."""
        key = new_signing_key()
        self.keys.append(key)
        return key

    @property
    def signing_key(self) -> RSAKey:
        return self.keys[-1]

    # -- URLs a settings object needs ------------------------------------------

    @property
    def issuer(self) -> str:
        return self.base_url

    @property
    def discovery_url(self) -> str:
        return self.base_url + "/.well-known/openid-configuration"

    @property
    def token_url(self) -> str:
        return self.base_url + "/token"

    @property
    def userinfo_url(self) -> str:
        return self.base_url + "/userinfo"

    @property
    def jwks_url(self) -> str:
        return self.base_url + "/jwks"

    def routes(self) -> list[BaseRoute]:
        return [
            *self.page_routes(),
            Route("/.well-known/openid-configuration", self.backchannel(self.discovery)),
            Route("/jwks", self.backchannel(self.jwks)),
            Route("/token", self.backchannel(self.token), methods=["POST"]),
            Route("/userinfo", self.backchannel(self.userinfo), methods=["GET", "POST"]),
            Route("/a/{name}", self.avatar),
        ]

    # -- endpoints ---------------------------------------------------------------

    async def discovery(self, request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": self.authorize_url,
                "token_endpoint": self.token_url,
                "userinfo_endpoint": self.userinfo_url,
                "jwks_uri": self.jwks_url,
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "email", "profile"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_post",
                    "client_secret_basic",
                ],
                "claims_supported": [
                    "aud",
                    "email",
                    "email_verified",
                    "exp",
                    "family_name",
                    "given_name",
                    "iat",
                    "iss",
                    "name",
                    "picture",
                    "sub",
                ],
                "code_challenge_methods_supported": ["plain", "S256"],
                "grant_types_supported": ["authorization_code", "refresh_token"],
            }
        )

    async def jwks(self, request: Request) -> Response:
        return JSONResponse({"keys": [key.as_dict(private=False) for key in self.keys]})

    def error(self, error: str, description: str, status: int = 400) -> JSONResponse:
        return JSONResponse({"error": error, "error_description": description}, status)

    async def token(self, request: Request) -> Response:
        form = await request.form()
        auth = self.client_auth(request, form)
        if form.get("grant_type") != "authorization_code":
            return self.error("unsupported_grant_type", f"Invalid grant_type: {form.get('grant_type')}")
        client = self.authenticate(auth)
        if client is None:
            return self.error("invalid_client", "Unauthorized", 401)
        grant = self.redeem(form, client)
        if isinstance(grant, CodeProblem):
            return self.error(*GOOGLE_TOKEN_ERRORS[grant])
        access_token = self.issue_access_token(grant)
        body: dict[str, Any] = {
            "access_token": access_token,
            "expires_in": self.token_ttl - 1,
            "scope": grant.scope,
            "token_type": "Bearer",
        }
        if "openid" in grant.scope.split() and not self.no_id_token:
            body["id_token"] = self.id_token(
                grant.user, grant.client_id, grant.nonce, access_token, grant.scope
            )
        return JSONResponse(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    def claims_for(self, user: FakeUser, scope: str) -> dict[str, Any]:
        """The identity claims Google releases for the granted scopes."""
        scopes = scope.split()
        claims: dict[str, Any] = {"sub": user.id}
        if "email" in scopes and user.email:
            claims.update(email=user.email, email_verified=True)
        if "profile" in scopes:
            claims.update(
                name=user.name,
                picture=self.absolute(user.picture),
                given_name=user.given_name,
                family_name=user.family_name,
            )
        return claims

    def id_token(
        self, user: FakeUser, client_id: str, nonce: str | None, access_token: str, scope: str
    ) -> str:
        """Sign an id_token, bent by whichever bad-token knobs are on."""
        now = int(time.time())
        # A token minted for another app names it in both aud and azp. (To test an
        # aud-only mismatch, set id_token_claims={"aud": ...}: Authlib's default
        # claims options do not check aud, only azp — pass claims_options.)
        audience = OTHER_CLIENT if self.wrong_audience else client_id
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "azp": audience,
            "aud": audience,
            **self.claims_for(user, scope),
            "at_hash": at_hash(access_token),
            "iat": now - 7200 if self.expired_id_token else now,
            "exp": now - 3600 if self.expired_id_token else now + 3600,
        }
        if nonce is not None:
            claims["nonce"] = "not-" + nonce if self.wrong_nonce else nonce
        elif self.wrong_nonce:
            claims["nonce"] = secrets.token_urlsafe(16)
        claims.update(self.id_token_claims)
        header = {"alg": "RS256", "kid": self.signing_key.kid, "typ": "JWT"}
        key = self.forger if self.forged_signature else self.signing_key
        return jwt.encode(header, claims, key)

    async def userinfo(self, request: Request) -> Response:
        issued = self.bearer(request)
        if issued is None:
            return JSONResponse(
                {"error": "invalid_request", "error_description": "Invalid Credentials"},
                401,
                headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'},
            )
        return JSONResponse(self.claims_for(issued.user, issued.scope))

"""A fake Facebook Login: OAuth dialog, Graph token exchange, Graph `me`.

What Facebook does and the app must cope with:
- the Graph version is part of every URL (`/v23.0/...`): other versions answer
  a Graph error, so the version must come from settings;
- the token endpoint reads `client_id`/`client_secret` from the **parameters**
  only; HTTP Basic alone (Authlib's default) gets Graph's
  `{"error": {"message", "type", "code", "fbtrace_id"}}`, so Authlib's
  `OAuthError.error` is then a dict;
- `token_type` is lower-case `bearer`;
- `me?fields=id,name,email,picture` nests the picture as `{"data": {"url"}}` and
  may lack `email` (not granted, or none on the account: `omit_email = True`).
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .base import CodeProblem, FakeProvider, FakeUser

BAD_REDIRECT = (
    "Error validating verification code. Please make sure your redirect_uri is identical "
    "to the one you used in the OAuth dialog request"
)
FACEBOOK_CODE_ERRORS: dict[CodeProblem, tuple[str, int, int]] = {
    CodeProblem.UNKNOWN: ("Invalid verification code format.", 100, 36005),
    CodeProblem.USED: ("This authorization code has been used.", 100, 36009),
    CodeProblem.EXPIRED: ("This authorization code has expired.", 100, 36007),
    CodeProblem.WRONG_CLIENT: (BAD_REDIRECT, 100, 36008),
    CodeProblem.REDIRECT_MISMATCH: (BAD_REDIRECT, 100, 36008),
    CodeProblem.PKCE_MISSING: ("Missing code_verifier parameter.", 100, 36011),
    CodeProblem.PKCE_MISMATCH: ("Invalid code verifier.", 100, 36011),
}


def fbtrace_id() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(11))


def graph_error(message: str, code: int, subcode: int | None = None, status: int = 400) -> JSONResponse:
    """Graph API's error envelope."""
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    error["fbtrace_id"] = fbtrace_id()
    return JSONResponse({"error": error}, status, headers={"WWW-Authenticate": "OAuth"})


class FakeFacebook(FakeProvider):
    """Facebook Login's code flow and the Graph `me` node, for one Graph version."""

    name = "Facebook"
    default_client_id = "1234567890123456"
    default_client_secret = "fake-facebook-app-secret"

    def __init__(
        self,
        client_id: str | None = None,
        client_secret: str | None = None,
        graph_version: str = "v23.0",
    ) -> None:
        self.graph_version = graph_version
        self.authorize_path = f"/{graph_version}/dialog/oauth"
        super().__init__(client_id, client_secret)

    def default_user(self) -> FakeUser:
        return FakeUser(
            id="10160000000000001",
            name="Alan Turing",
            email="alan.turing@example.org",
            picture="/platform/profilepic/?asid=10160000000000001&height=50&width=50&hash=AeQ",
            given_name="Alan",
            family_name="Turing",
        )

    def reset(self) -> None:
        super().reset()
        self.token_ttl = 5183944  # about 60 days, Facebook's long-lived token
        self.omit_email = False

    # -- URLs a settings object needs ------------------------------------------

    @property
    def authorize_url(self) -> str:
        """Like `https://www.facebook.com/v23.0/dialog/oauth`."""
        return self.base_url + self.authorize_path

    @property
    def graph_url(self) -> str:
        """Like `https://graph.facebook.com/v23.0/`."""
        return f"{self.base_url}/{self.graph_version}/"

    @property
    def token_url(self) -> str:
        return self.graph_url + "oauth/access_token"

    @property
    def profile_url(self) -> str:
        return self.graph_url + "me"

    def routes(self) -> list[BaseRoute]:
        v = self.graph_version
        return [
            *self.page_routes(),
            Route(f"/{v}/oauth/access_token", self.backchannel(self.token), methods=["GET", "POST"]),
            Route(f"/{v}/me", self.backchannel(self.me)),
            Route("/platform/profilepic/", self.avatar),
            Route("/{version}/{rest:path}", self.other_version, methods=["GET", "POST"]),
        ]

    # -- endpoints ---------------------------------------------------------------

    async def other_version(self, request: Request) -> Response:
        return graph_error(
            f"(#2635) You are calling a deprecated version of the Ads API or Graph API: "
            f"{request.path_params['version']}. This fake serves {self.graph_version}.",
            2635,
        )

    def denied_params(self) -> dict[str, str]:
        return {
            "error": "access_denied",
            "error_code": "200",
            "error_description": "Permissions error",
            "error_reason": "user_denied",
        }

    async def token(self, request: Request) -> Response:
        params = FormData([*request.query_params.multi_items(), *(await request.form()).multi_items()])
        # Facebook ignores the Authorization header: only parameters count.
        self.client_auth(request, params)
        client_id, client_secret = params.get("client_id"), params.get("client_secret")
        if not client_id:
            return graph_error("Missing client_id parameter.", 101)
        client = self.clients.get(str(client_id))
        if client is None:
            return graph_error("Error validating application. Invalid application ID.", 101)
        if not client_secret:
            return graph_error("Missing client_secret parameter.", 1)
        if not secrets.compare_digest(client.client_secret, str(client_secret)):
            return graph_error("Error validating client secret.", 1)
        if not params.get("redirect_uri"):
            return graph_error("Missing redirect_uri parameter.", 191)
        grant = self.redeem(params, client)
        if isinstance(grant, CodeProblem):
            return graph_error(*FACEBOOK_CODE_ERRORS[grant])
        return JSONResponse(
            {
                "access_token": self.issue_access_token(grant),
                "token_type": "bearer",
                "expires_in": self.token_ttl,
            }
        )

    async def me(self, request: Request) -> Response:
        token = request.query_params.get("access_token")
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        if not token and scheme.lower() in ("bearer", "oauth"):
            token = value.strip()
        if not token:
            return graph_error(
                "An active access token must be used to query information about the current user.",
                2500,
            )
        issued = self.tokens.get(token)
        if issued is None:
            return graph_error("Invalid OAuth access token - Cannot parse access token", 190)
        user = issued.user
        granted = issued.scope.replace(",", " ").split()
        fields = request.query_params.get("fields", "id,name").split(",")
        data: dict[str, Any] = {}
        for name in fields:
            if name == "id":
                data["id"] = user.id
            elif name == "name":
                data["name"] = user.name
            elif name == "first_name":
                data["first_name"] = user.given_name
            elif name == "last_name":
                data["last_name"] = user.family_name
            elif name == "email":
                if "email" in granted and user.email and not self.omit_email:
                    data["email"] = user.email
            elif name == "picture":
                url = self.absolute(user.picture)
                data["picture"] = {"data": {"height": 50, "is_silhouette": False, "url": url, "width": 50}}
            else:
                return graph_error(
                    f"(#100) Tried accessing nonexisting field ({name}) on node type (User)", 100
                )
        data.setdefault("id", user.id)
        return JSONResponse(data)

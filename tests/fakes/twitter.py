"""A fake X (Twitter) OAuth 2.0: consent page, token endpoint, `GET /2/users/me`.

What X does and the app must cope with:
- PKCE is mandatory (no `code_challenge` → error page, never a code);
- a confidential client must authenticate with HTTP Basic; credentials in the
  body get `401 {"error": "unauthorized_client", ...}`;
- `token_type` is lower-case `bearer`; there is no id_token and never an email;
- `users/me` answers `{"data": {...}}`, with `profile_image_url` only when asked
  for via `user.fields=profile_image_url`;
- some API plans may not call `users/me`: `users_me_forbidden = True` makes it
  answer X's 403 problem JSON.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .base import CodeProblem, FakeProvider, FakeUser

INVALID_CODE = "Value passed for the authorization code was invalid."
TWITTER_TOKEN_ERRORS: dict[CodeProblem, str] = {
    CodeProblem.UNKNOWN: INVALID_CODE,
    CodeProblem.USED: INVALID_CODE,
    CodeProblem.EXPIRED: INVALID_CODE,
    CodeProblem.WRONG_CLIENT: INVALID_CODE,
    CodeProblem.REDIRECT_MISMATCH: "Value passed for the redirect uri parameter was invalid.",
    CodeProblem.PKCE_MISSING: "Missing required parameter [code_verifier].",
    CodeProblem.PKCE_MISMATCH: INVALID_CODE,
}
SOMETHING_WENT_WRONG = "Something went wrong. You weren't able to give access to the App."


class FakeTwitter(FakeProvider):
    """X's OAuth 2.0 authorization-code flow with PKCE, and the v2 `users/me` endpoint."""

    name = "X"
    default_client_id = "Y29tbWVudGJveC10ZXN0OjE6Y2k"
    default_client_secret = "fake-x-client-secret"
    authorize_path = "/i/oauth2/authorize"

    def default_user(self) -> FakeUser:
        return FakeUser(
            id="1234567890123456789",
            name="Ada Lovelace",
            username="ada_lovelace",
            email=None,
            picture="/profile_images/1234567890123456789/ada_normal.png",
        )

    def reset(self) -> None:
        super().reset()
        self.token_ttl = 7200
        self.users_me_forbidden = False

    # -- URLs a settings object needs ------------------------------------------

    @property
    def token_url(self) -> str:
        return self.base_url + "/2/oauth2/token"

    @property
    def api_url(self) -> str:
        """Base of the v2 API, like `https://api.twitter.com/2/`."""
        return self.base_url + "/2/"

    @property
    def profile_url(self) -> str:
        return self.base_url + "/2/users/me"

    def routes(self) -> list[BaseRoute]:
        return [
            *self.page_routes(),
            Route("/2/oauth2/token", self.backchannel(self.token), methods=["POST"]),
            Route("/2/users/me", self.backchannel(self.users_me)),
            Route("/profile_images/{id}/{file}", self.avatar),
        ]

    # -- endpoints ---------------------------------------------------------------

    def check_authorize(self, params: dict[str, str]) -> str | None:
        state = params.get("state", "")
        if not state or len(state) > 500:
            return f"{SOMETHING_WENT_WRONG} (state is required, at most 500 characters)"
        if not params.get("code_challenge"):
            return f"{SOMETHING_WENT_WRONG} (code_challenge is required)"
        if params.get("code_challenge_method", "plain") not in ("S256", "plain"):
            return f"{SOMETHING_WENT_WRONG} (code_challenge_method must be S256 or plain)"
        if not params.get("scope"):
            return f"{SOMETHING_WENT_WRONG} (scope is required)"
        return None

    def error(self, error: str, description: str, status: int = 400) -> JSONResponse:
        return JSONResponse({"error": error, "error_description": description}, status)

    async def token(self, request: Request) -> Response:
        form = await request.form()
        auth = self.client_auth(request, form)
        if form.get("grant_type") != "authorization_code":
            return self.error(
                "invalid_request",
                "Value passed for the grant type was invalid. Grant type should be one of "
                "[authorization_code, refresh_token, client_credentials].",
            )
        # Confidential clients: HTTP Basic and nothing else.
        client = self.authenticate(auth) if auth.method == "basic" else None
        if client is None:
            return self.error("unauthorized_client", "Missing valid authorization header", 401)
        grant = self.redeem(form, client)
        if isinstance(grant, CodeProblem):
            return self.error("invalid_request", TWITTER_TOKEN_ERRORS[grant])
        body: dict[str, Any] = {
            "token_type": "bearer",
            "expires_in": self.token_ttl,
            "access_token": self.issue_access_token(grant),
            "scope": grant.scope,
        }
        if "offline.access" in grant.scope.split():
            body["refresh_token"] = "fake-refresh-" + body["access_token"][:16]
        return JSONResponse(body)

    async def users_me(self, request: Request) -> Response:
        issued = self.bearer(request)
        if issued is None:
            return JSONResponse(
                {"title": "Unauthorized", "type": "about:blank", "status": 401,
                 "detail": "Unauthorized"},
                401,
            )  # fmt: skip
        if self.users_me_forbidden:
            return JSONResponse(
                {
                    "client_id": issued.client_id,
                    "detail": "When authenticating requests to the Twitter API v2 endpoints, "
                    "you must use keys and tokens from a Twitter developer App that is "
                    "attached to a Project. You can create a project via the developer portal.",
                    "registration_url": "https://developer.twitter.com/en/docs/projects/overview",
                    "title": "Client Forbidden",
                    "required_enrollment": "Appropriate Level of API Access",
                    "reason": "client-not-enrolled",
                    "type": "https://api.twitter.com/2/problems/client-forbidden",
                },
                403,
            )
        user = issued.user
        data: dict[str, Any] = {"id": user.id, "name": user.name, "username": user.username}
        fields = request.query_params.get("user.fields", "").split(",")
        if "profile_image_url" in fields and user.picture:
            data["profile_image_url"] = self.absolute(user.picture)
        return JSONResponse({"data": data})

"""X (Twitter): OAuth 2.0 with mandatory PKCE (S256) and HTTP Basic client authentication.

There is no id_token and never an email: the profile comes from ``GET users/me``, which some
API plans refuse (403). Then the person cannot sign in with X, and is told so in a sentence.
"""

from __future__ import annotations

from typing import Any

from commentbox.auth.base import Profile, ProfileUnavailable, Provider
from commentbox.config import Settings

PROFILE_REFUSED = (
    "X signed you in but would not tell us your name (its API is not available to this site "
    "right now). Please sign in another way or comment as a guest."
)


class Twitter(Provider):
    name = "twitter"
    label = "X"

    def credentials(self, settings: Settings) -> tuple[str, str] | None:
        secret = settings.twitter_client_secret
        if not settings.twitter_client_id or secret is None or not secret.get_secret_value():
            return None
        return settings.twitter_client_id, secret.get_secret_value()

    def register_kwargs(self, settings: Settings) -> dict[str, Any]:
        return {
            "authorize_url": settings.twitter_authorize_url,
            "access_token_url": settings.twitter_token_url,
            "api_base_url": settings.twitter_api_url,
            "client_kwargs": self.client_kwargs(
                settings,
                scope="tweet.read users.read",
                code_challenge_method="S256",
                token_endpoint_auth_method="client_secret_basic",  # noqa: S106 (a method name)
            ),
        }

    async def profile(self, client: Any, token: dict[str, Any]) -> Profile:
        response = await client.get("users/me", token=token, params={"user.fields": "profile_image_url"})
        if response.status_code in (401, 403, 429):
            raise ProfileUnavailable(PROFILE_REFUSED)
        response.raise_for_status()
        data = response.json().get("data") or {}
        if not data.get("id"):
            raise ProfileUnavailable(PROFILE_REFUSED)
        return Profile(
            provider=self.name,
            provider_user_id=str(data["id"]),
            name=str(data.get("name") or data.get("username") or ""),
            avatar=data.get("profile_image_url"),
        )

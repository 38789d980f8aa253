"""Facebook Login: OAuth 2.0, client credentials as parameters, profile from Graph ``me``.

The Graph version is part of every URL (``{version}`` in the endpoint settings) and is a
setting, because Facebook retires versions after about two years. Email may be missing.
"""

from __future__ import annotations

from typing import Any

from commentbox.auth.base import Profile, ProfileUnavailable, Provider
from commentbox.config import Settings

PROFILE_REFUSED = "Facebook signed you in but would not tell us your name. Please try again."


class Facebook(Provider):
    name = "facebook"
    label = "Facebook"

    def credentials(self, settings: Settings) -> tuple[str, str] | None:
        secret = settings.facebook_client_secret
        if not settings.facebook_client_id or secret is None or not secret.get_secret_value():
            return None
        return settings.facebook_client_id, secret.get_secret_value()

    def register_kwargs(self, settings: Settings) -> dict[str, Any]:
        version = settings.facebook_graph_version
        graph = settings.facebook_graph_url.replace("{version}", version)
        return {
            "authorize_url": settings.facebook_authorize_url.replace("{version}", version),
            "access_token_url": graph + "oauth/access_token",
            "api_base_url": graph,
            "client_kwargs": self.client_kwargs(
                settings,
                scope="email public_profile",
                token_endpoint_auth_method="client_secret_post",  # noqa: S106 (a method name)
            ),
        }

    async def profile(self, client: Any, token: dict[str, Any]) -> Profile:
        response = await client.get("me", token=token, params={"fields": "id,name,email,picture"})
        if 400 <= response.status_code < 500:
            raise ProfileUnavailable(PROFILE_REFUSED)
        response.raise_for_status()
        data = response.json()
        if not data.get("id"):
            raise ProfileUnavailable(PROFILE_REFUSED)
        picture = ((data.get("picture") or {}).get("data") or {}).get("url")
        return Profile(
            provider=self.name,
            provider_user_id=str(data["id"]),
            name=str(data.get("name") or ""),
            avatar=picture,
            email=data.get("email"),
        )

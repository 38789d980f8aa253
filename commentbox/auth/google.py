"""Google: OpenID Connect with discovery, PKCE, and a verified RS256 id_token.

Authlib 1.9 checks ``azp`` but not ``aud`` unless told, and its default ``iss`` check is
replaced as soon as ``claims_options`` is given, so both are passed here. Google may write
its issuer with or without the scheme.
"""

from __future__ import annotations

from typing import Any

from commentbox.auth.base import Profile, ProfileUnavailable, Provider
from commentbox.config import Settings

GOOGLE_ISSUER = "https://accounts.google.com"
UNNAMED = (
    "Google signed you in but did not say who you are, so you were not signed in. "
    "Please try again, or comment as a guest."
)


class Google(Provider):
    name = "google"
    label = "Google"

    def credentials(self, settings: Settings) -> tuple[str, str] | None:
        secret = settings.google_client_secret
        if not settings.google_client_id or secret is None or not secret.get_secret_value():
            return None
        return settings.google_client_id, secret.get_secret_value()

    def register_kwargs(self, settings: Settings) -> dict[str, Any]:
        return {
            "server_metadata_url": settings.google_discovery_url,
            "client_kwargs": self.client_kwargs(
                settings,
                scope="openid email profile",
                code_challenge_method="S256",
                token_endpoint_auth_method="client_secret_basic",  # noqa: S106 (a method name)
            ),
        }

    async def token_kwargs(self, client: Any) -> dict[str, Any]:
        metadata = await client.load_server_metadata()
        issuers = [metadata["issuer"]]
        if metadata["issuer"] == GOOGLE_ISSUER:
            issuers.append("accounts.google.com")
        return {
            "claims_options": {
                "iss": {"essential": True, "values": issuers},
                "aud": {"essential": True, "value": client.client_id},
            }
        }

    async def profile(self, client: Any, token: dict[str, Any]) -> Profile:
        claims = token.get("userinfo")  # verified id_token claims (signature, iss, aud, exp, nonce)
        if claims is None:  # an answer without an id_token: nothing verified names the person
            raise ProfileUnavailable(UNNAMED)
        email = claims.get("email") if claims.get("email_verified") else None
        return Profile(
            provider=self.name,
            provider_user_id=str(claims["sub"]),
            name=str(claims.get("name") or claims.get("given_name") or ""),
            avatar=claims.get("picture"),
            email=email,
        )

"""The Authlib client registry: every configured provider, sharing the database state cache."""

from __future__ import annotations

from typing import Any

from authlib.integrations.starlette_client import OAuth
from starlette.requests import Request

from commentbox.auth.base import Profile, Provider
from commentbox.auth.facebook import Facebook
from commentbox.auth.google import Google
from commentbox.auth.state import DatabaseStateCache
from commentbox.auth.twitter import Twitter
from commentbox.config import Settings
from commentbox.runtime.ratelimit import RateLimiter
from commentbox.store.db import Database

# ``commentbox serve --demo``: a built-in identity the widget offers beside the real providers.
DEMO_PROVIDER = "demo"

ALL_PROVIDERS: tuple[Provider, ...] = (Google(), Twitter(), Facebook())


class AuthRegistry:
    """Providers whose client id and secret are set, registered on one ``OAuth``."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.oauth = OAuth(cache=DatabaseStateCache(db, settings.login_ttl_seconds))
        rules = "off" if settings.rate_limits == "off" else settings.login_rate_limits
        self.login_limiter = RateLimiter(rules, settings.redis_url, prefix="commentbox-logins")
        self.providers: dict[str, Provider] = {}
        for provider in ALL_PROVIDERS:
            credentials = provider.credentials(settings)
            if credentials is None:
                continue
            client_id, client_secret = credentials
            self.oauth.register(
                provider.name,
                client_id=client_id,
                client_secret=client_secret,
                **provider.register_kwargs(settings),
            )
            self.providers[provider.name] = provider

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.providers)

    def client(self, name: str) -> Any:
        return self.oauth.create_client(name)

    def redirect_uri(self, name: str) -> str:
        """Built from ``COMMENTBOX_PUBLIC_URL``, never from request headers (Host is forgeable)."""
        return f"{self.settings.base_url}/auth/{name}/callback"

    async def profile(self, request: Request, name: str) -> Profile:
        """Who signed in, at a provider's callback: the code exchanged for a token (Authlib
        checks the state against this browser's marker, sends the PKCE verifier and, for
        OpenID, checks the id_token), then the profile read from it. Shared by the widget's
        and the admin pages' flows, so both make exactly the same checks. Raises what
        ``failures.SIGN_IN_ERRORS`` names."""
        provider, client = self.providers[name], self.client(name)
        token = await client.authorize_access_token(request, **await provider.token_kwargs(client))
        return await provider.profile(client, token)

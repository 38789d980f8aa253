"""Demo providers (``commentbox serve --demo`` only): Google, X and Facebook stand-ins that
this server serves itself on loopback, so the real flows run through Authlib end to end.

``demo_settings`` points every provider the owner has not configured at these routes, with
a client id and secret made up for this process; configured providers stay as they are.
"""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr
from starlette.routing import BaseRoute

from commentbox.config import Settings
from commentbox.http.demo_providers import facebook, google, twitter
from commentbox.http.demo_providers.grants import DemoGrants

routes: list[BaseRoute] = [*google.routes, *twitter.routes, *facebook.routes]


def demo_settings(settings: Settings, store: DemoGrants) -> Settings:
    """``settings`` with each unconfigured provider aimed at this server's demo routes."""
    base = settings.base_url + "/demo-providers"
    endpoints: dict[str, dict[str, Any]] = {
        "google": {"google_discovery_url": f"{base}/google/.well-known/openid-configuration"},
        "twitter": {
            "twitter_authorize_url": f"{base}/twitter/authorize",
            "twitter_token_url": f"{base}/twitter/2/oauth2/token",
            "twitter_api_url": f"{base}/twitter/2/",
        },
        "facebook": {
            "facebook_authorize_url": base + "/facebook/{version}/dialog/oauth",
            "facebook_graph_url": base + "/facebook/{version}/",
        },
    }
    update: dict[str, Any] = {}
    for name, urls in endpoints.items():
        secret = getattr(settings, f"{name}_client_secret")
        if getattr(settings, f"{name}_client_id") and secret is not None and secret.get_secret_value():
            continue
        client = store.client(name)
        update |= urls | {
            f"{name}_client_id": client.client_id,
            f"{name}_client_secret": SecretStr(client.client_secret),
        }
    return settings.model_copy(update=update) if update else settings

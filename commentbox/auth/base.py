"""What every provider module supplies, and the failure a provider's profile call can raise."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

from commentbox.config import Settings


@dataclass(frozen=True)
class Profile:
    """What a provider told us about the person who signed in."""

    provider: str
    provider_user_id: str
    name: str
    avatar: str | None = None
    email: str | None = None


class ProfileUnavailable(Exception):
    """The provider signed the person in but would not tell us who they are."""

    def __init__(self, sentence: str) -> None:
        super().__init__(sentence)
        self.sentence = sentence


class Provider(ABC):
    """One identity provider: how to register its Authlib client and read its profile."""

    name: ClassVar[str]  # the id in URLs and the site config: "google", "twitter", "facebook"
    label: ClassVar[str]  # what people call it: "Google", "X", "Facebook"

    @abstractmethod
    def credentials(self, settings: Settings) -> tuple[str, str] | None:
        """(client id, client secret), or None when the operator has not set both."""

    @abstractmethod
    def register_kwargs(self, settings: Settings) -> dict[str, Any]:
        """Keyword arguments for ``OAuth.register`` (endpoints, scope, client auth, PKCE)."""

    async def token_kwargs(self, client: Any) -> dict[str, Any]:
        """Extra arguments for ``authorize_access_token`` (id_token checks for OpenID)."""
        return {}

    @abstractmethod
    async def profile(self, client: Any, token: dict[str, Any]) -> Profile:
        """Who signed in, from the token or the provider's profile endpoint."""

    @staticmethod
    def client_kwargs(settings: Settings, **kwargs: Any) -> dict[str, Any]:
        """Options every provider's HTTP client shares: an explicit timeout."""
        return {"timeout": settings.oauth_timeout_seconds, **kwargs}

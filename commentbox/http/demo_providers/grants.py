"""What the demo providers remember between their pages: one process's clients, consents,
codes and tokens, in memory (demo mode runs one worker, and nothing of it must outlive it).

A code is good once, for five minutes, and only for the client, redirect URI and PKCE
verifier it was issued to; a token reads one demo identity's profile for an hour.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field

CODE_SECONDS = 300
TOKEN_SECONDS = 3600
MAX_ENTRIES = 1000  # per table: a demo on loopback has one visitor, not a crowd


@dataclass(frozen=True)
class DemoIdentity:
    """The person a demo provider signs in; the avatar is one of this server's identicons."""

    sub: str
    name: str
    email: str | None
    avatar_key: str


@dataclass(frozen=True)
class Authorization:
    """An authorization request checked by the consent page, kept until the visitor answers."""

    provider: str
    redirect_uri: str
    state: str
    code_challenge: str | None
    nonce: str | None


@dataclass(frozen=True)
class Client:
    client_id: str
    client_secret: str


class _Expiring:
    """Entries that vanish after ``seconds``; ``pop`` makes each one good once."""

    def __init__(self, seconds: int) -> None:
        self.seconds = seconds
        self.entries: dict[str, tuple[float, Authorization]] = {}

    def add(self, value: Authorization) -> str | None:
        now = time.monotonic()
        self.entries = {k: v for k, v in self.entries.items() if v[0] > now}
        if len(self.entries) >= MAX_ENTRIES:
            return None
        key = secrets.token_urlsafe(32)
        self.entries[key] = (now + self.seconds, value)
        return key

    def pop(self, key: str) -> Authorization | None:
        expires, value = self.entries.pop(key, (0.0, None))
        return value if value is not None and expires > time.monotonic() else None

    def get(self, key: str) -> Authorization | None:
        expires, value = self.entries.get(key, (0.0, None))
        return value if value is not None and expires > time.monotonic() else None


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass
class DemoGrants:
    """Everything the demo providers of one app share; built once per ``create_app``."""

    clients: dict[str, Client] = field(default_factory=dict)
    consents: _Expiring = field(default_factory=lambda: _Expiring(CODE_SECONDS))
    codes: _Expiring = field(default_factory=lambda: _Expiring(CODE_SECONDS))
    tokens: _Expiring = field(default_factory=lambda: _Expiring(TOKEN_SECONDS))

    def client(self, provider: str) -> Client:
        """A client id and secret made up per process, so nothing is guessable or reused."""
        if provider not in self.clients:
            self.clients[provider] = Client(
                f"demo-{provider}-" + secrets.token_hex(8), secrets.token_urlsafe(24)
            )
        return self.clients[provider]

    def redeem(
        self, provider: str, code: str, client_id: str, redirect_uri: str, verifier: str | None
    ) -> Authorization | None:
        """The code's authorization if every binding holds; the code is spent either way."""
        grant = self.codes.pop(code)
        if grant is None or grant.provider != provider or client_id != self.client(provider).client_id:
            return None
        if grant.redirect_uri != redirect_uri:
            return None
        if grant.code_challenge is None:
            return grant if verifier is None else None
        if verifier is None or not secrets.compare_digest(s256(verifier), grant.code_challenge):
            return None
        return grant

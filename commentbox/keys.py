"""Secrets to signers: every purpose gets its own key or salt from the one secret.

A token minted for one purpose (an edit token, a session, an email link) can never be
replayed for another, and IP addresses are only ever kept as keyed hashes.
"""

from __future__ import annotations

import hashlib
import hmac

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from commentbox.store.models import Comment

EDIT_TOKEN_SALT = "commentbox.edit-token"  # noqa: S105 (a salt, not a secret)


class Keys:
    """Derives purpose-specific keys from the one secret."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret
        self._ip_key = hmac.new(secret, b"commentbox.ip-hash", hashlib.sha256).digest()
        self._serializers: dict[str, URLSafeTimedSerializer] = {}

    def hash_ip(self, ip: str) -> str:
        return hmac.new(self._ip_key, ip.encode(), hashlib.sha256).hexdigest()[:32]

    def hash_client(self, token: str) -> str:
        return hmac.new(self._ip_key, b"client|" + token.encode(), hashlib.sha256).hexdigest()[:32]

    def avatar_key(self, email: str) -> str:
        """A stable, non-reversible key for a guest's generated avatar (unlike Gravatar's MD5)."""
        return hmac.new(self._ip_key, b"avatar|" + email.lower().encode(), hashlib.sha256).hexdigest()[:20]

    def guest_key(self, email: str) -> str:
        """A verified guest's id (``User.provider_user_id``): keyed, so the address itself is
        never an id and nobody without the secret can tell whose it is."""
        return hmac.new(self._ip_key, b"guest|" + email.lower().encode(), hashlib.sha256).hexdigest()

    def picture_key(self, user_id: int, source_url: str) -> str:
        """What names a signed-in user's picture in ``/avatars/{user}-{key}``: bound to the
        provider's URL, so a new picture gets a new address (served with long caching), and
        keyed, so nobody can make this server fetch a URL of their choosing."""
        seed = f"picture|{user_id}|{source_url}".encode()
        return hmac.new(self._ip_key, seed, hashlib.sha256).hexdigest()[:32]

    def purpose_key(self, purpose: str) -> str:
        """A key for one purpose only (e.g. the OAuth popup's cookie), derived from the secret."""
        return hmac.new(self._secret, purpose.encode(), hashlib.sha256).hexdigest()

    def serializer(self, salt: str) -> URLSafeTimedSerializer:
        found = self._serializers.get(salt)
        if found is None:
            found = self._serializers[salt] = URLSafeTimedSerializer(self._secret, salt=salt)
        return found

    def edit_token(self, comment_id: int, nonce: str) -> str:
        return self.serializer(EDIT_TOKEN_SALT).dumps({"c": comment_id, "n": nonce})

    def edit_token_valid(self, token: str, comment: Comment, max_age_seconds: int) -> bool:
        """True if ``token`` was minted for this very comment at most ``max_age_seconds`` ago:
        the edit window to change it, ``AUTHOR_READ_SECONDS`` to read it."""
        try:
            data = self.serializer(EDIT_TOKEN_SALT).loads(token, max_age=max_age_seconds)
        except (SignatureExpired, BadSignature):
            return False
        return (
            isinstance(data, dict)
            and data.get("c") == comment.id
            and hmac.compare_digest(str(data.get("n")), comment.nonce)
        )

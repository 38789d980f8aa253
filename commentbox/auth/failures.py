"""Turn whatever went wrong during a sign-in into one sentence a visitor can act on.

Authlib reports protocol errors as ``OAuthError`` (whose ``error`` is a dict for Facebook's
Graph errors), id_token problems as joserfc errors, and network trouble as httpx2 errors;
all of them end here instead of in a 500.
"""

from __future__ import annotations

import logging

import httpx2
from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from joserfc.errors import JoseError

from commentbox.auth.base import ProfileUnavailable
from commentbox.errors import CommentboxError

log = logging.getLogger(__name__)

EXPIRED = "This sign-in link has expired or was already used. Close this window and start again."

# What describe() knows how to word; anything else is a bug and stays a 500.
SIGN_IN_ERRORS: tuple[type[Exception], ...] = (
    OAuthError,
    JoseError,
    httpx2.HTTPError,
    ProfileUnavailable,
    CommentboxError,
    ValueError,
)


def _oauth_error_code(exc: OAuthError) -> str:
    error = exc.error
    if isinstance(error, dict):  # Graph's {"message", "type", "code", ...}
        return str(error.get("type") or error.get("code") or "")
    return str(error or "")


def describe(label: str, exc: Exception) -> str:
    """The sentence shown in the popup and handed to the widget for ``exc``."""
    log.warning("sign-in with %s failed: %s", label, type(exc).__name__)
    if isinstance(exc, ProfileUnavailable):
        return exc.sentence
    if isinstance(exc, CommentboxError):
        return exc.detail
    if isinstance(exc, MismatchingStateError):
        return EXPIRED
    if isinstance(exc, OAuthError) and _oauth_error_code(exc) == "access_denied":
        return f"You cancelled signing in with {label}. You can try again or comment as a guest."
    if isinstance(exc, httpx2.TimeoutException):
        return f"{label} did not answer in time. Please try again in a moment, or comment as a guest."
    if isinstance(exc, httpx2.HTTPError):
        return f"{label} cannot be reached right now. Please try again later, or comment as a guest."
    if isinstance(exc, JoseError):
        return f"{label}'s answer could not be verified, so you were not signed in. Please try again."
    return f"{label} did not complete the sign-in. Please try again, or comment as a guest."

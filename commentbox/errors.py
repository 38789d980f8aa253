"""One error vocabulary: domain errors carry a status and a code; ``http/problems.py`` turns
any of them into RFC 9457 problem details.

The domain raises these without knowing about HTTP responses (nothing here imports a web
framework); the HTTP layer registers the handlers once. ``detail`` is shown to visitors
by the widget, so it is a human sentence and never contains an email address, an IP address or a secret.
"""

from __future__ import annotations

from typing import Any, ClassVar

PROBLEM_TYPE_BASE = "https://commentbox.readthedocs.io/problems/"


class CommentboxError(Exception):
    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra
        self.headers: dict[str, str] = {}


class MalformedRequest(CommentboxError):
    code, title = "malformed-request", "Malformed request"


class Unauthorized(CommentboxError):
    status, code, title = 401, "unauthorized", "Not signed in"


class Forbidden(CommentboxError):
    status, code, title = 403, "forbidden", "Not allowed"


class NotFound(CommentboxError):
    status, code, title = 404, "not-found", "Not found"


class MethodNotAllowed(CommentboxError):
    status, code, title = 405, "method-not-allowed", "Method not allowed"


class Conflict(CommentboxError):
    status, code, title = 409, "conflict", "Conflict"


class Gone(CommentboxError):
    """Something that existed and cannot be used again: an expired or spent login id."""

    status, code, title = 410, "gone", "Gone"


class LinkbackRefused(CommentboxError):
    """A Webmention or pingback this server will not take (the Webmention spec answers 400)."""

    status, code, title = 400, "linkback-refused", "Linkback refused"


class PayloadTooLarge(CommentboxError):
    status, code, title = 413, "payload-too-large", "Request too large"


class UnsupportedMediaType(CommentboxError):
    status, code, title = 415, "unsupported-media-type", "Send JSON"


class InvalidInput(CommentboxError):
    """Wrong types, missing or invalid fields: ``errors`` names each field."""

    status, code, title = 422, "invalid-input", "Invalid input"


class ServiceUnavailable(CommentboxError):
    """A part this instance depends on (the database) does not answer: try again shortly."""

    status, code, title = 503, "unavailable", "Temporarily unavailable"

    def __init__(self, detail: str, retry_after: int = 5) -> None:
        super().__init__(detail)
        self.headers["Retry-After"] = str(retry_after)


class RateLimited(CommentboxError):
    status, code, title = 429, "rate-limited", "Too many requests"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail, retry_after=retry_after)
        self.headers["Retry-After"] = str(retry_after)

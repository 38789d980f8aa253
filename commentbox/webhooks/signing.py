"""Standard Webhooks signatures: what a receiver's library (``standardwebhooks``, Svix's) checks.

The signed content is ``<webhook-id>.<webhook-timestamp>.<body>``, HMAC-SHA256 with the
secret's base64 part as key, sent as ``v1,<base64 signature>``. The timestamp is the
attempt's, so a receiver can refuse replays of old attempts; the id stays the same across
attempts, so it can drop repeats.
"""

from __future__ import annotations

import base64
import secrets
from datetime import datetime

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"  # noqa: S105 (the format's prefix, not a secret)
SECRET_BYTES = 32  # the spec asks for 24 to 64


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def new_event_id() -> str:
    """A ``webhook-id``: unique per event, the same for every endpoint and every retry."""
    return "msg_" + secrets.token_urlsafe(18)


def signed_headers(secret: str, event_id: str, body: bytes, at: datetime) -> dict[str, str]:
    """The three headers of one attempt to deliver ``body``."""
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(event_id, at, body),
    }

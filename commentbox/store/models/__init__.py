"""Tables, one module per concern. Input and output shapes live in ``domain/schemas.py``; only
those reach the network.

Timestamps are timezone-aware UTC (SQLModel's ``UTCDateTime`` stores them so on both engines).
States are stored as short strings so that adding one needs no enum-type migration on
PostgreSQL.

Importing this package registers every table on ``SQLModel.metadata``, which ``create_all``,
the Alembic environment (``migrations/env.py``) and ``tests/test_migrations.py`` read: a new
table's module must be imported here. Callers import names from here
(``from commentbox.store.models import Comment``), not from the modules.
"""

from __future__ import annotations

from commentbox.store.models.base import MAX_ROW_ID, utcnow
from commentbox.store.models.caches import AvatarCache, PostedKey, SpentToken
from commentbox.store.models.comments import GONE_FOR_AUTHOR, Comment, CommentSource, CommentStatus, Vote
from commentbox.store.models.linkbacks import Linkback, LinkbackKind, LinkbackState
from commentbox.store.models.mail import MailOptOut, OutboxMail, Subscription
from commentbox.store.models.moderation import AdminAccount, AdminSession, Ban, BanKind, Role, SiteRole
from commentbox.store.models.people import Login, LoginStatus, OAuthState, User, UserSession
from commentbox.store.models.privacy import Erasure
from commentbox.store.models.sites import ModerationMode, NotifyModerators, Site, Thread
from commentbox.store.models.webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "GONE_FOR_AUTHOR",
    "MAX_ROW_ID",
    "AdminAccount",
    "AdminSession",
    "AvatarCache",
    "Ban",
    "BanKind",
    "Comment",
    "CommentSource",
    "CommentStatus",
    "Erasure",
    "Linkback",
    "LinkbackKind",
    "LinkbackState",
    "Login",
    "LoginStatus",
    "MailOptOut",
    "ModerationMode",
    "NotifyModerators",
    "OAuthState",
    "OutboxMail",
    "PostedKey",
    "Role",
    "Site",
    "SiteRole",
    "SpentToken",
    "Subscription",
    "Thread",
    "User",
    "UserSession",
    "Vote",
    "WebhookDelivery",
    "WebhookEndpoint",
    "utcnow",
]

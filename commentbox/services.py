"""The composition root: the services one app instance shares, and each domain module's
collaborators built from them.

Only ``app.py``, ``cli.py`` and ``http/`` see this container; they hand each domain entry
point its own small bundle (``ctx.commenting``, ``ctx.reader`` …), so the domain never
depends on how the app is wired (an import-linter contract keeps it so).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from commentbox.admin.actions import Moderation
from commentbox.admin.moderators import ModeratorAccess
from commentbox.auth.registry import DEMO_PROVIDER, AuthRegistry
from commentbox.config import Settings
from commentbox.domain.akismet import Akismet
from commentbox.domain.avatars import Pictures
from commentbox.domain.comments import Commenting
from commentbox.domain.erasure import Erasing
from commentbox.domain.guests import MAIL_ACTION, Guests
from commentbox.domain.known_sites import KnownSites
from commentbox.domain.reading import Reader
from commentbox.domain.schemas import Limits
from commentbox.domain.screening import Screens
from commentbox.domain.signins import SignIns
from commentbox.domain.threads import Presentation
from commentbox.domain.user_sessions import UserSessions
from commentbox.html.render import Pages
from commentbox.keys import Keys
from commentbox.linkbacks.receiving import Linkbacks
from commentbox.linkbacks.verifier import attach_pump
from commentbox.live.service import Live
from commentbox.mail.guest_links import GuestLinks
from commentbox.mail.notify import Notifier
from commentbox.mail.outbox import Outbox
from commentbox.outbound.fetch import Fetcher
from commentbox.runtime.events import Events
from commentbox.runtime.freshness import Freshness, open_freshness
from commentbox.runtime.groupcommit import GroupCommit
from commentbox.runtime.metrics import Metrics
from commentbox.runtime.ratelimit import RateLimiter
from commentbox.runtime.threadcache import ThreadCache
from commentbox.store import posting
from commentbox.store.db import Database
from commentbox.webhooks import events as webhook_events
from commentbox.webhooks.sender import WebhookSender


@dataclass
class Context:
    settings: Settings
    db: Database
    keys: Keys
    freshness: Freshness
    cache: ThreadCache = field(default_factory=ThreadCache)
    sites: KnownSites = field(default_factory=KnownSites)
    metrics: Metrics | None = None
    events: Events = field(default_factory=Events)
    auth: AuthRegistry | None = None
    providers: tuple[str, ...] = ()  # what the widget offers: configured providers (+ "demo")
    rate_limiter: RateLimiter = field(default_factory=lambda: RateLimiter("off"))
    akismet: Akismet | None = None
    fetcher: Fetcher = field(default_factory=Fetcher)  # every outbound request goes through it
    outbox: Outbox = field(init=False)
    webhooks: WebhookSender = field(init=False)
    group: GroupCommit = field(init=False)
    # What each domain module receives (built once, below).
    presentation: Presentation = field(init=False)
    screens: Screens = field(init=False)
    commenting: Commenting = field(init=False)
    reader: Reader = field(init=False)
    pages: Pages = field(init=False)
    user_sessions: UserSessions = field(init=False)
    signins: SignIns = field(init=False)
    guests: Guests = field(init=False)
    guest_links: GuestLinks = field(init=False)
    moderator_access: ModeratorAccess = field(init=False)
    moderation: Moderation = field(init=False)
    erasing: Erasing = field(init=False)
    notifier: Notifier = field(init=False)
    live: Live = field(init=False)
    pictures: Pictures = field(init=False)
    linkbacks: Linkbacks = field(init=False)

    def __post_init__(self) -> None:
        settings = self.settings
        self.outbox = Outbox(self.db, settings)
        self.webhooks = WebhookSender(self.db, self.fetcher, settings.webhook_timeout)
        webhook_events.listen(self.events, self.webhooks.wake)
        self.group = GroupCommit(self.db, before_commit=posting.bump_threads)
        self.presentation = Presentation(self.keys, settings.base_url, settings.max_depth)
        self.screens = Screens(self.keys, self.rate_limiter, self.akismet, settings.base_url)
        self.commenting = Commenting(
            self.db, self.keys, self.sites, self.events, self.group, self.screens, self.presentation
        )
        self.reader = Reader(self.db, self.sites, self.freshness, self.cache, self.presentation)
        self.pages = Pages(self.presentation, self.providers, self.limits)
        self.user_sessions = UserSessions(self.db, self.keys, settings.session_days)
        limiter = self.auth.login_limiter if self.auth is not None else None
        self.signins = SignIns(self.db, self.user_sessions, settings.login_ttl_seconds, limiter)
        self.guests = Guests(self.signins, self.keys, self.rate_limiter)
        self.guest_links = GuestLinks(self.guests, self.outbox, settings.base_url)
        self.moderator_access = ModeratorAccess(self.db, settings.login_ttl_seconds)
        self.moderation = Moderation(self.db, self.events, settings.max_body_chars, settings.max_depth)
        self.erasing = Erasing(self.db, self.events, self.keys)
        self.notifier = Notifier(
            self.db,
            self.keys,
            self.outbox,
            self.events,
            settings.base_url,
            settings.action_link_days,
            self.moderation,
        )
        self.pictures = Pictures(self.db, self.fetcher, self.keys, settings.avatar_cache_seconds)
        self.linkbacks = Linkbacks(
            self.db,
            self.fetcher,
            self.rate_limiter,
            self.events,
            settings.linkback_rate_limits,
            settings.linkback_retry_seconds,
        )
        attach_pump(self.linkbacks, poll=settings.linkback_retry_seconds)
        self.live = Live.open(self.db, self.events, settings.database_url, settings.redis_url)

    @property
    def limits(self) -> Limits:
        return Limits(name_chars=self.settings.max_name_chars, body_chars=self.settings.max_body_chars)

    @classmethod
    def from_settings(cls, settings: Settings, *, demo: bool = False) -> Context:
        """``demo`` adds the built-in test identity to what the widget offers."""
        db = Database(settings.database_url)
        auth = AuthRegistry(settings, db)
        key = settings.akismet_key.get_secret_value() if settings.akismet_key else None
        fetcher = Fetcher(allow_hosts=settings.outbound_allow_hosts)
        return cls(
            settings=settings,
            db=db,
            keys=Keys(settings.secret()),
            freshness=open_freshness(db.url),
            auth=auth,
            providers=(*auth.names, DEMO_PROVIDER) if demo else auth.names,
            rate_limiter=RateLimiter(
                settings.rate_limits,
                settings.redis_url,
                per_action={"vote": settings.vote_rate_limits, MAIL_ACTION: settings.guest_mail_rate_limits},
            ),
            akismet=Akismet(fetcher, settings.akismet_url, key, settings.akismet_timeout) if key else None,
            fetcher=fetcher,
        )

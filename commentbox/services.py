"""The services one app instance shares: passed to domain functions instead of globals."""

from __future__ import annotations

from dataclasses import dataclass, field

from commentbox.auth.registry import AuthRegistry
from commentbox.config import Settings
from commentbox.domain.akismet import Akismet
from commentbox.domain.identity import Keys
from commentbox.domain.schemas import Limits
from commentbox.domain.sitecache import KnownSites
from commentbox.mail.outbox import Outbox
from commentbox.runtime.events import Events
from commentbox.runtime.freshness import Freshness, open_freshness
from commentbox.runtime.groupcommit import GroupCommit
from commentbox.runtime.metrics import Metrics
from commentbox.runtime.ratelimit import RateLimiter
from commentbox.runtime.threadcache import ThreadCache
from commentbox.store import posting
from commentbox.store.db import Database


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
    outbox: Outbox = field(init=False)
    group: GroupCommit = field(init=False)

    def __post_init__(self) -> None:
        self.outbox = Outbox(self.db, self.settings)
        self.group = GroupCommit(self.db, before_commit=posting.bump_threads)

    @property
    def limits(self) -> Limits:
        return Limits(name_chars=self.settings.max_name_chars, body_chars=self.settings.max_body_chars)

    @classmethod
    def from_settings(cls, settings: Settings) -> Context:
        db = Database(settings.database_url)
        auth = AuthRegistry(settings, db)
        key = settings.akismet_key.get_secret_value() if settings.akismet_key else None
        return cls(
            settings=settings,
            db=db,
            keys=Keys(settings.secret()),
            freshness=open_freshness(db.url),
            auth=auth,
            providers=auth.names,
            rate_limiter=RateLimiter(settings.rate_limits, settings.redis_url),
            akismet=Akismet(settings.akismet_url, key, settings.akismet_timeout) if key else None,
        )

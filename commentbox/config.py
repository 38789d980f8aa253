"""Settings: one typed object, read once from ``COMMENTBOX_*`` variables and an optional TOML file.

Why one object: every module receives it explicitly (no import-time globals), so a test
builds a fresh app on a temporary database just by making a new ``Settings``.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict
from sqlalchemy.engine import make_url

from commentbox.runtime.ratelimit import DEFAULT_RULES, DEFAULT_VOTE_RULES, checked_rules

SECRET_FILE_NAME = "commentbox.secret"  # noqa: S105 (a file name)
DATA_DIR = Path("commentbox-data")  # relative to the folder commentbox runs in
DATABASE_FILE_NAME = "commentbox.sqlite3"
SECRET_FIELDS = frozenset({"secret_key", "akismet_key", "smtp_password", "redis_url"})


class SettingsError(Exception):
    """A setting has a wrong value; the message is one sentence naming it."""


class _TomlSource(PydanticBaseSettingsSource):
    """Reads the file named by ``COMMENTBOX_CONFIG``; environment variables win over it."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)
        path = os.environ.get("COMMENTBOX_CONFIG")
        self._data: dict[str, Any] = {}
        if path:
            try:
                self._data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
            except FileNotFoundError as exc:
                raise SettingsError(f"COMMENTBOX_CONFIG names {path}, which does not exist.") from exc
            except tomllib.TOMLDecodeError as exc:
                raise SettingsError(f"COMMENTBOX_CONFIG file {path} is not valid TOML: {exc}.") from exc

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return {k: v for k, v in self._data.items() if k in self.settings_cls.model_fields}


class Settings(BaseSettings):
    """Everything an operator can set. Field ``x`` is the variable ``COMMENTBOX_X``."""

    model_config = SettingsConfigDict(env_prefix="COMMENTBOX_", extra="ignore", frozen=True)

    # The data folder holds the SQLite database and the generated secret, unless
    # database_url or secret_file name places of their own.
    data_dir: Path = DATA_DIR
    database_url: str = ""  # default: sqlite:///<data_dir>/commentbox.sqlite3
    secret_key: SecretStr | None = None
    secret_file: Path | None = None  # default: <data_dir>/commentbox.secret
    public_url: str = ""
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)

    max_body_bytes: int = Field(64 * 1024, ge=1024)
    max_name_chars: int = Field(100, ge=1, le=1000)
    max_body_chars: int = Field(10_000, ge=10)
    max_depth: int = Field(5, ge=1, le=50)
    page_size: int = Field(100, ge=1, le=1000)
    trusted_proxies: list[str] = []
    demo_page: bool = True
    metrics: bool = False  # Prometheus /metrics (also on when metrics_token is set)
    metrics_token: SecretStr | None = None  # /metrics then wants "Authorization: Bearer <token>"

    # Sign-in. A provider is offered only when both its client id and secret are set.
    # Every endpoint is a setting whose default is the real one (tests point them at fakes).
    google_client_id: str = ""
    google_client_secret: SecretStr | None = None
    google_discovery_url: str = "https://accounts.google.com/.well-known/openid-configuration"
    twitter_client_id: str = ""
    twitter_client_secret: SecretStr | None = None
    twitter_authorize_url: str = "https://twitter.com/i/oauth2/authorize"
    twitter_token_url: str = "https://api.twitter.com/2/oauth2/token"  # noqa: S105 (a URL)
    twitter_api_url: str = "https://api.twitter.com/2/"
    facebook_client_id: str = ""
    facebook_client_secret: SecretStr | None = None
    facebook_graph_version: str = Field("v23.0", pattern=r"^v[0-9]{1,3}\.[0-9]{1,3}$")
    facebook_authorize_url: str = "https://www.facebook.com/{version}/dialog/oauth"
    facebook_graph_url: str = "https://graph.facebook.com/{version}/"
    oauth_timeout_seconds: float = Field(10.0, gt=0, le=120)
    login_ttl_seconds: int = Field(600, ge=60, le=3600)  # login ids, OAuth state, nonce, PKCE verifier
    session_days: int = Field(30, ge=1, le=400)  # sliding: each use extends it
    login_rate_limits: str = "20/minute; 200/hour"  # login ids per client; off with rate_limits=off
    # Verified guests' sign-in mails (domain/guests.py), per client, per address and per login id
    guest_mail_rate_limits: str = "3/10 minutes; 10/day"  # off with rate_limits=off
    # Spam defence (domain/screening.py, domain/spam.py, runtime/ratelimit.py)
    rate_limits: str = DEFAULT_RULES  # per client and per identity; "off" for benchmarks
    vote_rate_limits: str = DEFAULT_VOTE_RULES  # votes' own budget, same keys; off with rate_limits=off
    redis_url: str | None = None  # shares rate limits between instances
    akismet_key: SecretStr | None = None  # unset: nothing is sent to a third party
    akismet_url: str = "https://rest.akismet.com/1.1"
    akismet_timeout: float = Field(5.0, gt=0, le=60)  # capped by the fetcher's 5 s in all

    # Linkbacks (linkbacks/; a site receives them only when its owner turns them on): how many
    # Webmentions and pingbacks one source host may send, and the first retry of a source
    # that could not be reached (it quadruples, four tries in all).
    linkback_rate_limits: str = "10/hour; 50/day"  # per source host; off with rate_limits=off
    linkback_retry_seconds: float = Field(60.0, gt=0, le=3600)

    # Outbound requests (outbound/fetch.py) never reach loopback, private, link-local or other
    # non-public addresses. FOR TESTS ONLY: the host names listed here skip that check (the test
    # suite's fakes on 127.0.0.1, a self-hosted Akismet-compatible service). Empty by default;
    # never list a host whose addresses someone else controls.
    outbound_allow_hosts: list[str] = []
    # Signed-in users' provider pictures are fetched by this server and kept this long before
    # being fetched again (domain/avatars.py); readers' browsers never ask the provider.
    avatar_cache_seconds: int = Field(7 * 86400, ge=60, le=365 * 86400)

    # Webhooks (webhooks/, docs/webhooks.md): how long one delivery may take, in all, before it
    # counts as failed and is retried later (capped by the fetcher's 5 s).
    webhook_timeout: float = Field(3.0, gt=0, le=5)

    # Email notifications (mail.py, notify.py); unset smtp_host: no mail is sent
    smtp_host: str = ""
    smtp_port: int = Field(587, ge=1, le=65535)
    smtp_username: str = ""
    smtp_password: SecretStr | None = None
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_ca_file: str = ""  # PEM bundle to verify the mail server by (a private CA); empty: the system's
    smtp_timeout: float = Field(30.0, gt=0, le=300)
    smtp_retry_seconds: float = Field(30.0, gt=0, le=3600)  # first retry; doubles each time
    mail_from: str = "commentbox <commentbox@localhost>"
    action_link_days: int = Field(7, ge=1, le=60)  # moderators' email links expire after this

    # Keeping less (domain/retention.py); per-site periods are site settings
    retention_sweep_minutes: int = Field(60, ge=0, le=10080)  # how often; 0: never (not advised)
    sent_mail_days: int = Field(30, ge=1, le=3650)  # sent mail (recipient, text) is deleted after this

    @field_validator("metrics_token", mode="before")
    @classmethod
    def _no_empty_token(cls, value: object) -> object:
        """An empty ``COMMENTBOX_METRICS_TOKEN=`` (a template left blank) means no token."""
        return None if value == "" else value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for item in value:
            ipaddress.ip_network(item, strict=False)
        return value

    @field_validator(
        "google_discovery_url",
        "twitter_authorize_url",
        "twitter_token_url",
        "twitter_api_url",
        "facebook_authorize_url",
        "facebook_graph_url",
    )
    @classmethod
    def _endpoint(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be an http(s) URL")
        return value

    @field_validator(
        "rate_limits",
        "login_rate_limits",
        "vote_rate_limits",
        "linkback_rate_limits",
        "guest_mail_rate_limits",
    )
    @classmethod
    def _rate_limits(cls, value: str) -> str:
        return checked_rules(value)

    @field_validator("akismet_url")
    @classmethod
    def _akismet_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _TomlSource(settings_cls))

    @property
    def metrics_enabled(self) -> bool:
        return self.metrics or self.metrics_token is not None

    @property
    def base_url(self) -> str:
        """Where browsers reach this server; redirect URIs and links are built from it."""
        return self.public_url or f"http://{self.host}:{self.port}"

    @model_validator(mode="after")
    def _in_the_data_folder(self) -> Settings:
        """What is not named on its own lives in the data folder (one place to back up)."""
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite:///{self.data_dir / DATABASE_FILE_NAME}")
        if self.secret_file is None:
            object.__setattr__(self, "secret_file", self.data_dir / SECRET_FILE_NAME)
        return self

    @property
    def sqlite_file(self) -> Path | None:
        """The database file, when the database is SQLite on disk."""
        url = make_url(self.database_url)
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return None
        return Path(url.database)

    def secret(self) -> bytes:
        """The signing key, as bytes. Never logged: only this accessor unwraps it."""
        assert self.secret_key is not None, "load_settings() always fills the secret"
        return self.secret_key.get_secret_value().encode()

    def __repr_args__(self):  # type: ignore[no-untyped-def]
        return [(k, v) for k, v in super().__repr_args__() if k not in SECRET_FIELDS]


def _persisted_secret(path: Path) -> str:
    """Generate the secret once and keep it (owner-only), so every worker and restart agrees."""
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    value = secrets.token_urlsafe(48)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker won the race: use its secret
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value + "\n")
    return value


def read_settings(**overrides: Any) -> Settings:
    """Read and validate settings, without touching the secret (nothing is written)."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]) if error["loc"] else "?"
        raise SettingsError(f"Setting COMMENTBOX_{name.upper()} is invalid: {error['msg']}.") from None


def load_settings(**overrides: Any) -> Settings:
    """Read and validate settings, and the secret (generated in the data folder the first
    time); raise ``SettingsError`` with one sentence naming the setting."""
    settings = read_settings(**overrides)
    if settings.secret_key is None:
        assert settings.secret_file is not None, "the data folder fills it"
        secret = SecretStr(_persisted_secret(settings.secret_file))
        settings = settings.model_copy(update={"secret_key": secret})
    else:
        _refuse_weak_secret(settings.secret().decode())
    return settings


# Values that documentation and examples show in place of a secret (ours: examples/deploy).
PLACEHOLDER_WORDS = (
    "change-me",
    "changeme",
    "change_me",
    "replace-me",
    "your-secret",
    "placeholder",
    "example",
)
MAKE_ONE = 'make one with: python3 -c "import secrets; print(secrets.token_urlsafe(48))"'


def _refuse_weak_secret(secret: str) -> None:
    """Whoever knows the secret can forge unsubscribe links and form tokens and confirm a
    guessed guest email from an avatar URL: a placeholder or a short, repetitive value is
    refused at start, with the one line that makes a good one."""
    lowered = secret.lower()
    if any(word in lowered for word in PLACEHOLDER_WORDS):
        raise SettingsError(f"Setting COMMENTBOX_SECRET_KEY is still a placeholder; {MAKE_ONE}.")
    if len(secret) < 16 or len(set(secret)) < 8:
        raise SettingsError(
            f"Setting COMMENTBOX_SECRET_KEY is too weak (at least 16 varied characters); {MAKE_ONE}."
        )

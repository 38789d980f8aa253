"""Shared fixtures: a fresh app on a fresh database for every test.

The suite runs on SQLite by default and on PostgreSQL when ``COMMENTBOX_TEST_DATABASE_URL``
names one (``.ci/run`` does both). The schema is migrated once per session; each test then
gets an empty copy (SQLite: a copied file; PostgreSQL: truncated tables).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel
from starlette.testclient import TestClient

from commentbox.admin import moderators
from commentbox.app import create_app
from commentbox.auth.base import Profile
from commentbox.config import Settings, load_settings
from commentbox.domain import sites, user_sessions
from commentbox.services import Context
from commentbox.store import migrate
from commentbox.store.db import Database
from commentbox.store.models import ModerationMode, Role, Site
from tests.admin_support import PASSWORD, sign_in
from tests.support import BLOG, SAME_ORIGIN, TEST_SECRET, comment_payload

pytest_plugins = ["tests.fakes.fixtures", "tests.transfer_support", "tests.linkback_support"]


def required_or_skip(reason: str) -> None:
    """Skip with ``reason`` on a developer machine; fail in CI, where every part must be present."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def _reset_postgres(url: str) -> None:
    db = Database(url)
    with db.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(db.engine)
    db.dispose()


@pytest.fixture(scope="session")
def template_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database to copy from: a SQLite file, or the PostgreSQL URL itself."""
    url = os.environ.get("COMMENTBOX_TEST_DATABASE_URL")
    if url:
        _reset_postgres(url)
        return url
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    db = Database(f"sqlite:///{path}")
    migrate.upgrade(db.engine)
    with db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return str(path)


@pytest.fixture
def database_url(template_database: str, tmp_path: Path) -> str:
    if template_database.startswith("postgresql"):
        db = Database(template_database)
        tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
        with db.engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.dispose()
        return template_database
    path = tmp_path / "commentbox.sqlite3"
    shutil.copy(template_database, path)
    return f"sqlite:///{path}"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Rate limits are off here, since every test client shares one address; the tests of the
    limits (``test_ratelimit.py``) switch them on with ``settings.model_copy``. So is the
    retention sweep, which would otherwise change rows under a test at its own moment
    (``test_retention.py`` runs it, and switches the job on)."""
    return load_settings(
        database_url=database_url,
        secret_key=TEST_SECRET,
        public_url="http://testserver",
        secret_file=tmp_path / "secret",
        rate_limits="off",
        retention_sweep_minutes=0,
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[Any]:
    app = create_app(settings)
    yield app
    app.state.ctx.db.dispose()  # pooled connections must not outlive the test (PostgreSQL)


@pytest.fixture
def ctx(app: Any) -> Context:
    return app.state.ctx  # type: ignore[no-any-return]


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture
def make_site(ctx: Context) -> Callable[..., Site]:
    def make(
        site_id: str = "blog",
        origins: tuple[str, ...] = (BLOG,),
        moderation: ModerationMode = ModerationMode.NONE,
        **changes: Any,
    ) -> Site:
        site = sites.add_site(ctx.db, site_id, origins=origins, moderation=moderation)
        if changes:
            site = sites.update_site(ctx.db, site_id, **changes)
        return site

    return make


@pytest.fixture
def blog(make_site: Callable[..., Site]) -> Site:
    """The site most tests use: ``blog``, served from https://blog.example."""
    return make_site()


@pytest.fixture
def make_comment(client: TestClient, blog: Site) -> Callable[..., dict[str, Any]]:
    """Post a guest comment through the API (as the blog's page would) and return the JSON.

    Without a ``body``, the first comment says "Hello *world*" and later ones add a number:
    the same text twice from one sender is refused as a duplicate (``test_spam.py``)."""
    made = 0

    def make(**changes: Any) -> dict[str, Any]:
        nonlocal made
        made += 1
        if "body" not in changes and made > 1:
            changes["body"] = f"Hello *world* ({made})"
        response = client.post("/api/v1/comments", json=comment_payload(**changes), headers={"Origin": BLOG})
        assert response.status_code in (201, 202), response.text
        return response.json()  # type: ignore[no-any-return]

    return make


@pytest.fixture
def signed_in_as(ctx: Context) -> Callable[..., str]:
    """A bearer token for a user signed in on ``site`` — the session row the OAuth callback
    would open, without the round trip (``test_auth.py`` drives the real one)."""

    def sign_in(provider_user_id: str = "g-ada", name: str = "Ada King", site: str = "blog") -> str:
        with ctx.db.write() as session:
            user = user_sessions.upsert_user(session, Profile("google", provider_user_id, name))
            row = user_sessions.open_session(ctx.user_sessions, session, user, site)
        return user_sessions.session_token(ctx.user_sessions, row.id, site)

    return sign_in


@pytest.fixture
def row_count(ctx: Context) -> Callable[[str], int]:
    """How many rows a table holds: proves that refused requests stored nothing."""

    def count(table: str) -> int:
        with ctx.db.engine.connect() as connection:
            query = text(f'SELECT count(*) FROM "{table}"')  # noqa: S608 (table names from tests)
            return int(connection.execute(query).scalar_one())

    return count


@pytest.fixture
def redis_url() -> str:
    """A Redis database of its own for this test, emptied first."""
    import redis

    url = "redis://127.0.0.1:6379/11"
    try:
        redis.Redis.from_url(url).flushdb()
    except redis.RedisError:
        required_or_skip("needs Redis at 127.0.0.1:6379 (what instances share through it)")
    return url


# The /admin pages (tests/admin_support.py has their helpers) --------------------------------


@pytest.fixture
def make_admin(ctx: Context) -> Callable[..., None]:
    def make(
        name: str = "root",
        *,
        superuser: bool = True,
        sites: tuple[str, ...] = (),
        role: Role = Role.MODERATOR,
    ) -> None:
        moderators.add_account(ctx.db, name, PASSWORD, email=f"{name}@mods.example", superuser=superuser)
        for site in sites:
            moderators.grant(ctx.db, site, role, account_name=name)

    return make


@pytest.fixture
def admin_client(app: Any, make_admin: Callable[..., None], blog: Site) -> Iterator[TestClient]:
    make_admin()
    with TestClient(app, base_url="http://testserver", headers=SAME_ORIGIN) as client:
        assert sign_in(client).status_code == 303
        yield client

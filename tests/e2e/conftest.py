"""Real-browser fixtures: Debian's Chromium, the real backend and the example blog.

The backend runs as ``http://localhost:A`` and the blog as ``http://127.0.0.1:B`` — two
different *sites* to the browser, as in production — each a real uvicorn server on a
random loopback port. Chromium keeps its default of blocking third-party cookies.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page
from starlette.types import Receive, Scope, Send

from commentbox.app import create_app
from commentbox.config import load_settings
from commentbox.domain import sites
from commentbox.services import Context
from commentbox.store.models import ModerationMode
from tests.conftest import required_or_skip
from tests.fakes.facebook import FakeFacebook
from tests.fakes.google import FakeGoogle
from tests.fakes.server import ServerThread
from tests.fakes.twitter import FakeTwitter
from tests.signin import provider_settings
from tests.support import TEST_SECRET

CHROMIUM = Path("/usr/bin/chromium")
BLOG_DIR = Path(__file__).resolve().parents[2] / "examples" / "blog"
PAGE_SIZE = 10


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not CHROMIUM.exists():
        required_or_skip("Debian's chromium is not installed (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": ["--disable-gpu", "--disable-quic", "--no-first-run"],
    }


def _blog_module() -> Any:
    spec = importlib.util.spec_from_file_location("example_blog", BLOG_DIR / "serve.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Deferred:
    """An ASGI app filled in after the server's port is known (the app needs its own URL)."""

    app: Any = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


@dataclass
class Stack:
    backend: str
    blog: str
    ctx: Context

    def moderate(self, mode: ModerationMode) -> None:
        sites.update_site(self.ctx.db, "blog", moderation=mode)

    def article(self, path: str = "/posts/hello/") -> str:
        return self.blog + path


@contextmanager
def running_stack(
    database_url: str, tmp_path: Path, *, demo: bool = False, **settings: Any
) -> Iterator[Stack]:
    """The backend and the example blog on their own ports; ``settings`` override the defaults,
    ``demo`` runs the backend as ``commentbox serve --demo`` does."""
    holder = _Deferred()
    backend = ServerThread(holder, url_host="localhost")
    blog_holder = _Deferred()
    blog_server = ServerThread(blog_holder)
    blog_holder.app = _blog_module().create_app(backend.url, blog_server.url)
    holder.app = create_app(
        load_settings(
            database_url=database_url,
            secret_key=TEST_SECRET,
            public_url=backend.url,
            secret_file=tmp_path / "secret",
            page_size=PAGE_SIZE,
            rate_limits="off",  # every browser and seed request comes from 127.0.0.1
            retention_sweep_minutes=0,  # no background sweep changing rows under a test
            **settings,
        ),
        demo=demo,
    )
    ctx: Context = holder.app.state.ctx
    sites.add_site(ctx.db, "blog", origins=[blog_server.url], name="A small blog")
    # A scripted browser posts faster than people read: the form-timing layer has its own
    # tests (tests/test_spam.py, tests/e2e/test_moderation_flow.py).
    sites.update_site(ctx.db, "blog", min_post_seconds=0)
    with backend, blog_server:
        yield Stack(backend=backend.url, blog=blog_server.url, ctx=ctx)


@pytest.fixture
def all_providers(
    fake_google: FakeGoogle, fake_twitter: FakeTwitter, fake_facebook: FakeFacebook
) -> dict[str, Any]:
    """Settings that offer Google, X and Facebook, each pointed at its fake provider."""
    return provider_settings(fake_google, fake_twitter, fake_facebook)


@pytest.fixture
def stack(database_url: str, tmp_path: Path) -> Iterator[Stack]:
    with running_stack(database_url, tmp_path) as running:
        yield running


DOCS = Path(__file__).resolve().parents[2] / "docs"


def screenshot(shot: Page | Locator, name: str, tmp_path: Path) -> Path:
    """A picture for the docs: written into docs/ when COMMENTBOX_SCREENSHOTS=1, else into
    the test's own folder (so every run still takes it and checks it is no blank)."""
    folder = DOCS if os.environ.get("COMMENTBOX_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(exist_ok=True)
    path = folder / name
    shot.screenshot(path=str(path))
    assert path.stat().st_size > 10_000
    return path


def widget(page: Page) -> Locator:
    """The widget's root inside the shadow root (Playwright's CSS pierces open shadow roots)."""
    root = page.locator("#commentbox .cb-root")
    root.wait_for()
    return root


def post(page: Page, body: str, name: str = "Ada", email: str = "ada@example.com") -> None:
    page.fill("#cb-body", body)
    if page.locator("#cb-name").is_visible():
        page.fill("#cb-name", name)
        page.fill("#cb-email", email)
    page.click(".cb-submit")


def status(page: Page) -> Locator:
    """The form's status line: what posting, signing in or out said."""
    return page.locator(".cb-status")


def message(page: Page) -> Locator:
    """The message placed next to the comment (or list) an action was about."""
    return page.locator("#commentbox .cb-msg")


def seed(
    stack: Stack, count: int, path: str = "/posts/hello/", expect_status: int = 201, **extra: object
) -> list[int]:
    """Post comments through the real API, as the blog's visitors would have (``expect_status``
    202 where the site holds them for a moderator)."""
    ids = []
    for n in range(count):
        response = httpx.post(
            stack.backend + "/api/v1/comments",
            json={
                "site": "blog",
                "url": stack.article(path),
                "body": f"Comment number {n}",
                "author": {"name": f"Reader {n}", "email": f"r{n}@example.com"},
                **extra,
            },
            headers={"Origin": stack.blog},
        )
        assert response.status_code == expect_status, response.text
        ids.append(response.json()["id"])
    return ids

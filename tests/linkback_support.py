"""What the linkback tests share: a source server on 127.0.0.1, an app allowed to reach it,
a thread to mention, and waiting for the background verifier."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from commentbox.config import Settings
from commentbox.domain import sites
from commentbox.store.models import Site
from tests.fakes.server import ServerThread
from tests.fakes.sources import FakeSources
from tests.support import ARTICLE


def mentioning(
    title: str = "A reply on my blog",
    target: str = ARTICLE,
    text: str = "I liked",
    published: str = "2024-05-01T10:00:00Z",
) -> str:
    """A source page with an h-entry that links to ``target``."""
    return (
        f"<!doctype html><html><head><title>{title} – Other blog</title></head><body>"
        f'<article class="h-entry"><h1 class="p-name">{title}</h1>'
        '<a class="p-author h-card" href="/about">Grace Hopper</a>'
        f'<time class="dt-published" datetime="{published}">May 1</time>'
        f'<div class="e-content"><p>{text} <a href="{target}">this post</a> a lot.</p></div>'
        "</article></body></html>"
    )


@pytest.fixture(scope="module")
def source_server() -> Iterator[tuple[FakeSources, str]]:
    fake = FakeSources()
    with ServerThread(fake.app) as running:
        yield fake, f"http://127.0.0.1:{running.port}"


@pytest.fixture
def sources(source_server: tuple[FakeSources, str]) -> FakeSources:
    fake = source_server[0]
    fake.pages.clear()
    fake.hits.clear()
    return fake


@pytest.fixture
def origin(source_server: tuple[FakeSources, str]) -> str:
    """The source server's address (allow-listed for these tests, as the settings table says)."""
    return source_server[1]


def reaching_sources(settings: Settings, **changes: Any) -> Settings:
    """Test settings whose fetcher may reach the source server (each linkback test module
    overrides ``settings`` with it)."""
    return settings.model_copy(update={"outbound_allow_hosts": ["127.0.0.1"], **changes})


@pytest.fixture
def linked_blog(ctx: Any, blog: Site, make_comment: Callable[..., dict[str, Any]]) -> Site:
    """The blog with linkbacks on, and a discussion at ARTICLE to mention."""
    make_comment()
    return sites.update_site(ctx.db, blog.id, linkbacks=True)


def mention(client: TestClient, source: str, target: str = ARTICLE, site: str = "blog") -> Any:
    return client.post(f"/webmention/{site}", data={"source": source, "target": target})


def settled(client: TestClient, location: str) -> dict[str, Any]:
    """The status once the background verifier has looked at the source (it is woken by the
    post; this only waits for it, with a generous bound for a loaded machine)."""
    deadline = time.monotonic() + 30
    while True:
        shown = client.get(location).json()
        if shown["status"] != "queued" or time.monotonic() > deadline:
            return shown  # type: ignore[no-any-return]
        time.sleep(0.02)

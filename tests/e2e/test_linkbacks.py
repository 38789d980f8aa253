"""In a real browser: a verified Webmention and an imported pingback shown in the thread the
way the model's footer shows them ("Pingback: Title – site", "Mentioned on …")."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from commentbox.domain import sites
from commentbox.store.models import CommentStatus
from commentbox.transfer.loader import Options, load
from commentbox.transfer.model import BodyFormat, ImportedComment, ImportedThread, Kind
from tests.e2e.conftest import Stack, running_stack, seed, widget
from tests.fakes.server import ServerThread
from tests.fakes.sources import FakeSources
from tests.linkback_support import mentioning

pytestmark = pytest.mark.browser


@pytest.fixture
def linked_stack(database_url: str, tmp_path: Path) -> Iterator[tuple[Stack, FakeSources, str]]:
    fake = FakeSources()
    with (
        ServerThread(fake.app) as sources,
        running_stack(database_url, tmp_path, outbound_allow_hosts=["127.0.0.1"]) as stack,
    ):
        sites.update_site(stack.ctx.db, "blog", linkbacks=True, publish_linkbacks=True)
        yield stack, fake, f"http://127.0.0.1:{sources.port}"


def imported_pingback(stack: Stack) -> None:
    """What a WordPress import brings for a pingback (``transfer/wordpress.py`` reads the
    same fields from a WXR file)."""
    pingback = ImportedComment(
        source_id="wp-1",
        thread=ImportedThread(url=stack.article()),
        parent_id=None,
        created=datetime(2011, 12, 20, 9, 0, tzinfo=UTC),
        body="[…] the best tweets of the week […]",
        body_format=BodyFormat.HTML,
        status=CommentStatus.APPROVED,
        author_name="Best Tweets in Mental Health (wk of 12/19/2011) - SocialWork.Career",
        author_website="https://socialwork.career/best-tweets/",
        kind=Kind.PINGBACK,
    )
    load(stack.ctx.db, "blog", [pingback], Options(source="wordpress"), hash_ip=stack.ctx.keys.hash_ip)


def test_a_webmention_and_an_imported_pingback_read_like_the_models_footer(page: Page, linked_stack):
    stack, fake, origin = linked_stack
    seed(stack, 1)
    imported_pingback(stack)
    fake.put("/reply", mentioning(title="A reply on my blog", target=stack.article()))
    sent = httpx.post(
        f"{stack.backend}/webmention/blog", data={"source": f"{origin}/reply", "target": stack.article()}
    )
    assert sent.status_code == 202
    deadline = time.monotonic() + 30
    while httpx.get(sent.headers["location"]).json()["status"] == "queued" and time.monotonic() < deadline:
        time.sleep(0.05)

    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(stack.article())
    root = widget(page)
    expect(root.locator(".cb-count")).to_have_text("3 responses to “Hello, world”")
    pingback = root.locator(".cb-linkback-pingback")
    expect(pingback.locator(".cb-meta")).to_contain_text(
        "Pingback: Best Tweets in Mental Health (wk of 12/19/2011) - SocialWork.Career – socialwork.career"
    )
    expect(pingback.locator("a.cb-linkback-title")).to_have_attribute(
        "rel", "nofollow ugc noopener noreferrer"
    )
    mention = root.locator(".cb-linkback-webmention")
    expect(mention.locator(".cb-meta")).to_contain_text("Mentioned on A reply on my blog – 127.0.0.1")
    expect(mention.locator(".cb-linkback-excerpt")).to_have_text("I liked this post a lot.")
    expect(root.locator(".cb-linkback .cb-avatar")).to_have_count(0)
    expect(root.locator(".cb-linkback .cb-reply")).to_have_count(0)
    # in thread order: the 2011 pingback, the mention published in 2024, today's comment
    kinds = root.locator(".cb-thread > .cb-comment").evaluate_all(
        "items => items.map(i => i.classList.contains('cb-linkback')"
        " ? i.className.split('cb-linkback-')[1] : 'comment')"
    )
    assert kinds == ["pingback", "webmention", "comment"]
    assert errors == []

"""Constants and small helpers the tests share (fixtures live in ``conftest.py``)."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from typing import Any

from commentbox.domain.spam import issue_form_token
from commentbox.keys import Keys

TEST_SECRET = "test-secret-key-that-is-long-enough"
# What every current browser sends with a form posted from one of this server's own pages
# (which send no referrer, so their Origin is "null"): http/forms.py checks it.
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin", "Origin": "null"}
BLOG = "https://blog.example"
ARTICLE = f"{BLOG}/posts/hello/"


def form_token(site: str = "blog", age_seconds: float = 60.0) -> str:
    """The token ``GET /api/v1/sites/{site}/config`` would have issued ``age_seconds`` ago."""
    return issue_form_token(Keys(TEST_SECRET.encode()), site, time.time() - age_seconds)


def comment_payload(**changes: Any) -> dict[str, Any]:
    """A valid guest comment on the blog's article, sent as the widget sends it (with a form
    token issued a minute ago); ``changes`` override top-level fields."""
    payload: dict[str, Any] = {
        "site": "blog",
        "url": ARTICLE,
        "body": "Hello *world*",
        "author": {"name": "Ada", "email": "ada@example.com"},
    }
    payload.update(changes)
    payload.setdefault("form_token", form_token(str(payload["site"])))
    return payload


class _TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def parse_tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Every start tag with its attributes, as an HTML parser sees them (text stays text)."""
    collector = _TagCollector()
    collector.feed(html)
    collector.close()
    return collector.tags


def in_own_loop(function: Any, *arguments: Any) -> Any:
    """Run a coroutine function in a fresh event loop of its own thread (browser tests may
    leave one running in this thread, and ``asyncio.run`` refuses to start beside it)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(function(*arguments))).result()

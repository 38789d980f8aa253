"""Constants and small helpers the tests share (fixtures live in ``conftest.py``)."""

from __future__ import annotations

from typing import Any

TEST_SECRET = "test-secret-key-that-is-long-enough"
BLOG = "https://blog.example"
ARTICLE = f"{BLOG}/posts/hello/"


def comment_payload(**changes: Any) -> dict[str, Any]:
    """A valid guest comment on the blog's article; ``changes`` override top-level fields."""
    payload: dict[str, Any] = {
        "site": "blog",
        "url": ARTICLE,
        "body": "Hello *world*",
        "author": {"name": "Ada", "email": "ada@example.com"},
    }
    payload.update(changes)
    return payload

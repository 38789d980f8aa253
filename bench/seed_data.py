"""The data every system is seeded with, generated deterministically.

All systems get byte-for-byte the same comments so that the only difference
between them is the server. The Markdown mixes emphasis, code and links, so a
renderer has real work to do, and the texts are sized so that a 100-comment
thread is about 50 KB of JSON, as the targets in issue 6 assume.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

#: The origin of the (imaginary) blog that embeds the widget.
SITE_ORIGIN = "http://127.0.0.1:8000"
SITE_ID = "bench"
THREAD_PATH = "/posts/bench-thread/"
THREAD_TITLE = "A thread with one hundred comments"
COUNT_PATHS = [f"/posts/count-{i}/" for i in range(10)]
POST_PATH = "/posts/post-bench/"
THREAD_COMMENTS = 100
REPLY_EVERY = 5  # every 5th comment replies to an earlier top-level comment

WORDS = [
    "comment",
    "thread",
    "reader",
    "server",
    "widget",
    "cache",
    "render",
    "markdown",
    "sqlite",
    "postgres",
    "latency",
    "throughput",
    "request",
    "response",
    "session",
    "token",
    "origin",
    "browser",
    "shadow",
    "template",
    "escape",
    "sanitize",
    "reply",
    "vote",
    "edit",
    "delete",
    "guest",
    "author",
    "email",
    "website",
    "page",
    "index",
    "count",
    "feed",
    "atom",
    "moderation",
    "spam",
    "queue",
    "worker",
    "process",
    "memory",
    "disk",
    "index",
    "query",
    "plan",
    "version",
    "etag",
    "header",
    "cookie",
    "redirect",
    "provider",
    "callback",
]


@dataclass(frozen=True)
class SeedComment:
    """One comment to post: `parent` is an index into the same list, or None."""

    author: str
    email: str
    text: str
    parent: int | None


def _paragraph(rng: random.Random, words: int) -> str:
    """A sentence-ish run of words with some inline Markdown sprinkled in."""
    out: list[str] = []
    for i in range(words):
        word = rng.choice(WORDS)
        roll = rng.random()
        if roll < 0.05:
            word = f"**{word}**"
        elif roll < 0.08:
            word = f"`{word}()`"
        elif roll < 0.10:
            word = f"[{word}](https://example.com/{word}/{i})"
        out.append(word)
    text = " ".join(out)
    return text[0].upper() + text[1:] + "."


def comment_text(rng: random.Random) -> str:
    """Two short paragraphs, about 190 characters of Markdown."""
    return _paragraph(rng, rng.randint(12, 18)) + "\n\n" + _paragraph(rng, rng.randint(6, 10))


def thread_comments(count: int = THREAD_COMMENTS, seed: int = 6) -> list[SeedComment]:
    """The big thread: mostly top-level comments, every 5th a reply."""
    rng = random.Random(seed)
    comments: list[SeedComment] = []
    top_level: list[int] = []
    for i in range(count):
        parent = rng.choice(top_level) if top_level and i % REPLY_EVERY == REPLY_EVERY - 1 else None
        if parent is None:
            top_level.append(i)
        comments.append(
            SeedComment(
                author=f"Reader {i % 17}",
                email=f"reader{i % 17}@example.com",
                text=comment_text(rng),
                parent=parent,
            )
        )
    return comments


def count_thread_comments(seed: int = 7) -> dict[str, list[SeedComment]]:
    """The ten small threads of the counts workload: thread i has i+1 comments."""
    rng = random.Random(seed)
    return {
        path: [
            SeedComment(
                author=f"Counter {j}",
                email=f"counter{j}@example.com",
                text=comment_text(rng),
                parent=None,
            )
            for j in range(i + 1)
        ]
        for i, path in enumerate(COUNT_PATHS)
    }


#: The body a posting workload sends; `{n}` is made unique per request by wrk.
POST_TEXT = (
    "Benchmark comment {n}: thanks for the **write-up**, the part about the "
    "`cache()` and the [query plan](https://example.com/plan) was useful. "
    "One question about the session token and the origin check though."
)

"""The data every system is seeded with, generated deterministically.

All systems get byte-for-byte the same comments so that the only difference
between them is the server. The Markdown mixes emphasis, code and links, so a
renderer has real work to do, and the texts are sized so that a 100-comment
thread is about 50 KB of JSON, as the targets in issue 6 assume.

Around that thread sits the site's archive (`corpus()`): a few hundred posts
holding some 16,000 comments, bulk-loaded into every system's database, so
that each system answers from a database the size of a real blog's. The counts
workload asks for the ten newest posts, as a blog's front page would.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

#: The origin of the (imaginary) blog that embeds the widget.
SITE_ORIGIN = "http://127.0.0.1:8000"
SITE_ID = "bench"
THREAD_PATH = "/posts/bench-thread/"
THREAD_TITLE = "A thread with one hundred comments"
CORPUS_THREADS = 400
CORPUS_COMMENTS = 16_000
COUNT_URLS = 10
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


@dataclass(frozen=True)
class CorpusThread:
    """One archive post: its path, title and how many comments it holds."""

    path: str
    title: str
    comments: int


def corpus(
    threads: int = CORPUS_THREADS, comments: int = CORPUS_COMMENTS, seed: int = 8
) -> list[CorpusThread]:
    """The site's archive, oldest post first; exactly `comments` comments in all.

    Comment counts follow a log-normal spread, as on real blogs: most posts
    have a handful, a few have hundreds. Every post has at least one, so each
    has a thread in both systems (neither creates a thread before its first
    comment).
    """
    rng = random.Random(seed)
    weights = [rng.lognormvariate(0.0, 1.1) for _ in range(threads)]
    scale = (comments - threads) / sum(weights)
    counts = [1 + int(w * scale) for w in weights]
    # Hand out what rounding down left over to the largest fractional parts.
    by_fraction = sorted(range(threads), key=lambda i: (w := weights[i] * scale) - int(w), reverse=True)
    for i in by_fraction[: comments - sum(counts)]:
        counts[i] += 1
    return [
        CorpusThread(path=f"/posts/{i:04d}-archive/", title=f"Archive post {i}", comments=n)
        for i, n in enumerate(counts)
    ]


#: The counts workload: the ten newest posts of the archive, as on a front page.
COUNT_THREADS = corpus()[-COUNT_URLS:]
COUNT_PATHS = [t.path for t in COUNT_THREADS]


#: The body a posting workload sends; `{n}` is made unique per request by wrk.
POST_TEXT = (
    "Benchmark comment {n}: thanks for the **write-up**, the part about the "
    "`cache()` and the [query plan](https://example.com/plan) was useful. "
    "One question about the session token and the origin check though."
)

"""What a feed costs on a big site: the site's and one thread's Atom feed, built from SQLite.

    python bench/feeds.py                         # 100,000 comments over 1,000 posts
    python bench/feeds.py --threads 200 --per-thread 50

A feed is built afresh for each poll that is not answered 304 (docs/feeds.md), so its cost
is reading the newest 50 published comments and serializing them. The site is seeded with
plain SQL (one transaction) into a migrated temporary database; each feed is then built
``--repeat`` times in this process and the median is printed, split into the read and the
Atom serialization.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from commentbox.domain import feeds, sites
from commentbox.domain.threads import Presentation
from commentbox.html.feeds import atom
from commentbox.keys import Keys
from commentbox.store import migrate
from commentbox.store.db import Database

BLOG = "https://blog.example"
BASE = "https://comments.example"


def seed(db: Database, threads: int, per_thread: int) -> None:
    sites.add_site(db, "blog", origins=[BLOG])
    now = datetime.now(UTC)
    with db.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO thread (site_id, key, url, title, version, comment_count, locked, created) "
            "VALUES ('blog', ?, ?, ?, 1, ?, 0, ?)",
            [(f"{BLOG}/p{i}", f"{BLOG}/p{i}", f"Post {i}", per_thread, now) for i in range(threads)],
        )
        rows = [
            (thread, f"<p>Comment {n} on post {thread}, a few words.</p>", stamp, secrets.token_hex(8))
            for thread in range(1, threads + 1)
            for n in range(per_thread)
            for stamp in [now - timedelta(seconds=(thread * per_thread + n) * 7919 % 10**7)]
        ]
        connection.exec_driver_sql(
            "INSERT INTO comment (thread_id, author_name, body, html, status, score, created, nonce, pinned) "
            "VALUES (?, 'Ada', '', ?, 'approved', 0, ?, ?, 0)",
            rows,
        )


def measure(db: Database, presentation: Presentation, repeat: int, **page: str) -> tuple[float, float, int]:
    reads, renders, size = [], [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        feed = feeds.read_feed(db, presentation, "blog", **page)
        read = time.perf_counter()
        size = len(atom(feed, BASE))
        reads.append(read - started)
        renders.append(time.perf_counter() - read)
    return statistics.median(reads) * 1000, statistics.median(renders) * 1000, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1000)
    parser.add_argument("--per-thread", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{folder}/bench.sqlite3")
        migrate.upgrade(db.engine)
        seed(db, args.threads, args.per_thread)
        presentation = Presentation(Keys(secrets.token_bytes(32)), BASE, 3)
        total = args.threads * args.per_thread
        for label, page in (("site feed", {}), ("thread feed", {"url": f"{BLOG}/p5"})):
            read, render, size = measure(db, presentation, args.repeat, **page)
            print(f"{label:12} {total:>9,} comments: read {read:6.1f} ms, Atom {render:5.1f} ms, {size:,} B")
        db.dispose()


if __name__ == "__main__":
    main()

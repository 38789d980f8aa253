"""Keeping less and erasure at scale (issue 15): how long the retention sweep and an erasure
take, and how long each holds the write lock, on a site with years of comments.

    python bench/privacy.py                       # 200,000 comments over two years, SQLite
    python bench/privacy.py --comments 20000      # a quicker look
    python bench/privacy.py --db postgresql+psycopg://postgres@127.0.0.1:5432/cb_bench_privacy

Rows are written in bulk with plain SQL (the sweep and the erasure are what is measured, not
posting). Prints one line per step: wall time, rows changed, and the longest transaction.
"""

from __future__ import annotations

import argparse
import random
import secrets
import sys
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, text  # noqa: E402

from commentbox.domain import erasure, retention, sites  # noqa: E402
from commentbox.keys import Keys  # noqa: E402
from commentbox.runtime.events import Events  # noqa: E402
from commentbox.store import migrate  # noqa: E402
from commentbox.store.db import Database  # noqa: E402

WORK = ROOT / "bench" / ".work" / "privacy"


class LongestWrite:
    """The longest time between a write transaction's BEGIN and its COMMIT (what posts wait for)."""

    def __init__(self, db: Database) -> None:
        self.longest = 0.0
        self._began: dict[int, float] = {}
        engine = db.engine
        event.listen(engine, "begin", lambda conn: self._began.__setitem__(id(conn), time.perf_counter()))
        event.listen(engine, "commit", self._ended)

    def _ended(self, conn: Any) -> None:
        began = self._began.pop(id(conn), None)
        if began is not None:
            self.longest = max(self.longest, time.perf_counter() - began)

    @contextmanager
    def measure(self, label: str, rows: Any = None) -> Any:
        self.longest = 0.0
        start = time.perf_counter()
        result: dict[str, Any] = {}
        yield result
        took = time.perf_counter() - start
        longest = self.longest * 1000
        print(
            f"{label:<48} {took * 1000:9.1f} ms   longest write {longest:7.1f} ms   {result.get('rows', '')}"
        )


def seed(db: Database, comments: int, threads: int, guest_share: int) -> None:
    """``comments`` over ``threads`` pages and two years; every ``guest_share``-th comment is
    by the guest the erasure removes; one guest vote per comment."""
    rng = random.Random(15)
    now = datetime.now(UTC).replace(tzinfo=None)
    with db.engine.begin() as connection:
        connection.execute(
            text("INSERT INTO thread (site_id, key, url, title, version, comment_count, locked, created) "
                 "VALUES ('blog', :k, :k, '', 1, 0, false, :c)"),
            [{"k": f"https://blog.example/p/{n}/", "c": now} for n in range(threads)],
        )  # fmt: skip
        batch = []
        for n in range(comments):
            email = "erase.me@example.com" if n % guest_share == 0 else f"reader{n % 5000}@example.com"
            batch.append(
                {
                    "t": rng.randrange(threads) + 1,
                    "e": email,
                    "h": secrets.token_hex(16),
                    "c": now - timedelta(minutes=rng.randrange(2 * 365 * 24 * 60)),
                    "n": secrets.token_hex(16),
                }
            )
            if len(batch) == 5000 or n == comments - 1:
                connection.execute(
                    text("INSERT INTO comment (thread_id, author_name, author_email, body, html, status, "
                         "score, created, ip_hash, nonce, pinned) VALUES (:t, 'Reader', :e, 'words', "
                         "'<p>words</p>', 'approved', 0, :c, :h, :n, false)"),
                    batch,
                )  # fmt: skip
                batch = []
        connection.execute(
            text(
                "INSERT INTO vote (comment_id, voter, value, created) "
                "SELECT id, 'g:' || ip_hash, 1, created FROM comment"
            )
        )
        connection.execute(
            text(
                "UPDATE thread SET comment_count = (SELECT count(*) FROM comment WHERE thread_id = thread.id)"
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--comments", type=int, default=200_000)
    parser.add_argument("--threads", type=int, default=5_000)
    parser.add_argument("--db", default="", help="a database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    if args.db:
        url = args.db
        reset = Database(url)
        with reset.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        reset.dispose()
    else:
        WORK.mkdir(parents=True, exist_ok=True)
        path = WORK / "privacy.sqlite3"
        for leftover in WORK.glob("privacy.sqlite3*"):
            leftover.unlink()
        url = f"sqlite:///{path}"
    db = Database(url)
    migrate.upgrade(db.engine)
    sites.add_site(db, "blog", origins=["https://blog.example"])
    started = time.perf_counter()
    seed(db, args.comments, args.threads, guest_share=200)
    took = time.perf_counter() - started
    print(f"seeded {args.comments} comments and as many votes in {took:.1f} s ({db.url.get_backend_name()})")
    timer = LongestWrite(db)
    with timer.measure("first sweep (every hash older than 30 days)") as result:
        swept = retention.sweep(db, 30)
        result["rows"] = f"{swept.ip_hashes} IP hashes, {swept.vote_keys} vote keys"
    with timer.measure("second sweep (nothing left to do)") as result:
        swept = retention.sweep(db, 30)
        result["rows"] = f"{swept.ip_hashes} IP hashes, {swept.vote_keys} vote keys"
    erasing = erasure.Erasing(db, Events(), Keys(secrets.token_bytes(32)))
    guest = erasure.Identity.guest("blog", "erase.me@example.com")
    with timer.measure("count one guest's comments (before confirming)") as result:
        result["rows"] = f"{erasure.count(erasing, guest)} comments"
    with timer.measure("erase one guest") as result:
        result["rows"] = f"{erasure.erase(erasing, guest).comments} comments"
    sites.update_site(db, "blog", guest_email_days=365)
    with timer.measure("guest emails older than a year") as result:
        result["rows"] = f"{retention.sweep(db, 30).guest_emails} emails"
    db.dispose()


if __name__ == "__main__":
    main()

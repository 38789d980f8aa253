"""What webhooks add to a post: the domain's post path (no HTTP) on a fresh SQLite database,
on a site without webhooks and on one whose endpoint hears ``comment.created``.

    python bench/webhooks.py                  # 1,500 posts each way, 3 rounds
    python bench/webhooks.py --posts 500 --rounds 1

The delivery itself is not in a post's path (the background sender posts later, from the
outbox), so a post pays only for queuing: nothing on a site without webhooks, the payload
and one ``INSERT … SELECT`` on a site with them. Printed: posts per second (wall) and CPU
per post (the process, writer thread included); compare rows within one run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from commentbox.config import load_settings
from commentbox.domain import comments, sites
from commentbox.domain.schemas import CommentCreate, GuestAuthor
from commentbox.domain.spam import issue_form_token
from commentbox.domain.visitors import Visitor
from commentbox.keys import Keys
from commentbox.services import Context
from commentbox.store import migrate
from commentbox.webhooks import endpoints

OFF = "off"


def run(posts: int, with_endpoint: bool) -> tuple[float, float]:
    """(posts per second, CPU microseconds per post)."""
    home = Path(tempfile.mkdtemp())
    settings = load_settings(
        database_url=f"sqlite:///{home}/db.sqlite3",
        secret_key="bench-secret-key-that-is-long-enough",  # noqa: S106 (a throwaway benchmark key)
        public_url="http://bench.example",
        secret_file=home / "secret",
        rate_limits=OFF,
    )
    ctx = Context.from_settings(settings)
    migrate.upgrade(ctx.db.engine)
    sites.add_site(ctx.db, "blog", origins=("https://blog.example",))
    limits = {"thread_write_limits": OFF, "site_write_limits": OFF, "same_text_limits": OFF}
    sites.update_site(ctx.db, "blog", min_post_seconds=0, new_thread_limits=OFF, **limits)
    if with_endpoint:
        endpoints.add_endpoint(ctx.db, "blog", "https://hooks.example/in", ["comment.created"])
    token = issue_form_token(Keys(settings.secret()), "blog", time.time() - 60)
    author = GuestAuthor(name="Ada", email="ada@example.com")

    def post(n: int) -> None:
        data = CommentCreate(
            site="blog",
            url=f"https://blog.example/p{n % 50}",
            body=f"Comment {n}",
            author=author,
            form_token=token,
        )
        comments.post_comment(ctx.commenting, data, Visitor(ip_hash=f"ip{n}"), "https://blog.example")

    for n in range(50):  # warm up: threads exist, statements compiled
        post(n)
    cpu, wall = time.process_time(), time.perf_counter()
    for n in range(50, 50 + posts):
        post(n)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    ctx.group.close()
    ctx.db.dispose()
    return posts / wall, cpu / posts * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    for round_ in range(1, args.rounds + 1):
        for with_endpoint in (False, True):
            rate, cpu = run(args.posts, with_endpoint)
            label = "an endpoint hears comment.created" if with_endpoint else "no webhooks"
            print(f"round {round_}  {label:34}  {rate:6.0f} posts/s  {cpu:6.0f} us CPU/post")


if __name__ == "__main__":
    main()

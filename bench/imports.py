"""Import and export at scale: a generated WordPress export through the real CLI (issue 12).

    python bench/imports.py                      # 100,000 comments over 5,000 posts, SQLite
    python bench/imports.py --comments 20000     # a quicker look
    python bench/imports.py --db postgresql+psycopg://postgres@127.0.0.1:5432/cb_bench_imports

Each step runs as its own ``python -m commentbox`` process, timed from outside, with that
process's own peak RSS (``os.wait4``). Prints one line per step.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / ".work" / "imports"
SECRET = "bench-secret-for-imports-only-0123456789"  # noqa: S105 (a throwaway instance's)
TEXTS = [
    "Thanks for writing this — it helped me a lot.\n\nOne question: does it work on *PostgreSQL* too?",
    'مرحبا! هذا تعليق باللغة العربية مع رابط <a href="https://example.org/a">هنا</a>.',
    "这篇文章写得很好，谢谢分享。😀👍🏽 我有一个问题：<b>如何</b>配置？",
    '<script>alert(1)</script><img src=x onerror=alert(2)> <a href="javascript:alert(3)">click</a>',
    "Code: <code>SELECT * FROM comment;</code>\n<blockquote>quoted text</blockquote>\nline two",
    "A 👨‍👩‍👧‍👦 family, a 🇫🇷 flag, and e\u0301 accents. " * 3,
]
STATUSES = ["1"] * 17 + ["0", "spam", "trash"]


def generate(path: Path, comments: int, posts: int, seed: int = 12) -> None:
    """A WXR 1.2 file: ``comments`` spread over ``posts``, replies up to 8 deep, parents
    sometimes after their replies (ids shuffled within a post), mixed statuses and kinds."""
    rng = random.Random(seed)
    per_post = comments // posts
    next_id = 1
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
                  'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
                  'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
                  "<wp:wxr_version>1.2</wp:wxr_version>\n")  # fmt: skip
        for post in range(1, posts + 1):
            out.write(f"<item><title>Post {post}</title><link>https://bench.example/{post}/</link>"
                      f"<wp:post_id>{post}</wp:post_id><wp:post_type>post</wp:post_type>\n")  # fmt: skip
            ids = list(range(next_id, next_id + per_post))
            next_id += per_post
            depth: dict[int, int] = {}
            parents: dict[int, int] = {}
            for cid in ids:
                candidates = [p for p in ids if p < cid and depth[p] < 8] if rng.random() < 0.6 else []
                parent = rng.choice(candidates[-10:]) if candidates else 0
                parents[cid] = parent
                depth[cid] = depth.get(parent, 0) + 1
            order = ids[:]
            rng.shuffle(order)
            for cid in order:
                stamp = time.gmtime(1_400_000_000 + cid * 600)
                gmt = time.strftime("%Y-%m-%d %H:%M:%S", stamp)
                kind = "pingback" if rng.random() < 0.01 else "comment"
                body = rng.choice(TEXTS) + f" #{cid}"
                out.write(
                    f"<wp:comment><wp:comment_id>{cid}</wp:comment_id>"
                    f"<wp:comment_author><![CDATA[Guest {cid % 977}]]></wp:comment_author>"
                    f"<wp:comment_author_email>guest{cid % 977}@example.com</wp:comment_author_email>"
                    f"<wp:comment_author_url>https://guest{cid % 977}.example</wp:comment_author_url>"
                    f"<wp:comment_author_IP>192.0.2.{cid % 250}</wp:comment_author_IP>"
                    f"<wp:comment_date>{gmt}</wp:comment_date><wp:comment_date_gmt>{gmt}</wp:comment_date_gmt>"
                    f"<wp:comment_content>{escape(body)}</wp:comment_content>"
                    f"<wp:comment_approved>{rng.choice(STATUSES)}</wp:comment_approved>"
                    f"<wp:comment_type>{kind}</wp:comment_type>"
                    f"<wp:comment_parent>{parents[cid]}</wp:comment_parent>"
                    "<wp:comment_user_id>0</wp:comment_user_id></wp:comment>\n"
                )
            out.write("</item>\n")
        out.write("</channel>\n</rss>\n")


def _run(argv: list[str], env: dict[str, str], stdout: int = subprocess.DEVNULL) -> tuple[str, float]:
    """("wall s (CPU s)", peak RSS in MiB) of one CLI process. The CPU time is the figure to
    compare on a shared machine, where the wall clock also counts other processes' turns."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "commentbox", *argv], env=env, stdout=stdout)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - start
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed with {child.returncode}")
    return f"{elapsed:.1f} s ({usage.ru_utime + usage.ru_stime:.1f} s CPU)", usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--posts", type=int, default=5_000)
    parser.add_argument("--db", help="a PostgreSQL URL (dropped and refilled); default a SQLite file")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    export = WORK / f"wxr-{args.comments}.xml"
    if not export.exists():
        generate(export, args.comments, args.posts)
    source = args.db or f"sqlite:///{WORK / 'source.sqlite3'}"
    target = f"sqlite:///{WORK / 'restored.sqlite3'}"
    for name in ("source.sqlite3", "restored.sqlite3"):
        for suffix in ("", "-wal", "-shm", ".write-lock"):
            (WORK / (name + suffix)).unlink(missing_ok=True)
    if args.db:
        from sqlalchemy import create_engine, text

        engine = create_engine(args.db)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "COMMENTBOX_SECRET_KEY": SECRET,
        "COMMENTBOX_DATABASE_URL": source,
    }
    subprocess.run([sys.executable, "-m", "commentbox", "site", "add", "bench", "--origin", "https://bench.example"],
                   env=env, check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    size = export.stat().st_size / 1024**2
    seconds, rss = _run(["import", "wordpress", str(export), "--site", "bench"], env)
    print(
        f"import wordpress: {args.comments:,} comments ({size:.0f} MB) in {seconds}, peak RSS {rss:.0f} MiB"
    )
    seconds, rss = _run(["import", "wordpress", str(export), "--site", "bench"], env)
    print(f"import wordpress again (nothing new): {seconds}, peak RSS {rss:.0f} MiB")
    backup = WORK / "backup.json"
    seconds, rss = _run(["export", "json", "--site", "bench", "--output", str(backup)], env)
    print(f"export json: {seconds} ({backup.stat().st_size / 1024**2:.0f} MB), peak RSS {rss:.0f} MiB")
    env["COMMENTBOX_DATABASE_URL"] = target
    migrate = [sys.executable, "-m", "commentbox", "migrate"]  # `import json` wants a database
    subprocess.run(migrate, env=env, check=True, stdout=subprocess.DEVNULL)
    seconds, rss = _run(["import", "json", str(backup), "--site", "bench"], env)
    print(f"import json into an empty SQLite instance: {seconds}, peak RSS {rss:.0f} MiB")


if __name__ == "__main__":
    main()

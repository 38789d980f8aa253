"""Moving out and moving up at scale: ``export wxr``, ``backup`` and ``copy`` through the real CLI.

    python bench/moves.py                        # 100,000 comments over 5,000 posts
    python bench/moves.py --comments 20000       # a quicker look
    python bench/moves.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/cb_bench_moves

The instance is filled once by ``import wordpress`` of ``imports.py``'s generated file, then
each step runs as its own ``python -m commentbox`` process, timed from outside, with its own
peak RSS. ``--postgres`` names a database that is dropped and recreated for ``copy``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from imports import ROOT, SECRET, WORK, _run, generate  # type: ignore[import-not-found]
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def _fresh_postgres(url: str) -> None:
    target = make_url(url)
    server = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    server.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--posts", type=int, default=5_000)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/cb_bench_moves")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    source_file = WORK / f"wxr-{args.comments}.xml"
    if not source_file.exists():
        generate(source_file, args.comments, args.posts)
    database = WORK / f"moves-{args.comments}.sqlite3"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COMMENTBOX_SECRET_KEY": SECRET,
           "COMMENTBOX_DATABASE_URL": f"sqlite:///{database}"}  # fmt: skip
    if not database.exists():
        subprocess.run([sys.executable, "-m", "commentbox", "site", "add", "bench", "--origin",
                        "https://bench.example"], env=env, check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        seconds, _ = _run(["import", "wordpress", str(source_file), "--site", "bench"], env)
        print(f"(filled by import wordpress in {seconds})")

    wxr = WORK / "moves-export.xml"
    seconds, rss = _run(["export", "wxr", "--site", "bench", "--output", str(wxr)], env)
    print(f"export wxr: {args.comments:,} comments in {seconds} ({wxr.stat().st_size / 1024**2:.0f} MB), "
          f"peak RSS {rss:.0f} MiB")  # fmt: skip
    copy = WORK / "moves-backup.sqlite3"
    seconds, rss = _run(["backup", str(copy), "--force"], env)
    print(f"backup: {seconds} ({copy.stat().st_size / 1024**2:.0f} MB), peak RSS {rss:.0f} MiB")
    _fresh_postgres(args.postgres)
    seconds, rss = _run(["copy", "--to", args.postgres], env)
    print(f"copy to PostgreSQL: {seconds}, peak RSS {rss:.0f} MiB")


if __name__ == "__main__":
    main()

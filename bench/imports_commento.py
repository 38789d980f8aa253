"""A generated Commento export through the real CLI: the JSON formats' streaming, at scale (issue 12).

    python bench/imports_commento.py                      # 100,000 comments over 5,000 pages
    python bench/imports_commento.py --comments 20000     # a quicker look

Commento writes one JSON document (``{"version": 1, "comments": […], "commenters": […]}``,
commenters last), so this measures what ``jsonstream`` costs: the file read twice as it
streams, memory flat. Same method as ``imports.py`` (each step its own process, timed from
outside, its own peak RSS); prints one line per step.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from imports import ROOT, SECRET, TEXTS, WORK, _run

STATES = ["approved"] * 17 + ["unapproved", "flagged", "approved"]


def generate(path: Path, comments: int, pages: int, seed: int = 12) -> None:
    """A gzip'd Commento v1 export: replies up to 8 deep, 977 commenters, mixed states."""
    rng = random.Random(seed)
    per_page = comments // pages
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.write('{"version": 1, "comments": [')
        first = True
        for page in range(pages):
            ids = [f"{page:06x}{n:058x}" for n in range(per_page)]
            depth: dict[str, int] = {}
            for n, hex_id in enumerate(ids):
                parent = rng.choice(ids[max(0, n - 10) : n]) if n and rng.random() < 0.6 else "root"
                if parent != "root" and depth[parent] >= 8:
                    parent = "root"
                depth[hex_id] = depth.get(parent, 0) + 1
                stamp = time.strftime(
                    "%Y-%m-%dT%H:%M:%SZ", time.gmtime(1_400_000_000 + (page * per_page + n) * 600)
                )
                record = {
                    "commentHex": hex_id, "domain": "bench.example", "url": f"/{page}/",
                    "commenterHex": f"{(page + n) % 977:064x}", "markdown": rng.choice(TEXTS) + f" #{n}",
                    "html": "", "parentHex": parent, "score": rng.randint(0, 3), "state": rng.choice(STATES),
                    "creationDate": stamp, "direction": 0, "deleted": rng.random() < 0.02,
                }  # fmt: skip
                out.write(("" if first else ",") + json.dumps(record, ensure_ascii=False))
                first = False
        people = [
            {"commenterHex": f"{n:064x}", "email": f"guest{n}@example.com", "name": f"Guest {n}",
             "link": "undefined", "photo": "undefined", "provider": "commento"}
            for n in range(977)
        ]  # fmt: skip
        out.write('], "commenters": ' + json.dumps(people) + "}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--pages", type=int, default=5_000)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    export = WORK / f"commento-{args.comments}.json.gz"
    if not export.exists():
        generate(export, args.comments, args.pages)
    database = WORK / "commento.sqlite3"
    for suffix in ("", "-wal", "-shm", ".write-lock"):
        Path(str(database) + suffix).unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COMMENTBOX_SECRET_KEY": SECRET,
           "COMMENTBOX_DATABASE_URL": f"sqlite:///{database}"}  # fmt: skip
    subprocess.run([sys.executable, "-m", "commentbox", "site", "add", "bench", "--origin", "https://bench.example"],
                   env=env, check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    size = export.stat().st_size / 1024**2
    seconds, rss = _run(["import", "commento", str(export), "--site", "bench"], env)
    print(
        f"import commento: {args.comments:,} comments ({size:.0f} MB gzip'd) in {seconds}, peak {rss:.0f} MiB"
    )
    seconds, rss = _run(["import", "commento", str(export), "--site", "bench"], env)
    print(f"import commento again (nothing new): {seconds}, peak RSS {rss:.0f} MiB")
    seconds, rss = _run(["import", "auto", str(export), "--site", "bench", "--dry-run"], env)
    print(f"import auto --dry-run (detect, read, report): {seconds}, peak RSS {rss:.0f} MiB")


if __name__ == "__main__":
    main()

"""Isso 0.14 from PyPI, the reference point the targets are stated against.

Installed into its own virtualenv under bench/.work (never into the project's
environment) and run the way its deployment guide says:
`gunicorn -b HOST:PORT -w N --preload isso.run` with ISSO_SETTINGS. Only the
guard (rate limits: 2 comments a minute per IP) is switched off, for seeding
and for the posting workload — the same concession commentbox gets with
COMMENTBOX_RATE_LIMITS=off. Markdown rendering and sanitizing stay on.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import client
from loadgen import Workload
from procs import Server, Servers, free_port
from seed_data import (
    COUNT_PATHS,
    POST_PATH,
    POST_TEXT,
    SITE_ORIGIN,
    THREAD_PATH,
    THREAD_TITLE,
    CorpusThread,
    thread_comments,
)

ISSO_VERSION = "0.14.0"
GUNICORN_VERSION = "27.0.1"

CONFIG = """\
[general]
dbpath = {dbpath}
host = {origin}
notify = stdout
gravatar = false

[moderation]
enabled = false

[server]
listen = http://127.0.0.1:{port}

[guard]
enabled = false
"""


def ensure_venv(work: Path) -> Path:
    """Create bench/.work/isso-venv with pinned Isso + gunicorn; return its bin dir.

    A marker file records the pinned versions so later runs skip the install
    (misaka compiles a C extension, which takes a while on 2 cores).
    """
    venv = work / "isso-venv"
    bin_dir = venv / "bin"
    marker = venv / ".bench-installed"
    wanted = f"isso=={ISSO_VERSION} gunicorn=={GUNICORN_VERSION}"
    if marker.exists() and marker.read_text() == wanted:
        return bin_dir
    print(f"  installing {wanted} into {venv} ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    log = work / "logs" / "isso-install.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        done = subprocess.run(
            [str(bin_dir / "pip"), "install", *wanted.split()],
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"installing Isso failed, see {log}")
    marker.write_text(wanted)
    return bin_dir


def db_path(work: Path) -> Path:
    """Isso's SQLite database for this run."""
    return work / "isso" / "comments.db"


def start(servers: Servers, work: Path, workers: int = 2) -> Server:
    """Start Isso on a fresh SQLite file and wait until it answers."""
    bin_dir = ensure_venv(work)
    dbpath = db_path(work)
    isso_dir = dbpath.parent
    isso_dir.mkdir(parents=True, exist_ok=True)
    for leftover in isso_dir.glob("comments.db*"):
        leftover.unlink()
    port = free_port()
    cfg = isso_dir / "isso.cfg"
    cfg.write_text(CONFIG.format(dbpath=dbpath, origin=SITE_ORIGIN, port=port))
    server = servers.start(
        "isso",
        [
            str(bin_dir / "gunicorn"),
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--preload",
            "isso.run",
        ],
        port=port,
        env={"ISSO_SETTINGS": str(cfg)},
        cwd=isso_dir,
    )
    server.wait_ready("/config")
    return server


def _post(
    server: Server, path: str, text: str, author: str, email: str, parent: int | None, title: str
) -> int:
    """Post one comment through Isso's API and return its id."""
    reply = client.request(
        "POST",
        f"{server.base}/new?uri={path}",
        {"text": text, "author": author, "email": email, "parent": parent, "title": title},
    )
    return int(client.expect(reply, (201, 202), "isso POST /new").json()["id"])


def seed(server: Server) -> None:
    """The 100-comment thread, through Isso's HTTP API."""
    ids: list[int] = []
    for comment in thread_comments():
        parent = None if comment.parent is None else ids[comment.parent]
        ids.append(
            _post(
                server,
                THREAD_PATH,
                comment.text,
                comment.author,
                comment.email,
                parent,
                THREAD_TITLE,
            )
        )


def load_corpus(dbpath: Path, threads: Sequence[CorpusThread]) -> None:
    """Bulk-insert the archive into Isso's own SQLite tables, as Isso would have written it.

    The rows are clones of the comments Isso stored for the seeded thread (raw
    Markdown, as Isso keeps it and renders on every read; its voters
    Bloom filter; mode 1 = published), with only the thread, id, parent and
    timestamps changed. Columns come from the table itself, not from a list
    here. Isso opens a new connection per query and caches no rows, so loading
    next to the running server is safe.
    """
    conn = sqlite3.connect(dbpath, isolation_level=None)
    try:
        cursor = conn.execute(
            "SELECT comments.* FROM comments JOIN threads ON threads.id = comments.tid "
            "WHERE threads.uri = ? ORDER BY comments.id",
            (THREAD_PATH,),
        )
        names = [d[0] for d in cursor.description]
        templates = [dict(zip(names, row, strict=True)) for row in cursor]
        if not templates:
            raise RuntimeError("the seeded Isso thread is missing; seed it first")
        cols = [c for c in names if c != "id"]
        base = min(r["created"] for r in templates) - 86400 * 365 * 3
        insert = f"INSERT INTO comments ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})"  # noqa: S608
        conn.execute("BEGIN IMMEDIATE")
        for i, spec in enumerate(threads):
            new = conn.execute("INSERT INTO threads (uri, title) VALUES (?, ?)", (spec.path, spec.title))
            tid = new.lastrowid
            rows = []
            for j in range(spec.comments):
                row = dict(templates[(i + j) % len(templates)])
                row.update(tid=tid, parent=None, created=base + i * 300 + j * 7, modified=None, mode=1)
                rows.append(tuple(row[c] for c in cols))
            conn.executemany(insert, rows)
        conn.execute("COMMIT")
    finally:
        conn.close()


def counts(server: Server) -> list[int]:
    """What Isso answers to the counts workload's request."""
    reply = client.request("POST", f"{server.base}/count", COUNT_PATHS)
    return [int(n) for n in client.expect(reply, (200,), "isso POST /count").json()]


def thread_body_size(server: Server) -> int:
    """Bytes of Isso's answer for the big thread (reported next to the others)."""
    reply = client.expect(client.request("GET", f"{server.base}/?uri={THREAD_PATH}"), (200,), "isso GET /")
    return len(reply.body)


def workloads() -> dict[str, Workload]:
    """Isso's requests for each workload, keyed like the commentbox ones."""
    json_headers = {"Content-Type": "application/json", "Origin": SITE_ORIGIN}
    post_body = json.dumps(
        {
            "text": POST_TEXT,
            "author": "Bench Guest",
            "email": "guest@example.com",
            "title": "Post bench",
        }
    )
    return {
        "thread read (JSON)": Workload("GET", f"/?uri={THREAD_PATH}", {}),
        "counts, 10 URLs": Workload("POST", "/count", json_headers, json.dumps(COUNT_PATHS)),
        "post a guest comment": Workload("POST", f"/new?uri={POST_PATH}", json_headers, post_body),
    }

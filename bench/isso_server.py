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
import subprocess
import sys
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
    count_thread_comments,
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


def start(servers: Servers, work: Path, workers: int = 2) -> Server:
    """Start Isso on a fresh SQLite file and wait until it answers."""
    bin_dir = ensure_venv(work)
    isso_dir = work / "isso"
    isso_dir.mkdir(parents=True, exist_ok=True)
    dbpath = isso_dir / "comments.db"
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
    """The 100-comment thread and the ten count threads, through Isso's HTTP API."""
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
    for path, comments in count_thread_comments().items():
        for comment in comments:
            _post(server, path, comment.text, comment.author, comment.email, None, path)


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

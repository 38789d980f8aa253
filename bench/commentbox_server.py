"""commentbox itself, started from this checkout exactly as a site owner would.

`python -m commentbox` runs with PYTHONPATH at the repository root, so the
benchmark measures the code in this working tree even when another copy of the
package is installed. Rate limits are switched off (COMMENTBOX_RATE_LIMITS=off)
so that seeding and the posting workload are not refused; sanitizing,
rendering and every other write-path rule stay on. Where the site config hands
out a `form_token` (the spam layer's proof that a form was shown some seconds
before the post), every post carries one, fetched and aged as the widget
would: the check runs on every benchmark post instead of being switched off.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import client
from loadgen import Workload
from procs import Server, Servers, free_port
from seed_data import (
    COUNT_PATHS,
    POST_PATH,
    POST_TEXT,
    SITE_ID,
    SITE_ORIGIN,
    THREAD_PATH,
    THREAD_TITLE,
    thread_comments,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DB_NAME = "cb_bench"


@dataclass
class Commentbox:
    """How to run commentbox's CLI against the benchmark database."""

    kind: str
    database_url: str
    home: Path
    source: Path = REPO_ROOT

    def env(self, port: int | None = None) -> dict[str, str]:
        """Environment for every commentbox process of this run."""
        env = {
            "COMMENTBOX_DATABASE_URL": self.database_url,
            "COMMENTBOX_RATE_LIMITS": "off",
            # Fixed, so that all workers (and restarts) agree on signatures.
            "COMMENTBOX_SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789",
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(self.source), os.environ.get("PYTHONPATH", "")) if p
            ),
        }
        if port is not None:
            env["COMMENTBOX_PUBLIC_URL"] = f"http://127.0.0.1:{port}"
        return env

    def cli(self, *args: str) -> str:
        """Run `commentbox ARGS` to completion and return its output."""
        proc = subprocess.run(
            [sys.executable, "-m", "commentbox", *args],
            env={**os.environ, **self.env()},
            cwd=self.home,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(
                f"commentbox {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
            )
        return proc.stdout


def sqlite_path(home: Path) -> Path:
    """Where the SQLite run keeps its database."""
    return home / "commentbox.sqlite3"


def prepare(db: str, work: Path, source: Path = REPO_ROOT) -> Commentbox:
    """A fresh, empty database of kind `db` ('sqlite' or 'postgres').

    `source` is the checkout whose `commentbox` package is measured (default:
    this one), so two branches can be compared with the same harness.
    """
    home = work / "commentbox"
    home.mkdir(parents=True, exist_ok=True)
    if db == "sqlite":
        path = sqlite_path(home)
        for leftover in home.glob(path.name + "*"):
            leftover.unlink()
        url = f"sqlite:///{path}"
    elif db == "postgres":
        import psycopg  # only needed for this engine (the `postgres` extra)

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB_NAME} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {PG_DB_NAME}")
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_DB_NAME}"
    else:
        raise ValueError(f"unknown database kind {db!r}")
    return Commentbox(kind=db, database_url=url, home=home, source=source)


def clone(cb: Commentbox, suffix: str) -> Commentbox:
    """A copy of `cb`'s database (server stopped), for the large-database scenario.

    Keeping the small database next to the large one lets the two be measured
    in alternation, so machine noise hits both sides of the ratio alike.
    """
    if cb.kind == "sqlite":
        src = sqlite_path(cb.home)
        dst = src.with_name(f"{src.stem}-{suffix}{src.suffix}")
        for leftover in cb.home.glob(dst.name + "*"):
            leftover.unlink()
        for part in ("", "-wal", "-shm"):
            if Path(f"{src}{part}").exists():
                shutil.copyfile(f"{src}{part}", f"{dst}{part}")
        url = f"sqlite:///{dst}"
    else:
        import psycopg

        name = f"{PG_DB_NAME}_{suffix}"
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name} TEMPLATE {PG_DB_NAME}")
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    return Commentbox(kind=cb.kind, database_url=url, home=cb.home, source=cb.source)


def setup_site(cb: Commentbox) -> None:
    """Create the schema and register the benchmark site and its origin."""
    cb.cli("migrate")
    cb.cli("site", "add", SITE_ID, "--origin", SITE_ORIGIN, "--moderation", "none")


def start(servers: Servers, cb: Commentbox, workers: int = 2, name: str = "commentbox") -> Server:
    """`commentbox serve` with 2 workers; waits for /healthz."""
    port = free_port()
    server = servers.start(
        name,
        [
            sys.executable,
            "-m",
            "commentbox",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        port=port,
        env=cb.env(port),
        cwd=cb.home,
    )
    server.wait_ready("/healthz")
    return server


def page_url(path: str) -> str:
    """The full page URL commentbox keys threads by."""
    return SITE_ORIGIN + path


def _q(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def form_fields(server: Server) -> dict[str, str]:
    """Extra fields every post needs, taken from the site config as the widget does.

    Versions with a form token return one together with the minimum age a post
    must respect; this waits that long once, after which the token serves every
    post of the run. Versions without one get an empty dict (their API refuses
    unknown fields).
    """
    reply = client.request("GET", f"{server.base}/api/v1/sites/{SITE_ID}/config")
    config = client.expect(reply, (200,), "commentbox GET site config").json()
    token = config.get("form_token")
    if not token:
        return {}
    time.sleep(float((config.get("limits") or {}).get("min_post_seconds", 3)) + 0.5)
    return {"form_token": token}


def _post(
    server: Server, form: dict[str, str], path: str, title: str, text: str, name: str, email: str, parent: Any
) -> Any:
    payload: dict[str, Any] = {
        **form,
        "site": SITE_ID,
        "url": page_url(path),
        "title": title,
        "body": text,
        "author": {"name": name, "email": email},
    }
    if parent is not None:
        payload["parent"] = parent
    reply = client.request("POST", f"{server.base}/api/v1/comments", payload, {"Origin": SITE_ORIGIN})
    return client.expect(reply, (201, 202), "commentbox POST /api/v1/comments").json()["id"]


def seed(server: Server, form: dict[str, str]) -> None:
    """The 100-comment thread, the same as Isso gets, through commentbox's public API."""
    ids: list[Any] = []
    for c in thread_comments():
        parent = None if c.parent is None else ids[c.parent]
        ids.append(_post(server, form, THREAD_PATH, THREAD_TITLE, c.text, c.author, c.email, parent))


def thread_query() -> str:
    """Query string of the big thread's reads."""
    return f"site={SITE_ID}&url={_q(page_url(THREAD_PATH))}"


@dataclass(frozen=True)
class ThreadProbe:
    """What the real thread responses look like (sizes feed the ceiling app)."""

    json_bytes: int
    embed_bytes: int | None
    comments_returned: int
    api_path: str


def count_comments(items: list[dict[str, Any]]) -> int:
    """Comments in a response, counting nested `replies` lists too."""
    return sum(1 + count_comments(c.get("replies") or []) for c in items)


def probe(server: Server) -> ThreadProbe:
    """Fetch the big thread once as JSON and as the embed fragment.

    If the API's default page holds fewer than all 100 comments, `limit=100` is
    added so every system is measured on the full thread.
    """
    api_path = f"/api/v1/threads?{thread_query()}"
    data = client.expect(client.request("GET", server.base + api_path), (200,), "commentbox GET threads")
    if count_comments(data.json().get("comments", [])) < 100 and data.json().get("next"):
        api_path += "&limit=100"
        data = client.expect(client.request("GET", server.base + api_path), (200,), "commentbox GET threads")
    returned = count_comments(data.json().get("comments", []))
    embed = client.request("GET", f"{server.base}/embed/thread?{thread_query()}")
    if embed.status == 404:
        embed_bytes = None  # not served by this version: the workload is skipped
    else:
        embed_bytes = len(client.expect(embed, (200,), "commentbox GET /embed/thread").body)
    return ThreadProbe(len(data.body), embed_bytes, returned, api_path)


def counts_path() -> str:
    """The counts workload's request: the ten front-page URLs."""
    urls = "&".join(f"url={_q(page_url(p))}" for p in COUNT_PATHS)
    return f"/api/v1/counts?site={SITE_ID}&{urls}"


def counts(server: Server) -> list[int]:
    """What commentbox answers to the counts workload's request, in COUNT_PATHS order."""
    reply = client.expect(client.request("GET", server.base + counts_path()), (200,), "commentbox GET counts")
    got = reply.json()["counts"]
    return [int(got.get(page_url(p), -1)) for p in COUNT_PATHS]


def workloads(probe: ThreadProbe, form: dict[str, str]) -> dict[str, Workload]:
    """commentbox's requests for each workload (embed only where it is served)."""
    post_body = json.dumps(
        {
            **form,
            "site": SITE_ID,
            "url": page_url(POST_PATH),
            "title": "Post bench",
            "body": POST_TEXT,
            "author": {"name": "Bench Guest", "email": "guest@example.com"},
        }
    )
    loads = {"thread read (JSON)": Workload("GET", probe.api_path, {})}
    if probe.embed_bytes is not None:
        loads["thread read (embed HTML)"] = Workload("GET", f"/embed/thread?{thread_query()}", {})
    return loads | {
        "counts, 10 URLs": Workload("GET", counts_path(), {}),
        "post a guest comment": Workload(
            "POST",
            "/api/v1/comments",
            {"Content-Type": "application/json", "Origin": SITE_ORIGIN},
            post_body,
        ),
    }

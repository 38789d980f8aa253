"""Several real instances on one database, and instances that die: nothing that matters
lives in an instance.

Each instance is a ``commentbox serve`` process (``tests/instances.py``). Sharing one
database between machines needs PostgreSQL (those tests are marked ``postgres``); the
``kill -9`` story runs on whichever engine the suite runs on, so CI covers both.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.conftest import required_or_skip
from tests.instances import Instance
from tests.signin import PROVIDERS, SignIn, provider_settings
from tests.support import ARTICLE, BLOG, comment_payload

THREAD = {"site": "blog", "url": ARTICLE}


@pytest.fixture
def postgres_url(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        required_or_skip("needs PostgreSQL: set COMMENTBOX_TEST_DATABASE_URL (several instances share it)")
    return database_url


@pytest.fixture
def pair(postgres_url: str, blog: Any, tmp_path: Path) -> Iterator[tuple[Instance, Instance]]:
    """Two instances on one PostgreSQL, each with its own caches."""
    with (
        Instance(postgres_url, tmp_path, name="a") as first,
        Instance(postgres_url, tmp_path, name="b", workers=2) as second,
    ):
        yield first, second


def _post(instance: Instance, **changes: Any) -> httpx.Response:
    return httpx.post(
        f"{instance.url}/api/v1/comments",
        json=comment_payload(**changes),
        headers={"Origin": BLOG},
        timeout=10,
    )


@pytest.mark.postgres
def test_a_post_through_one_instance_is_read_at_once_through_the_other(pair):
    first, second = pair
    seen_tags = set()
    for n in range(12):
        writer, reader = (first, second) if n % 2 == 0 else (second, first)
        before = httpx.get(f"{reader.url}/api/v1/threads", params=THREAD)
        posted = _post(writer, body=f"comment number {n} from {writer.port}")
        assert posted.status_code == 201, posted.text
        after = httpx.get(f"{reader.url}/api/v1/threads", params=THREAD)
        ids = [c["id"] for c in after.json()["comments"]]
        assert posted.json()["id"] in ids
        assert after.json()["thread"]["count"] == n + 1
        assert after.headers["etag"] != before.headers["etag"]
        seen_tags.add(after.headers["etag"])
        stale = httpx.get(
            f"{reader.url}/api/v1/threads", params=THREAD, headers={"If-None-Match": before.headers["etag"]}
        )
        assert stale.status_code == 200
        counts = httpx.get(f"{reader.url}/api/v1/counts", params={"site": "blog", "url": ARTICLE})
        assert counts.json() == {"counts": {ARTICLE: n + 1}}
        fragment = httpx.get(f"{reader.url}/embed/thread", params=THREAD)
        assert fragment.status_code == 200 and f"comment number {n} from" in fragment.text
    assert len(seen_tags) == 12
    same = {httpx.get(f"{i.url}/api/v1/threads", params=THREAD).headers["etag"] for i in pair}
    assert len(same) == 1


@pytest.mark.postgres
def test_a_sign_in_started_on_one_instance_finishes_and_works_on_the_other(
    postgres_url, blog, tmp_path, fake_google, fake_twitter, fake_facebook
):
    """Behind a load balancer the popup's requests land on any instance: the login id, the
    OAuth state and the session all live in the database."""
    public = {"COMMENTBOX_PUBLIC_URL": "http://127.0.0.1:1"}  # both behind one address
    settings = provider_settings(fake_google, fake_twitter, fake_facebook)
    as_env = {k: json.dumps(v) if isinstance(v, list) else str(v) for k, v in settings.items()}  # lists: JSON
    env = {**public, **{f"COMMENTBOX_{k.upper()}": v for k, v in as_env.items()}}
    with (
        Instance(postgres_url, tmp_path, name="a", env=env) as first,
        Instance(postgres_url, tmp_path, name="b", env=env) as second,
        httpx.Client(base_url=first.url, timeout=10) as browser_a,
        httpx.Client(base_url=second.url, timeout=10) as browser_b,
    ):
        fakes = {"google": fake_google, "twitter": fake_twitter, "facebook": fake_facebook}
        for provider in PROVIDERS:
            signin = SignIn(browser_a, fakes[provider], provider)
            assert signin.start().status_code == 303
            callback = signin.consent()
            browser_b.cookies = browser_a.cookies  # same site for the browser: the cookie goes along
            page = signin.callback(callback.replace("http://127.0.0.1:1", second.url))
            assert page.status_code == 200, page.text
            token = signin.redeem().json()["token"]
            bearer = {"Authorization": f"Bearer {token}", "Origin": BLOG}
            me = browser_b.get("/api/v1/me", headers=bearer)
            assert me.status_code == 200 and me.json()["provider"] == provider
            posted = browser_b.post("/api/v1/comments", json=comment_payload(author=None), headers=bearer)
            assert posted.status_code == 201, posted.text
            assert posted.json()["author"]["provider"] == provider
            assert browser_a.post("/auth/logout", headers=bearer).status_code == 204
            assert browser_b.get("/api/v1/me", headers=bearer).status_code == 401


def _stream_posts(instance: Instance, stop: threading.Event, acked: dict[int, str], worker: int) -> None:
    """Post unique comments until ``stop``; remember each one the server acknowledged."""
    with httpx.Client(base_url=instance.url, timeout=5) as client:
        n = 0
        while not stop.is_set():
            n += 1
            body = f"post {worker}-{n} before the crash"
            try:
                response = client.post(
                    "/api/v1/comments", json=comment_payload(body=body), headers={"Origin": BLOG}
                )
            except httpx.TransportError:
                continue  # the instance is gone (or going): this post was never acknowledged
            if 200 <= response.status_code < 300:
                acked[response.json()["id"]] = body


def test_kill_9_during_a_stream_of_posts_loses_no_acknowledged_post(database_url, blog, ctx, tmp_path):
    instance = Instance(database_url, tmp_path, workers=2).start()
    acked: dict[int, str] = {}
    stop = threading.Event()
    posters = [
        threading.Thread(target=_stream_posts, args=(instance, stop, acked, w), daemon=True) for w in range(6)
    ]
    try:
        for poster in posters:
            poster.start()
        deadline = time.monotonic() + 20
        while len(acked) < 60 and time.monotonic() < deadline:
            time.sleep(0.05)
        instance.kill()  # mid-stream: requests are in flight
    finally:
        stop.set()
        for poster in posters:
            poster.join(timeout=10)
        instance.stop()
    assert len(acked) >= 60, f"only {len(acked)} posts were acknowledged:\n{instance.log.read_text()}"

    with ctx.db.engine.connect() as connection:
        stored = dict(connection.execute(text("SELECT id, body FROM comment")).all())
    missing = {i: body for i, body in acked.items() if stored.get(i) != body}
    assert not missing, f"{len(missing)} acknowledged posts are not in the database"
    if ctx.db.engine.dialect.name == "sqlite":  # the file itself survived the kill intact
        with ctx.db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"

    with Instance(database_url, tmp_path, name="restarted") as restarted:
        page = httpx.get(f"{restarted.url}/api/v1/threads", params={**THREAD, "limit": "500"}).json()
        assert page["thread"]["count"] == len(stored)
        assert set(acked) <= {c["id"] for c in page["comments"]}
        assert _post(restarted).status_code == 201


def _sample(scrape: str, route: str) -> float:
    """Successful requests to ``route`` in a scrape (Prometheus text format)."""
    labels = rf'[^}}]*route="{re.escape(route)}"[^}}]*status="200"[^}}]*'
    return sum(float(v) for v in re.findall(rf"commentbox_http_requests_total\{{{labels}\}} (\S+)", scrape))


def test_metrics_of_all_workers_add_up(database_url, blog, tmp_path):
    env = {"COMMENTBOX_METRICS_TOKEN": "a-scrape-token-for-tests"}
    with Instance(database_url, tmp_path, workers=2, env=env) as instance:
        for _ in range(40):  # new connections: the kernel spreads them over both workers
            assert httpx.get(f"{instance.url}/api/v1/threads", params=THREAD).status_code == 200
        headers = {"Authorization": "Bearer a-scrape-token-for-tests"}
        scrapes = [httpx.get(f"{instance.url}/metrics", headers=headers).text for _ in range(4)]
    assert [_sample(s, "/api/v1/threads") for s in scrapes] == [40.0] * 4


@pytest.mark.postgres
def test_rate_limits_are_shared_between_instances_through_redis(postgres_url, blog, tmp_path, redis_url):
    env = {"COMMENTBOX_REDIS_URL": redis_url, "COMMENTBOX_RATE_LIMITS": "3/minute"}
    with (
        Instance(postgres_url, tmp_path, name="a", env=env) as first,
        Instance(postgres_url, tmp_path, name="b", env=env) as second,
    ):
        for n, instance in enumerate((first, second, first)):
            posted = _post(instance, body=f"within the budget {n}")
            assert posted.status_code == 201, posted.text
        refused = _post(second, body="one too many, on the other instance")
        assert refused.status_code == 429
        assert refused.headers["content-type"] == "application/problem+json"
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        page = httpx.get(f"{first.url}/api/v1/threads", params=THREAD).json()
        assert page["thread"]["count"] == 3  # nothing of the refused post was stored


def _traffic(instance: Instance, stop: threading.Event, answers: list[httpx.Response], worker: int) -> None:
    """Posts and reads until ``stop``, keeping every answer (a hung request fails the test)."""
    with httpx.Client(base_url=instance.url, timeout=15) as client:
        n = 0
        while not stop.is_set():
            n += 1
            answers.append(
                client.post(
                    "/api/v1/comments",
                    json=comment_payload(body=f"post {worker}-{n} through the cut"),
                    headers={"Origin": BLOG},
                )
            )
            answers.append(client.get("/api/v1/threads", params={**THREAD, "limit": "5"}))


def _cut_every_connection(ctx: Any) -> int:
    """What a PostgreSQL restart does to the instance: every server connection to its
    database ends at once (only this database's, so other work on the server goes on)."""
    with ctx.db.engine.connect() as connection:
        cut = connection.exec_driver_sql(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).scalar_one()
    return int(cut)


@pytest.mark.postgres
def test_connections_cut_during_traffic_are_503s_then_the_next_requests_succeed(
    postgres_url, blog, ctx, tmp_path
):
    answers: list[httpx.Response] = []
    stop = threading.Event()
    with Instance(postgres_url, tmp_path, workers=2) as instance:
        workers = [
            threading.Thread(target=_traffic, args=(instance, stop, answers, w), daemon=True)
            for w in range(4)
        ]
        for worker in workers:
            worker.start()
        try:
            while len(answers) < 40:
                time.sleep(0.05)
            for _ in range(3):
                assert _cut_every_connection(ctx) >= 1
                time.sleep(0.3)
        finally:
            stop.set()
            for worker in workers:
                worker.join(timeout=30)
        assert not any(worker.is_alive() for worker in workers), "a request hung"
        failed = [a for a in answers if a.status_code >= 500]
        assert all(a.status_code == 503 and int(a.headers["retry-after"]) >= 1 for a in failed), [
            (a.status_code, a.text) for a in failed
        ]
        assert all(a.status_code in (200, 201, 503) for a in answers)
        # the same instance, not restarted, serves the next requests
        assert _post(instance, body="after the cut").status_code == 201
        assert httpx.get(f"{instance.url}/api/v1/threads", params=THREAD).status_code == 200

"""Operators' endpoints: readiness follows the database, metrics are off or protected."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import SecretStr
from starlette.testclient import TestClient

from commentbox.app import create_app
from commentbox.config import load_settings
from tests.support import ARTICLE, BLOG, TEST_SECRET, comment_payload

THREAD = {"site": "blog", "url": ARTICLE}


def _client(settings: Any, **changes: Any) -> TestClient:
    return TestClient(create_app(settings.model_copy(update=changes)), base_url="http://testserver")


@pytest.fixture
def unreachable(settings: Any, tmp_path: Any) -> Any:
    """Settings whose database cannot be reached (no such folder / nothing listening)."""
    if settings.database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path}/missing-folder/commentbox.sqlite3"
    else:
        url = "postgresql+psycopg://postgres@127.0.0.1:9/commentbox?connect_timeout=2"
    return load_settings(
        database_url=url, secret_key=TEST_SECRET, public_url="http://testserver", secret_file=tmp_path / "s"
    )


def test_ready_when_the_database_answers(client):
    response = client.get("/readyz")
    assert (response.status_code, response.text) == (200, "ready")
    assert response.headers["cache-control"] == "no-store"
    assert client.get("/healthz").status_code == 200


def test_not_ready_and_reads_refused_with_503_when_the_database_is_gone(unreachable):
    with TestClient(create_app(unreachable), base_url="http://testserver") as client:
        assert client.get("/healthz").status_code == 200  # the process itself is fine
        for path, params in (("/readyz", {}), ("/api/v1/threads", THREAD), ("/api/v1/counts", THREAD)):
            response = client.get(path, params=params)
            assert response.status_code == 503, path
            assert response.headers["content-type"] == "application/problem+json"
            assert response.headers["retry-after"].isdigit()
            problem = response.json()
            assert problem["status"] == 503 and "database" in problem["detail"]
            assert "Traceback" not in response.text and "sqlite" not in problem["detail"].lower()


def test_a_database_failure_is_logged_without_what_the_visitor_wrote(unreachable, caplog):
    payload = comment_payload(
        body="a sentence only its author should see", author={"name": "Ada", "email": "ada@private.example"}
    )
    app = create_app(unreachable)
    with TestClient(app, base_url="http://testserver", raise_server_exceptions=False) as client:
        response = client.post("/api/v1/comments", json=payload, headers={"Origin": BLOG})
    assert response.status_code == 503, response.text
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "database unavailable on POST /api/v1/comments" in logged
    assert "only its author" not in logged and "ada@private.example" not in logged


def test_metrics_are_off_by_default(client):
    response = client.get("/metrics")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def _sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus' text format (0 when absent)."""
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.rsplit(" ", 1)[0]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_requests_by_route_template_posts_and_cache_hits(settings):
    with _client(settings, metrics=True) as client:
        client.post("/api/v1/comments", json={}, headers={"Origin": BLOG})  # 422, site unknown yet
        from commentbox.domain import sites

        sites.add_site(client.app.state.ctx.db, "blog", origins=[BLOG])
        posted = client.post("/api/v1/comments", json=comment_payload(), headers={"Origin": BLOG})
        assert posted.status_code == 201
        for _ in range(3):
            assert client.get("/api/v1/threads", params=THREAD).status_code == 200
        client.patch("/api/v1/comments/999999", json={"body": "x"}, headers={"Origin": BLOG})
        client.get('/no/such/"}path', params={"q": "<script>"})

        scrape = client.get("/metrics")
        assert scrape.status_code == 200
        assert scrape.headers["content-type"].startswith("text/plain")
        text = scrape.text

    count = "commentbox_http_requests_total"
    assert _sample(text, count, method="GET", route="/api/v1/threads", status="200") == 3
    assert _sample(text, count, method="POST", route="/api/v1/comments", status="201") == 1
    assert _sample(text, count, method="POST", route="/api/v1/comments", status="422") == 1
    assert _sample(text, count, method="PATCH", route="/api/v1/comments/{comment_id}") == 1
    assert _sample(text, count, method="GET", route="unmatched", status="404") == 1
    latency = "commentbox_http_request_duration_seconds_count"
    assert _sample(text, latency, method="GET", route="/api/v1/threads") == 3
    assert _sample(text, "commentbox_comments_posted_total", status="approved") == 1
    assert _sample(text, "commentbox_thread_cache_lookups_total", result="miss") == 1
    assert _sample(text, "commentbox_thread_cache_lookups_total", result="hit") == 2
    assert "no/such" not in text and "<script>" not in text  # raw paths never become labels


def test_a_metrics_token_protects_the_scrape(settings):
    with _client(settings, metrics_token=SecretStr("scrape-token-0123456789")) as client:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "scrape-token-0123456789"}):
            refused = client.get("/metrics", headers=headers)
            assert refused.status_code == 401
            assert refused.headers["www-authenticate"].startswith("Bearer")
            assert refused.headers["content-type"] == "application/problem+json"
        allowed = client.get("/metrics", headers={"Authorization": "Bearer scrape-token-0123456789"})
        assert allowed.status_code == 200
        assert "commentbox_http_requests_total" in allowed.text
        assert "scrape-token" not in allowed.text


def test_a_blank_metrics_token_in_a_template_leaves_metrics_off(settings, monkeypatch):
    monkeypatch.setenv("COMMENTBOX_METRICS_TOKEN", "")
    blank = load_settings(database_url=settings.database_url, secret_key=TEST_SECRET)
    assert blank.metrics_token is None and not blank.metrics_enabled

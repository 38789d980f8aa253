"""Storage behaviours: concurrent writers wait instead of failing; client IPs are hashed."""

import hashlib
import hmac
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from commentbox.domain import comments
from commentbox.domain.schemas import CommentCreate
from commentbox.domain.visitors import Visitor
from commentbox.keys import Keys
from commentbox.store import db
from tests.support import BLOG, comment_payload


def test_concurrent_writers_all_succeed(ctx, blog, row_count):
    def post(i):
        data = CommentCreate.model_validate(comment_payload(body=f"comment {i}"))
        return comments.post_comment(ctx.commenting, data, Visitor(ip_hash=f"ip{i}"), BLOG)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(post, range(40)))
    assert len({r.comment.id for r in results}) == 40
    assert row_count("comment") == 40 and row_count("thread") == 1


def test_ip_addresses_are_stored_only_as_keyed_hashes(client, blog, ctx, settings):
    client.post("/api/v1/comments", json=comment_payload(), headers={"Origin": BLOG})
    with ctx.db.engine.connect() as connection:
        dump = "\n".join(str(row) for row in connection.exec_driver_sql("SELECT * FROM comment"))
    assert "testclient" not in dump and "127.0.0.1" not in dump
    # The expectation is made here, not by the function under test: HMAC-SHA256 under a key
    # derived from this instance's secret. An unkeyed hash, or one under another secret
    # (which anyone could recompute for every IPv4 address), is not what is stored.
    ip_key = hmac.new(settings.secret(), b"commentbox.ip-hash", hashlib.sha256).digest()
    keyed = hmac.new(ip_key, b"testclient", hashlib.sha256).hexdigest()[:32]
    assert keyed in dump
    assert hashlib.sha256(b"testclient").hexdigest()[:32] not in dump
    assert Keys(b"another-secret-entirely-0123456789").hash_ip("testclient") not in dump


def test_forwarded_addresses_are_believed_only_from_trusted_proxies(settings, blog):
    from starlette.testclient import TestClient

    from commentbox.app import create_app

    def stored_ip_hash(app_settings, peer, forwarded):
        app = create_app(app_settings)
        with TestClient(app, client=(peer, 50000)) as client:
            headers = {"Origin": BLOG, "X-Forwarded-For": forwarded}
            payload = comment_payload(body=f"via {peer} for {forwarded}")
            assert client.post("/api/v1/comments", json=payload, headers=headers).status_code == 201
            with app.state.ctx.db.engine.connect() as connection:
                return connection.exec_driver_sql("SELECT ip_hash FROM comment ORDER BY id DESC").first()[0]

    hash_ip = Keys(settings.secret()).hash_ip
    # no trusted proxies: the header is ignored, the peer counts
    assert stored_ip_hash(settings, "10.0.0.2", "203.0.113.9") == hash_ip("10.0.0.2")
    behind_proxy = settings.model_copy(update={"trusted_proxies": ["10.0.0.0/8"]})
    # a trusted peer: the right-most hop that is not a trusted proxy is the client
    assert stored_ip_hash(behind_proxy, "10.0.0.2", "198.51.100.7, 203.0.113.9, 10.0.0.3") == hash_ip(
        "203.0.113.9"
    )
    # an untrusted peer cannot spoof its address with the header
    assert stored_ip_hash(behind_proxy, "192.0.2.1", "203.0.113.9") == hash_ip("192.0.2.1")


@pytest.mark.parametrize(("idle_seconds", "survives"), [(0.0, True), (3600.0, False)])
def test_a_pooled_postgres_connection_cut_while_idle_is_replaced_unseen(
    database_url, monkeypatch, idle_seconds, survives
):
    """No ping on every checkout (a round trip per request), yet a connection the server cut
    while it sat in the pool is replaced before use; without the idle check the query fails."""
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's pool only: SQLite has no server to cut connections")
    monkeypatch.setattr(db, "IDLE_PING_SECONDS", idle_seconds)
    database = db.Database(database_url)
    killer = create_engine(database_url, poolclass=NullPool)
    try:
        with database.engine.connect() as connection:
            pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with killer.connect() as other:
            other.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})")
        if survives:
            with database.engine.connect() as connection:
                assert connection.exec_driver_sql("SELECT 1").scalar() == 1
        else:
            with pytest.raises(OperationalError), database.engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
    finally:
        database.dispose()
        killer.dispose()

"""Keeping less (``domain/retention.py``): what each sweep forgets, per site, and the job that
runs it with the app."""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import bindparam, text
from sqlmodel.sql.sqltypes import UTCDateTime
from starlette.testclient import TestClient

from commentbox.app import create_app
from commentbox.domain import comments, retention, sites
from commentbox.domain.visitors import Visitor
from commentbox.store.models import OutboxMail, utcnow
from tests.admin_support import csrf_of
from tests.support import ARTICLE, comment_payload
from tests.test_erasure import bearer, post, rows, sign_in, subscribe
from tests.test_my_data import ada  # noqa: F401 (fixture)

SHOP = "https://shop.example"


def age(ctx: Any, table: str, days: int, where: str = "1 = 1") -> None:
    """Make rows look ``days`` old (the sweep compares creation times)."""
    then = utcnow() - timedelta(days=days)
    with ctx.db.write() as session:
        statement = text(f"UPDATE {table} SET created = :then WHERE {where}")  # noqa: S608
        session.connection().execute(
            statement.bindparams(bindparam("then", type_=UTCDateTime())), {"then": then}
        )


def sweep(ctx: Any) -> retention.Swept:
    return retention.sweep(ctx.db, ctx.settings.sent_mail_days)


def test_ip_hashes_go_after_the_sites_period_and_guest_votes_lose_their_address(client, ctx, blog, ada):  # noqa: F811
    old = post(client, body="old words")
    new = post(client, body="new words", author={"name": "Bo", "email": "bo@example.com"})
    comments.vote(ctx.commenting, new["id"], 1, Visitor(ip_hash="another-address"), None)  # a guest's vote
    client.post(f"/api/v1/comments/{old['id']}/vote", json={"value": 1}, headers=bearer(ada))
    age(ctx, "comment", 31, f"id = {old['id']}")
    age(ctx, "vote", 31)

    swept = sweep(ctx)

    assert (swept.ip_hashes, swept.vote_keys) == (1, 1)
    hashes = dict(rows(ctx, "SELECT id, ip_hash FROM comment"))
    assert hashes[old["id"]] is None and hashes[new["id"]]
    voters = sorted(v for (v,) in rows(ctx, "SELECT voter FROM vote"))
    assert voters[0].startswith("u:") and voters[1].startswith("x:") and len(voters[1]) > 10
    assert dict(rows(ctx, "SELECT id, score FROM comment")) == {old["id"]: 1, new["id"]: 1}  # still counted
    assert sweep(ctx) == retention.Swept()  # nothing left the second time


def test_each_site_keeps_for_its_own_period(client, ctx, make_site):
    make_site()
    make_site("shop", origins=(SHOP,), ip_hash_days=400)
    post(client, body="on the blog")
    shop = client.post(
        "/api/v1/comments",
        json=comment_payload(site="shop", url=f"{SHOP}/p", body="on the shop"),
        headers={"Origin": SHOP},
    )
    assert shop.status_code == 201
    age(ctx, "comment", 100)
    assert sweep(ctx).ip_hashes == 1
    assert rows(ctx, "SELECT body FROM comment WHERE ip_hash IS NOT NULL") == [("on the shop",)]


def test_guest_emails_go_only_where_the_site_says_and_nobody_subscribed(client, ctx, make_site):
    make_site()
    kept_forever = post(client, body="default: kept")
    age(ctx, "comment", 1000)
    assert sweep(ctx).guest_emails == 0
    assert rows(ctx, "SELECT author_email FROM comment") == [("ada@example.com",)]

    sites.update_site(ctx.db, "blog", guest_email_days=90)
    subscribed = post(client, body="wants replies", author={"name": "Bo", "email": "bo@example.com"})
    subscribe(ctx, subscribed["id"], "bo@example.com")
    recent = post(client, body="recent", author={"name": "Cy", "email": "cy@example.com"})
    age(ctx, "comment", 91, f"id != {recent['id']}")
    etag = client.get("/api/v1/threads", params={"site": "blog", "url": ARTICLE}).headers["etag"]

    assert sweep(ctx).guest_emails == 1

    emails = dict(rows(ctx, "SELECT id, author_email FROM comment"))
    assert emails == {
        kept_forever["id"]: None,
        subscribed["id"]: "bo@example.com",
        recent["id"]: "cy@example.com",
    }
    assert client.get("/api/v1/threads", params={"site": "blog", "url": ARTICLE}).headers["etag"] != etag


def test_ended_sessions_and_old_sent_mail_are_purged(ctx, blog, ada):  # noqa: F811
    gone = sign_in(ctx, "g-bob", "Bob")
    with ctx.db.write() as session:
        bob = session.connection().execute(text('SELECT max(id) FROM "user"')).scalar_one()
        session.connection().execute(
            text("UPDATE user_session SET revoked = created WHERE user_id = :u"), {"u": bob}
        )
        for sent in (True, False):
            session.add(
                OutboxMail(
                    recipient="r@example.com",
                    subject="s",
                    text="t",
                    html="h",
                    sent=utcnow() if sent else None,
                )
            )
    age(ctx, "outbox_mail", 31)
    swept = sweep(ctx)
    assert (swept.sessions, swept.sent_mail) == (1, 1)
    assert rows(ctx, "SELECT sent FROM outbox_mail") == [(None,)]  # unsent mail waits for its sender
    assert rows(ctx, "SELECT count(*) FROM user_session")[0][0] == 1
    assert gone


def test_the_job_runs_with_the_app_and_logs_what_it_forgot(settings, blog, caplog):
    # The site lives in the fixture's database; an old comment waits there for the job.
    app = create_app(settings.model_copy(update={"retention_sweep_minutes": 1}))
    ctx = app.state.ctx
    with TestClient(app) as first:
        post(first, body="old words")
    age(ctx, "comment", 31)
    caplog.set_level(logging.INFO, logger="commentbox.domain.retention")
    with TestClient(app):
        deadline = time.monotonic() + 30
        while rows(ctx, "SELECT ip_hash FROM comment") != [(None,)] and time.monotonic() < deadline:
            time.sleep(0.05)
    assert rows(ctx, "SELECT ip_hash FROM comment") == [(None,)]
    assert any("retention sweep forgot ip_hashes=1" in r.getMessage() for r in caplog.records)
    ctx.db.dispose()


@pytest.mark.parametrize(
    ("field", "value"),
    [("ip_hash_days", "0"), ("ip_hash_days", "40000"), ("guest_email_days", "-1"), ("ip_hash_days", "x")],
)
def test_an_owner_sets_the_periods_and_nonsense_is_refused(admin_client, ctx, field, value):
    page = admin_client.get("/admin/sites/blog")
    form = {
        "csrf": csrf_of(page.text),
        "moderation": "none",
        "notify_moderators": "pending",
        "max_links": "3",
        "min_post_seconds": "3",
        "ip_hash_days": "7",
        "guest_email_days": "365",
    }
    assert admin_client.post("/admin/sites/blog", data=form, follow_redirects=False).status_code == 303
    site = sites.load_site(ctx.db, "blog")
    assert (site.ip_hash_days, site.guest_email_days) == (7, 365)
    refused = admin_client.post("/admin/sites/blog", data={**form, field: value}, follow_redirects=False)
    assert refused.status_code == 422
    assert (
        sites.load_site(ctx.db, "blog").ip_hash_days,
        sites.load_site(ctx.db, "blog").guest_email_days,
    ) == (7, 365)


def test_a_large_backlog_goes_in_batches_until_none_is_left(client, ctx, blog, monkeypatch):
    monkeypatch.setattr(retention, "BATCH", 2)  # five rows: batches of 2, 2 and 1
    for n in range(5):
        post(client, body=f"old words {n}")
    age(ctx, "comment", 31)
    assert sweep(ctx).ip_hashes == 5
    assert rows(ctx, "SELECT count(*) FROM comment WHERE ip_hash IS NOT NULL") == [(0,)]

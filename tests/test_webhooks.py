"""Signed webhooks: what a site owner's receiver gets, when, and what it never gets."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import col, select
from starlette.testclient import TestClient

from commentbox.admin import actions as mod
from commentbox.app import create_app
from commentbox.domain import sites
from commentbox.errors import Conflict, InvalidInput, NotFound
from commentbox.outbound.fetch import NOT_ALLOWED, TOO_SLOW
from commentbox.store.models import Comment, ModerationMode, WebhookDelivery
from commentbox.webhooks import endpoints
from commentbox.webhooks.events import WebhookEvent
from commentbox.webhooks.sender import DISABLED, KEEP_DAYS, RETRY_SECONDS, WebhookSender
from commentbox.webhooks.signing import signed_headers
from tests.support import ARTICLE, BLOG, comment_payload, in_own_loop

ALL_EVENTS = [e.value for e in WebhookEvent]
EVERYWHERE = mod.Moderator("root", None, None)
THREAD_URL = ARTICLE.rstrip("/")  # the thread's canonical URL, as the thread stores it


@pytest.fixture
def hook_settings(settings):
    """Fakes on 127.0.0.1 are reachable only when allow-listed; a hanging receiver gives up soon."""
    return settings.model_copy(update={"outbound_allow_hosts": ["127.0.0.1"], "webhook_timeout": 1.0})


@pytest.fixture
def hook_app(hook_settings):
    app = create_app(hook_settings)
    yield app
    app.state.ctx.db.dispose()


@pytest.fixture
def hctx(hook_app):
    return hook_app.state.ctx


@pytest.fixture
def hclient(hook_app):
    with TestClient(hook_app, base_url="http://testserver") as client:
        yield client


@pytest.fixture
def site(hctx):
    return sites.add_site(hctx.db, "blog", origins=(BLOG,))


def register(ctx, receiver, name="ok", events=ALL_EVENTS, site_id="blog"):
    endpoint = endpoints.add_endpoint(ctx.db, site_id, f"{receiver.url}/hook/{name}", events)
    receiver.secret = endpoint.secret
    return endpoint


def post(client, headers=None, **changes: Any):
    sent = {"Origin": BLOG, **(headers or {})}
    response = client.post("/api/v1/comments", json=comment_payload(**changes), headers=sent)
    assert response.status_code in (201, 202), response.text
    return response.json()


def deliveries(ctx, endpoint_id=None) -> list[WebhookDelivery]:
    query = select(WebhookDelivery).order_by(col(WebhookDelivery.id))
    if endpoint_id is not None:
        query = query.where(WebhookDelivery.endpoint_id == endpoint_id)
    with ctx.db.read() as session:
        return list(session.exec(query).all())


def attempted(ctx, attempts, timeout=15.0) -> WebhookDelivery:
    """The first delivery once it has had ``attempts`` attempts recorded."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = deliveries(ctx)
        if rows and rows[0].attempts >= attempts:
            return rows[0]
        time.sleep(0.02)
    raise AssertionError(f"no delivery reached {attempts} attempts: {deliveries(ctx)}")


def due_now(ctx) -> None:
    """Time travel: the pending retry falls due, and the sender is told."""
    with ctx.db.write() as session:
        session.exec(update(WebhookDelivery).values(next_attempt=datetime.now(UTC) - timedelta(seconds=1)))
    ctx.webhooks.wake()


def test_signatures_match_the_standard_webhooks_published_vector():
    # The vector of the spec's reference libraries: interoperability, not self-consistency.
    at = datetime.fromtimestamp(1614265330, UTC)
    headers = signed_headers(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", b'{"test": 2432232314}', at
    )
    assert headers == {
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "webhook-timestamp": "1614265330",
        "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    }


def test_a_new_comment_reaches_the_receiver_signed_and_without_emails_or_hashes(
    hclient, hctx, site, webhook_receiver
):
    endpoint = register(hctx, webhook_receiver)
    assert endpoint.secret.startswith("whsec_")
    author = {"name": "Ada", "email": "ada@example.com", "website": "https://ada.example"}
    posted = post(hclient, {"X-Commentbox-Client": "ada-browser"}, author=author, body="Hello *hooks*")
    (got,) = webhook_receiver.wait_for(1)
    assert got.verified
    assert got.payload["type"] == "comment.created"
    assert got.payload["data"] == {
        "site": "blog",
        "thread_url": THREAD_URL,
        "comment_id": posted["id"],
        "parent_id": None,
        "author_name": "Ada",
        "html": "<p>Hello <em>hooks</em></p>",
        "status": "approved",
        "created": posted["created"].replace("+00:00", "Z"),
        "edited": None,
    }
    assert got.headers["content-type"] == "application/json"
    assert got.headers["webhook-id"].startswith("msg_")
    with hctx.db.read() as session:
        stored = session.get(Comment, posted["id"])
    for secret in ("ada@example.com", stored.ip_hash, stored.client_hash, "email", "ip_hash"):
        assert secret and secret.encode() not in got.body
    row = attempted(hctx, 1)
    assert (row.attempts, row.last_status, row.last_error, row.failed) == (1, 204, "", False)
    assert row.delivered is not None
    assert row.event_id == got.headers["webhook-id"]


def test_a_forged_or_tampered_delivery_fails_verification(hclient, hctx, site, webhook_receiver):
    register(hctx, webhook_receiver)
    webhook_receiver.secret = "whsec_" + "A" * 43 + "="  # not the endpoint's secret
    post(hclient)
    (got,) = webhook_receiver.wait_for(1)
    assert not got.verified
    row = attempted(hctx, 1)
    assert row.last_status == 401 and row.delivered is None and row.attempts == 1


def test_each_endpoint_hears_only_its_events_through_moderation_edits_and_deletion(
    hclient, hctx, webhook_receiver
):
    sites.add_site(hctx.db, "blog", origins=(BLOG,), moderation=ModerationMode.ALL)
    register(hctx, webhook_receiver, events=["comment.approved", "comment.edited", "comment.deleted"])
    held = post(hclient, body="wait for me")
    assert deliveries(hctx) == []  # created: not subscribed
    assert mod.apply(hctx.moderation, EVERYWHERE, [held["id"]], mod.Action.APPROVE) == 1
    edit = hclient.patch(
        f"/api/v1/comments/{held['id']}",
        json={"body": "edited *text*"},
        headers={"Origin": BLOG, "X-Edit-Token": held["edit_token"]},
    )
    assert edit.status_code == 200, edit.text
    gone = hclient.delete(
        f"/api/v1/comments/{held['id']}", headers={"Origin": BLOG, "X-Edit-Token": held["edit_token"]}
    )
    assert gone.status_code == 204, gone.text
    got = webhook_receiver.wait_for(3)
    by_type = {r.payload["type"]: r.payload["data"] for r in got}
    assert sorted(by_type) == ["comment.approved", "comment.deleted", "comment.edited"]
    assert by_type["comment.approved"]["status"] == "approved"
    assert by_type["comment.edited"]["html"] == "<p>edited <em>text</em></p>"
    assert by_type["comment.edited"]["edited"] is not None
    assert by_type["comment.deleted"] | {"created": None} == {
        "site": "blog",
        "thread_url": THREAD_URL,
        "comment_id": held["id"],
        "parent_id": None,
        "author_name": "",
        "html": "",
        "status": "deleted",
        "created": None,
        "edited": by_type["comment.deleted"]["edited"],
    }
    assert all(r.verified for r in got)
    assert len({r.headers["webhook-id"] for r in got}) == 3


def test_signed_in_authors_are_named_and_spam_is_taken_back(
    hclient, hctx, site, webhook_receiver, signed_in_as
):
    register(hctx, webhook_receiver)
    token = signed_in_as(name="Grace Hopper")
    response = hclient.post(
        "/api/v1/comments",
        json={**comment_payload(), "author": None},
        headers={"Origin": BLOG, "Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.text
    (got,) = webhook_receiver.wait_for(1)
    assert got.payload["data"]["author_name"] == "Grace Hopper"
    # A moderator's correction names the account too.
    mod.edit(hctx.moderation, EVERYWHERE, response.json()["id"], "corrected")
    got = webhook_receiver.wait_for(2)
    assert (got[1].payload["type"], got[1].payload["data"]["author_name"]) == (
        "comment.edited",
        "Grace Hopper",
    )
    # Marked as spam, the published comment is taken back, without its words.
    assert mod.apply(hctx.moderation, EVERYWHERE, [response.json()["id"]], mod.Action.SPAM) == 1
    got = webhook_receiver.wait_for(3)
    assert got[2].payload["type"] == "comment.deleted"
    assert (got[2].payload["data"]["html"], got[2].payload["data"]["status"]) == ("", "deleted")


def test_a_failing_endpoint_is_retried_with_growing_waits_then_given_up(
    hclient, hctx, site, webhook_receiver
):
    register(hctx, webhook_receiver, name="fail")
    post(hclient)  # answered at once, whatever the receiver does
    webhook_receiver.wait_for(1)
    row = attempted(hctx, 1)
    assert (row.last_status, row.last_error) == (500, "the endpoint answered HTTP 500")
    assert row.delivered is None and not row.failed
    assert row.next_attempt - row.last_attempt == timedelta(seconds=RETRY_SECONDS[0])
    due_now(hctx)
    webhook_receiver.wait_for(2)
    row = attempted(hctx, 2)
    assert row.next_attempt - row.last_attempt == timedelta(seconds=RETRY_SECONDS[1])
    got = webhook_receiver.received
    assert got[0].headers["webhook-id"] == got[1].headers["webhook-id"]  # a retry is the same event
    # After the last of the waits, the delivery is given up.
    with hctx.db.write() as session:
        session.exec(update(WebhookDelivery).values(attempts=len(RETRY_SECONDS)))
    due_now(hctx)
    row = attempted(hctx, len(RETRY_SECONDS) + 1)
    assert row.failed and row.delivered is None


def test_a_hanging_endpoint_never_delays_a_post(hclient, hctx, site, webhook_receiver):
    register(hctx, webhook_receiver, name="hang")
    post(hclient, body="first")
    assert webhook_receiver.hanging.wait(15)  # the delivery is in flight, and held
    second = hclient.post("/api/v1/comments", json=comment_payload(body="second"), headers={"Origin": BLOG})
    assert webhook_receiver.hanging.is_set()  # answered while the receiver still holds the first
    assert second.status_code == 201, second.text
    row = attempted(hctx, 1)  # the sender gives up after COMMENTBOX_WEBHOOK_TIMEOUT
    assert (row.last_status, row.last_error) == (0, TOO_SLOW)
    assert row.next_attempt - row.last_attempt == timedelta(seconds=RETRY_SECONDS[0])
    assert [d.event for d in deliveries(hctx)] == ["comment.created", "comment.created"]


def test_an_endpoint_on_a_private_address_is_refused_by_the_fetcher(client, ctx, blog, webhook_receiver):
    """Without the allow-list (the default), 127.0.0.1 is never reached."""
    endpoint = register(ctx, webhook_receiver)
    post(client)
    row = attempted(ctx, 1)
    assert (row.last_status, row.last_error) == (0, NOT_ALLOWED)
    assert webhook_receiver.received == []
    assert ctx.webhooks.send_test(endpoint.id, "blog").error == NOT_ALLOWED  # the test button too


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("javascript:alert(1)", "must start with https://"),
        ("example.com/hook", "must start with https://"),
        ("ftp://example.com/hook", "must start with https://"),
        ("https://" + "a" * 2000 + ".example/", "at most 2000 characters"),
        ("https:///path-only", "must name a host"),
        ("https://user:pass@example.com/", "user name or password"),
        ("https://exa mple.com/", "spaces or control characters"),
        ("https://example.com/\u202e", "spaces or control characters"),
        ("https://example.com:99999/", "not a valid URL"),
        ("", "Give the endpoint's URL"),
    ],
)
def test_hostile_urls_are_refused_at_registration(ctx, blog, row_count, url, says):
    with pytest.raises(InvalidInput, match=says):
        endpoints.add_endpoint(ctx.db, "blog", url, ALL_EVENTS)
    assert row_count("webhook_endpoint") == 0


def test_events_must_be_known_and_sites_must_exist(ctx, blog, row_count):
    with pytest.raises(InvalidInput, match=r"Unknown event 'comment\.liked'"):
        endpoints.add_endpoint(ctx.db, "blog", "https://hooks.example/", ["comment.created", "comment.liked"])
    with pytest.raises(InvalidInput, match="at least one event"):
        endpoints.add_endpoint(ctx.db, "blog", "https://hooks.example/", [])
    with pytest.raises(NotFound):
        endpoints.add_endpoint(ctx.db, "nosuchsite", "https://hooks.example/", ALL_EVENTS)
    assert row_count("webhook_endpoint") == 0


def test_a_site_has_a_bounded_number_of_endpoints(ctx, blog, row_count):
    for n in range(endpoints.MAX_ENDPOINTS):
        endpoints.add_endpoint(ctx.db, "blog", f"https://hooks.example/{n}", ALL_EVENTS)
    with pytest.raises(Conflict, match="at most"):
        endpoints.add_endpoint(ctx.db, "blog", "https://hooks.example/one-more", ALL_EVENTS)
    assert row_count("webhook_endpoint") == endpoints.MAX_ENDPOINTS


def test_removing_an_endpoint_removes_its_queue_and_log_and_only_on_its_site(
    hclient, hctx, site, make_site, webhook_receiver, row_count
):
    endpoint = register(hctx, webhook_receiver, name="fail")
    post(hclient)
    attempted(hctx, 1)
    with pytest.raises(NotFound):
        endpoints.remove_endpoint(hctx.db, endpoint.id, site_id="another")
    endpoints.remove_endpoint(hctx.db, endpoint.id, site_id="blog")
    assert row_count("webhook_endpoint") == 0 and row_count("webhook_delivery") == 0
    with pytest.raises(NotFound):
        endpoints.remove_endpoint(hctx.db, endpoint.id)


def test_a_test_event_is_delivered_at_once_to_that_endpoint_only(hclient, hctx, site, webhook_receiver):
    quiet = register(hctx, webhook_receiver, events=["linkback.received"])
    attempt = hctx.webhooks.send_test(quiet.id, "blog")
    assert (attempt.status, attempt.error, attempt.delivered) == (204, "", True)
    (got,) = webhook_receiver.received
    assert got.verified and got.payload["type"] == "webhook.test"
    assert got.payload["data"]["site"] == "blog"
    # A failing test is reported and not retried: it is a question, not an event.
    failing = register(hctx, webhook_receiver, name="fail")
    attempt = hctx.webhooks.send_test(failing.id, "blog")
    assert (attempt.status, attempt.delivered) == (500, False)
    (row,) = deliveries(hctx, failing.id)
    assert row.failed and row.attempts == 1


def test_a_linkback_is_announced_from_its_own_transaction(hclient, hctx, site, webhook_receiver):
    register(hctx, webhook_receiver, events=["linkback.received"])
    linkback = {
        "linkback_id": 7,
        "kind": "webmention",
        "source": "https://other.example/a-reply",
        "title": "A reply",
        "excerpt": "I think <b>so</b> too",
        "author_name": "Bo",
        "status": "pending",
        "received": "2026-12-07T14:00:00Z",
        "thread_url": THREAD_URL,
        "source_ip": "203.0.113.9",  # not a payload field: dropped
    }
    with hctx.db.write() as session:
        hctx.events.within(session.connection(), "linkback.received", site_id="blog", linkback=linkback)
    (got,) = webhook_receiver.wait_for(1)
    assert got.verified and got.payload["type"] == "linkback.received"
    assert got.payload["data"] == {"site": "blog"} | {k: v for k, v in linkback.items() if k != "source_ip"}


def test_a_change_that_rolls_back_queues_nothing(hctx, site, webhook_receiver, row_count):
    register(hctx, webhook_receiver)
    linkback = {"linkback_id": 1, "thread_url": THREAD_URL}
    with pytest.raises(RuntimeError), hctx.db.write() as session:
        hctx.events.within(session.connection(), "linkback.received", site_id="blog", linkback=linkback)
        assert row_count("webhook_delivery") == 0  # not visible outside the transaction
        raise RuntimeError("the linkback's own write failed")
    assert row_count("webhook_delivery") == 0


def test_two_instances_deliver_each_event_once(hook_settings, hctx, site, webhook_receiver):
    """Two senders on one database, racing for the same due deliveries."""
    register(hctx, webhook_receiver)
    with hctx.db.write() as session:
        for n in range(30):
            hctx.events.within(
                session.connection(), "linkback.received", site_id="blog", linkback={"linkback_id": n}
            )
    other = create_app(hook_settings).state.ctx

    async def race() -> list[int]:
        senders = [WebhookSender(c.db, c.fetcher, 1.0) for c in (hctx, other)]
        counts = [0, 0]
        while True:
            done = await asyncio.gather(*(s.send_due() for s in senders))
            counts = [a + b for a, b in zip(counts, done, strict=True)]
            if not any(done):
                return counts

    counts = in_own_loop(race)
    other.db.dispose()
    assert sum(counts) == 30
    ids = [r.payload["data"]["linkback_id"] for r in webhook_receiver.received]
    assert sorted(ids) == list(range(30))


def test_an_endpoint_added_or_removed_later_applies_to_the_next_post(hclient, hctx, site, webhook_receiver):
    """The post path keeps the site in memory; registering an endpoint moves the site's
    version, so the very next post (on any instance) queues for it, and after removal stops."""
    post(hclient, body="before any endpoint")
    endpoint = register(hctx, webhook_receiver, events=["comment.created"])
    second = post(hclient, body="after the endpoint")
    (got,) = webhook_receiver.wait_for(1)
    assert got.payload["data"]["comment_id"] == second["id"]
    endpoints.remove_endpoint(hctx.db, endpoint.id)
    post(hclient, body="after its removal")
    assert deliveries(hctx) == []
    with hctx.db.read() as session:
        assert sites.get_site(session, "blog").webhook_events == ""


def test_finished_deliveries_are_forgotten_after_a_month(hctx, site, webhook_receiver):
    endpoint = register(hctx, webhook_receiver, name="fail")
    long_ago = datetime.now(UTC) - timedelta(days=KEEP_DAYS + 1)
    later = datetime.now(UTC) + timedelta(hours=1)
    rows = [
        ("old delivered", long_ago, {"delivered": long_ago}),
        ("old failed", long_ago, {"failed": True}),
        ("old, still retrying", long_ago, {}),
        ("recent delivered", datetime.now(UTC), {"delivered": datetime.now(UTC)}),
    ]
    with hctx.db.write() as session:
        for name, created, state in rows:
            session.add(
                WebhookDelivery(
                    endpoint_id=endpoint.id,
                    event_id=name,
                    event="comment.created",
                    payload="{}",
                    created=created,
                    next_attempt=later,
                    **state,
                )
            )
    in_own_loop(WebhookSender(hctx.db, hctx.fetcher, 1.0).send_due)
    assert [d.event_id for d in deliveries(hctx)] == ["old, still retrying", "recent delivered"]


def test_a_disabled_endpoint_hears_nothing_new_and_its_queue_is_given_up(
    hclient, hctx, site, webhook_receiver
):
    endpoint = register(hctx, webhook_receiver, name="fail")
    post(hclient, body="queued, then the endpoint is paused")
    attempted(hctx, 1)
    endpoints.set_enabled(hctx.db, endpoint.id, False)
    post(hclient, body="while paused")
    assert len(deliveries(hctx)) == 1  # nothing new queued
    due_now(hctx)
    row = attempted(hctx, 2)
    assert (row.failed, row.last_error) == (True, DISABLED)
    assert len(webhook_receiver.received) == 1  # the paused retry never left
    endpoints.set_enabled(hctx.db, endpoint.id, True)
    post(hclient, body="resumed")
    assert len(deliveries(hctx)) == 2

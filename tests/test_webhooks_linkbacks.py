"""A verified Webmention reaches the site owner's webhook as ``linkback.received``, queued in
the transaction that shows it: a real source server and a real receiver on 127.0.0.1."""

from __future__ import annotations

import pytest

from commentbox.webhooks import endpoints
from tests.linkback_support import mention, mentioning, reaching_sources, settled
from tests.support import ARTICLE


@pytest.fixture
def settings(settings):
    return reaching_sources(settings)


def test_a_verified_mention_is_announced_to_the_webhook(
    client, ctx, linked_blog, sources, origin, webhook_receiver
):
    endpoint = endpoints.add_endpoint(
        ctx.db, "blog", f"{webhook_receiver.url}/hook/ok", ["linkback.received"]
    )
    webhook_receiver.secret = endpoint.secret
    sources.put("/reply", mentioning(title="A reply <script>x</script>"))
    assert settled(client, mention(client, f"{origin}/reply").headers["location"])["status"] == "held"
    (got,) = webhook_receiver.wait_for(1)
    assert got.verified and got.payload["type"] == "linkback.received"
    data = got.payload["data"]
    assert (data["site"], data["kind"], data["source"]) == ("blog", "webmention", f"{origin}/reply")
    assert data["status"] == "pending" and data["thread_url"] == ARTICLE.rstrip("/")
    assert data["linkback_id"] and data["received"].endswith("Z")
    assert data["title"].startswith("A reply") and "<" not in data["title"]  # text, as shown
    assert data["author_name"] == "Grace Hopper"


def test_a_mention_whose_source_is_gone_is_announced_as_deleted(
    client, ctx, linked_blog, sources, origin, webhook_receiver
):
    endpoint = endpoints.add_endpoint(ctx.db, "blog", f"{webhook_receiver.url}/hook/ok", ["linkback.deleted"])
    webhook_receiver.secret = endpoint.secret
    sources.put("/reply", mentioning(title="Soon gone"))
    location = mention(client, f"{origin}/reply").headers["location"]
    assert settled(client, location)["status"] == "held"
    sources.put("/reply", "", status=410)
    mention(client, f"{origin}/reply")
    assert settled(client, location)["status"] == "removed"
    (got,) = webhook_receiver.wait_for(1)  # the endpoint hears only of the removal
    assert got.verified and got.payload["type"] == "linkback.deleted"
    data = got.payload["data"]
    assert (data["site"], data["kind"], data["source"]) == ("blog", "webmention", f"{origin}/reply")
    assert data["thread_url"] == ARTICLE.rstrip("/") and data["comment_id"] and data["linkback_id"]
    assert data["reason"] and data["deleted"].endswith("Z")
    assert b"Soon gone" not in got.body and b"@" not in got.body  # nothing of what was removed


def test_a_mention_refused_before_it_was_shown_announces_nothing(
    client, ctx, linked_blog, sources, origin, webhook_receiver
):
    endpoints.add_endpoint(ctx.db, "blog", f"{webhook_receiver.url}/hook/ok", ["linkback.deleted"])
    sources.put("/reply", "", status=410)
    assert settled(client, mention(client, f"{origin}/reply").headers["location"])["status"] != "removed"
    (log,) = endpoints.endpoints(ctx.db, "blog")  # queued in the verifier's transaction, or never
    assert list(log.deliveries) == [] and webhook_receiver.received == []

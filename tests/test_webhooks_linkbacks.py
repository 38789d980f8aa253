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

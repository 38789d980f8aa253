"""The site owner's side: turning linkbacks on from the site's admin page, and moderating a
verified Webmention from the queue like a comment."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from commentbox.admin import moderators
from commentbox.store.models import Role
from tests.admin_support import PASSWORD, act, sign_in
from tests.linkback_support import mention, mentioning, reaching_sources, settled
from tests.support import ARTICLE, SAME_ORIGIN


@pytest.fixture
def settings(settings):
    return reaching_sources(settings)


@pytest.fixture
def owner(app, ctx, blog, make_comment):
    make_comment()
    moderators.add_account(ctx.db, "owner", PASSWORD, email="owner@mods.example")
    moderators.grant(ctx.db, "blog", Role.OWNER, account_name="owner")
    with TestClient(app, base_url="http://testserver", headers=SAME_ORIGIN) as client:
        assert sign_in(client, "owner").status_code == 303
        yield client


SETTINGS = {"moderation": "none", "notify_moderators": "pending", "max_links": "3", "min_post_seconds": "3"}


def test_the_owner_turns_linkbacks_on_and_moderates_one(owner, client, sources, origin):
    page = "/admin/sites/blog"
    assert 'rel="webmention"' not in owner.get(page).text
    assert mention(client, f"{origin}/reply").status_code == 400  # off by default

    assert act(owner, page, {**SETTINGS, "linkbacks": "on"}, page).status_code == 303
    shown = owner.get(page).text
    assert 'name="linkbacks" checked' in shown and 'name="publish_linkbacks">' in shown
    assert '&lt;link rel="webmention" href="http://testserver/webmention/blog"&gt;' in shown
    assert '&lt;link rel="pingback" href="http://testserver/pingback/blog"&gt;' in shown

    sources.put("/reply", mentioning(title="Held for the owner"))
    assert settled(client, mention(client, f"{origin}/reply").headers["location"])["status"] == "held"
    queue = owner.get("/admin", params={"status": "pending"}).text
    assert '<span class="linkback">webmention from</span>' in queue
    assert "Held for the owner" in queue
    [comment_id] = [int(part.split('"')[0]) for part in queue.split('name="ids" value="')[1:]]
    assert (
        act(
            owner, "/admin/comments", {"action": "approve", "ids": str(comment_id), "next": "/admin"}
        ).status_code
        == 303
    )
    thread = client.get("/api/v1/threads", params={"site": "blog", "url": ARTICLE}).json()
    assert [c["kind"] for c in thread["comments"]] == [None, "webmention"]
    assert thread["thread"]["count"] == 2

    assert act(owner, page, SETTINGS, page).status_code == 303  # both unticked: off again
    assert mention(client, f"{origin}/reply").status_code == 400


def test_the_owner_turns_linkbacks_on_from_the_command_line(
    cli, capsys, client, blog, make_comment, query, sources, origin
):
    make_comment()
    assert cli(["site", "update", "blog", "--linkbacks", "on", "--publish-linkbacks", "on"]) == 0
    assert query("SELECT linkbacks, publish_linkbacks FROM site WHERE id = 'blog'") == [(1, 1)]
    sources.put("/reply", mentioning())
    assert settled(client, mention(client, f"{origin}/reply").headers["location"])["status"] == "published"
    assert cli(["site", "update", "blog", "--linkbacks", "off"]) == 0
    assert query("SELECT linkbacks, publish_linkbacks FROM site WHERE id = 'blog'") == [(0, 1)]
    assert mention(client, f"{origin}/reply").status_code == 400
    with pytest.raises(SystemExit):  # argparse: one sentence and exit status 2
        cli(["site", "update", "blog", "--linkbacks", "maybe"])
    assert "invalid choice: 'maybe'" in capsys.readouterr().err

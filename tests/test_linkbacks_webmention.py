"""Webmentions, as another blog sends them: a real source server on 127.0.0.1, the real
background verifier, and the thread as readers and moderators see it afterwards."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

from commentbox.app import create_app
from commentbox.domain import sites
from commentbox.store import migrate
from commentbox.store.db import Database
from tests.linkback_support import mention, mentioning, reaching_sources, settled
from tests.support import ARTICLE, BLOG, comment_payload


@pytest.fixture
def settings(settings):
    return reaching_sources(settings)


def thread(client):
    return client.get("/api/v1/threads", params={"site": "blog", "url": ARTICLE}).json()


def test_a_verified_mention_waits_for_a_moderator_by_default(client, linked_blog, sources, origin, row_count):
    sources.put("/reply", mentioning())
    response = mention(client, f"{origin}/reply")
    assert response.status_code == 202
    location = response.headers["location"]
    assert location.startswith("http://testserver/webmention/blog/")
    assert response.json()["status"] == "queued"

    assert settled(client, location)["status"] == "held"
    assert sources.hits["/reply"] == 1
    page = thread(client)
    assert page["thread"]["count"] == 1  # only the comment that made the thread
    assert [c["kind"] for c in page["comments"]] == [None]
    assert row_count("linkback") == 1


def test_a_published_mention_shows_like_the_models_footer(client, ctx, linked_blog, sources, origin):
    sites.update_site(ctx.db, "blog", publish_linkbacks=True)
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    with ctx.db.engine.begin() as connection:  # the post went up an hour ago, the mention came later
        connection.execute(text("UPDATE thread SET created = :t"), {"t": an_hour_ago})
    published = (datetime.now(UTC) - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    sources.put("/reply", mentioning(title="Best posts of the week", published=published))
    assert settled(client, mention(client, f"{origin}/reply").headers["location"])["status"] == "published"

    page = thread(client)
    assert page["thread"]["count"] == 2  # counted in the responses, as WordPress counts them
    shown, comment = page["comments"]  # in thread order: the mention came before the comment
    assert (shown["kind"], comment["kind"]) == ("webmention", None)
    assert shown["author"] == {
        "name": "Best posts of the week",
        "avatar": None,  # no picture from the source, not even a generated one
        "identicon": None,
        "provider": None,
        "website": f"{origin}/reply",
    }
    assert shown["html"] == "<p>I liked this post a lot.</p>"
    assert shown["created"][:19] == published[:19]  # the h-entry's published time

    html = client.get("/threads/blog", params={"url": ARTICLE}).text
    assert "Mentioned on" in html
    assert (
        f'<a class="cb-linkback-title" href="{origin}/reply" rel="nofollow ugc noopener noreferrer">'
        '<bdi>Best posts of the week</bdi></a> – <span class="cb-linkback-site">127.0.0.1</span>'
    ) in html
    fragment = client.get("/embed/thread", params={"site": "blog", "url": ARTICLE}).text
    assert 'class="cb-comment cb-linkback cb-linkback-webmention"' in fragment
    linkback = fragment.split("cb-linkback-webmention")[1].split("</li>")[0]
    assert "cb-avatar" not in linkback and "cb-actions" not in linkback  # no picture, no controls


def test_a_resent_mention_updates_it_and_a_gone_source_removes_it(client, ctx, linked_blog, sources, origin):
    sites.update_site(ctx.db, "blog", publish_linkbacks=True)
    heard = []  # what the event seam tells notifications, live threads and webhooks
    for name in ("comment.created", "comment.edited", "comment.deleted", "linkback.received"):
        ctx.events.subscribe(name, lambda name=name, **e: heard.append((name, e["comment"].author_name)))
    sources.put("/reply", mentioning(title="First title"))
    location = mention(client, f"{origin}/reply").headers["location"]
    settled(client, location)
    sources.put("/reply", mentioning(title="Corrected title"))
    again = mention(client, f"{origin}/reply")
    assert again.headers["location"] == location  # one claim per source and thread
    assert settled(client, location)["status"] == "published"
    names = [c["author"]["name"] for c in thread(client)["comments"]]
    assert names[1:] == ["Corrected title"]

    sources.put("/reply", "", status=410)
    mention(client, f"{origin}/reply")
    assert settled(client, location)["status"] == "removed"
    page = thread(client)
    assert [c["kind"] for c in page["comments"]] == [None]
    assert page["thread"]["count"] == 1
    assert heard == [
        ("comment.created", "First title"),
        ("linkback.received", "First title"),
        ("comment.edited", "Corrected title"),
        ("linkback.received", "Corrected title"),
        ("comment.deleted", "Corrected title"),
    ]


def test_a_source_that_no_longer_links_is_removed(client, ctx, linked_blog, sources, origin, row_count):
    sites.update_site(ctx.db, "blog", publish_linkbacks=True)
    sources.put("/reply", mentioning())
    location = mention(client, f"{origin}/reply").headers["location"]
    settled(client, location)
    sources.put("/reply", mentioning(target=f"{BLOG}/posts/other/"))
    mention(client, f"{origin}/reply")
    shown = settled(client, location)
    assert shown == {
        "status": "removed",
        "source": f"{origin}/reply",
        "target": ARTICLE,
        "reason": "the source page does not link to the target",
    }
    assert row_count("comment_source") == 0


def test_a_link_only_in_a_comment_or_a_script_does_not_count(client, linked_blog, sources, origin, row_count):
    sources.put(
        "/fake",
        f"<title>Fake</title><!-- <a href='{ARTICLE}'>x</a> -->"
        f"<script>var a = '<a href=\"{ARTICLE}\">';</script><p>{ARTICLE}</p>",
    )
    assert settled(client, mention(client, f"{origin}/fake").headers["location"])["status"] == "refused"
    assert row_count("comment") == 1


def test_the_target_may_be_spelled_as_the_site_keys_it(client, ctx, linked_blog, sources, origin):
    """A link with another case of host, a default port or a fragment is the same page."""
    sites.update_site(ctx.db, "blog", publish_linkbacks=True)
    sources.put("/reply", mentioning(target="HTTPS://Blog.Example:443/posts/hello/#comments"))
    location = mention(client, f"{origin}/reply", target="https://blog.example/posts/hello/").headers[
        "location"
    ]
    assert settled(client, location)["status"] == "published"


def test_the_status_url_is_per_site_and_unguessable(client, linked_blog, sources, origin):
    sources.put("/reply", mentioning())
    location = mention(client, f"{origin}/reply").headers["location"]
    token = location.rsplit("/", 1)[1]
    assert len(token) >= 24
    assert client.get(f"/webmention/other/{token}").status_code == 404
    missing = client.get("/webmention/blog/not-a-token")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_moderators_see_linkbacks_in_the_queue_as_linkbacks(client, ctx, linked_blog, sources, origin):
    sources.put("/reply", mentioning(title="Seen by moderators"))
    settled(client, mention(client, f"{origin}/reply").headers["location"])
    with ctx.db.engine.connect() as connection:
        [(status, kind, name)] = connection.execute(
            text(
                "SELECT c.status, s.kind, c.author_name FROM comment c"
                " JOIN comment_source s ON s.comment_id = c.id"
            )
        ).all()
    assert (status, kind, name) == ("pending", "webmention", "Seen by moderators")


def test_a_source_that_is_down_for_a_moment_is_tried_again(app_retrying_fast, sources, origin):
    client = app_retrying_fast
    sources.put("/busy", "<p>Down for maintenance</p>", status=503)
    location = mention(client, f"{origin}/busy").headers["location"]
    deadline = time.monotonic() + 30
    while not client.get(location).json()["reason"] and time.monotonic() < deadline:
        time.sleep(0.02)
    assert client.get(location).json() == {
        "status": "queued",  # not refused: it will be tried again
        "source": f"{origin}/busy",
        "target": ARTICLE,
        "reason": "the server could not be reached",
    }
    sources.put("/busy", mentioning(title="Back up"))
    assert settled(client, location)["status"] == "held"
    assert sources.hits["/busy"] >= 2


@pytest.fixture
def app_retrying_fast(settings, blog, ctx):
    """The app with retries a tenth of a second apart (the default waits a minute)."""
    app = create_app(settings.model_copy(update={"linkback_retry_seconds": 0.1}))
    with TestClient(app, base_url="http://testserver") as client:
        sites.update_site(app.state.ctx.db, "blog", linkbacks=True, min_post_seconds=0)
        posted = client.post("/api/v1/comments", json=comment_payload(), headers={"Origin": BLOG})
        assert posted.status_code in (201, 202), posted.text
        yield client
    app.state.ctx.db.dispose()


def test_a_restored_backup_keeps_its_linkbacks_answerable(
    client, ctx, linked_blog, sources, origin, cli, capsys, tmp_path, monkeypatch, settings
):
    """The claim rows are not in a backup, but the comments are: a mention sent again to the
    restored server finds its comment (by page and source) and removes it once the source is gone."""
    sites.update_site(ctx.db, "blog", publish_linkbacks=True)
    sources.put("/reply", mentioning())
    settled(client, mention(client, f"{origin}/reply").headers["location"])
    backup = tmp_path / "backup.json"
    assert cli(["export", "json", "--site", "blog", "--output", str(backup)]) == 0
    fresh = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    fresh_db = Database(fresh)
    migrate.upgrade(fresh_db.engine)
    fresh_db.dispose()
    monkeypatch.setenv("COMMENTBOX_DATABASE_URL", fresh)
    assert cli(["import", "json", str(backup), "--site", "blog"]) == 0
    capsys.readouterr()

    restored = create_app(settings.model_copy(update={"database_url": fresh}))
    with TestClient(restored, base_url="http://testserver") as again:
        kinds = [c["kind"] for c in thread(again)["comments"]]
        assert kinds == [None, "webmention"]
        sources.put("/reply", "", status=410)
        assert settled(again, mention(again, f"{origin}/reply").headers["location"])["status"] == "removed"
        assert [c["kind"] for c in thread(again)["comments"]] == [None]
    restored.state.ctx.db.dispose()


def test_a_reply_to_a_linkback_is_shown_under_it(client, ctx, linked_blog, sources, origin, make_comment):
    """The widget offers no reply button on a linkback, but the API takes a reply to one (as
    WordPress does): it must not vanish from the thread."""
    sites.update_site(ctx.db, "blog", publish_linkbacks=True)
    sources.put("/reply", mentioning())
    settled(client, mention(client, f"{origin}/reply").headers["location"])
    linkback = thread(client)["comments"][1]
    make_comment(body="Thanks for the mention!", parent=linkback["id"])
    [shown] = [c for c in thread(client)["comments"] if c["kind"] == "webmention"]
    assert [r["html"] for r in shown["replies"]] == ["<p>Thanks for the mention!</p>"]
    page = client.get("/threads/blog", params={"url": ARTICLE}).text
    nested = page.split("cb-linkback-webmention")[1].split('<ol class="cb-replies">')[1]
    assert "Thanks for the mention!" in nested

"""Moderation modes, holds, and what moderators do: approve, spam, delete, edit, pin, lock, ban."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

from commentbox.admin import actions as mod
from commentbox.admin import bans as banning
from commentbox.domain import sites
from commentbox.errors import Forbidden, InvalidInput
from commentbox.store.models import BanKind, CommentStatus, ModerationMode, utcnow
from tests.support import ARTICLE, BLOG, comment_payload

EVERYWHERE = mod.Moderator("root", None, None)


def post(client, **changes):
    return client.post("/api/v1/comments", json=comment_payload(**changes), headers={"Origin": BLOG})


def thread(client, url=ARTICLE):
    return client.get("/api/v1/threads", params={"site": "blog", "url": url}).json()


def counts(client):
    return client.get("/api/v1/counts", params={"site": "blog", "url": ARTICLE}).json()["counts"][ARTICLE]


def status_of(ctx, comment_id):
    with ctx.db.engine.connect() as connection:
        query = text("SELECT status FROM comment WHERE id = :id")
        return connection.execute(query, {"id": comment_id}).scalar_one_or_none()


# Modes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        (ModerationMode.NONE, 201),
        (ModerationMode.GUESTS, 202),
        (ModerationMode.FIRST_TIME, 202),
        (ModerationMode.ALL, 202),
    ],
)
def test_each_mode_decides_whether_a_guest_waits(client, make_site, ctx, mode, expected):
    make_site("blog", moderation=mode)
    response = post(client)
    assert response.status_code == expected, response.text
    body = response.json()
    if expected == 202:
        assert body["status"] == "pending"
        assert body["edit_token"]  # the author may still fix a typo while it waits
        assert thread(client)["comments"] == []
        assert counts(client) == 0
        assert status_of(ctx, body["id"]) == "pending"
    else:
        assert body["status"] is None
        assert counts(client) == 1


def test_a_site_changed_elsewhere_applies_to_the_next_post(client, ctx, make_site, settings):
    """Posting trusts this process's copy of the site only at the version the write reads;
    a change made by another instance (here: its own app) applies to the very next post."""
    from commentbox.app import create_app

    make_site("blog", moderation=ModerationMode.NONE)
    assert post(client, body="first").status_code == 201  # the site is now in memory
    with TestClient(create_app(settings)) as elsewhere:
        sites.update_site(elsewhere.app.state.ctx.db, "blog", moderation=ModerationMode.ALL, max_links=0)
    assert post(client, body="second").status_code == 202
    refused = post(client, body="see https://example.com")
    assert refused.status_code == 422 and "link" in refused.json()["detail"]


def test_first_time_trusts_an_email_only_together_with_its_browser(app, ctx, make_site):
    make_site("blog", moderation=ModerationMode.FIRST_TIME)
    with TestClient(app, headers={"X-Commentbox-Client": "ada-laptop"}) as ada:
        first = post(ada, body="my first")
        assert first.status_code == 202
        assert mod.apply(ctx, EVERYWHERE, [first.json()["id"]], mod.Action.APPROVE) == 1
        assert post(ada, body="my second").status_code == 201
    # Someone else claiming Ada's email from another browser is still held.
    with TestClient(app, headers={"X-Commentbox-Client": "mallory"}) as mallory:
        assert post(mallory, body="I am Ada, honest").status_code == 202
    # And Ada's browser under a new email is a new identity.
    with TestClient(app, headers={"X-Commentbox-Client": "ada-laptop"}) as ada:
        other = {"name": "Ada", "email": "ada@elsewhere.example"}
        assert post(ada, body="new address", author=other).status_code == 202


def test_approval_publishes_and_counts(client, ctx, make_site):
    make_site("blog", moderation=ModerationMode.ALL)
    ids = [post(client, body=f"held {n}").json()["id"] for n in range(3)]
    assert mod.apply(ctx, EVERYWHERE, ids[:2], mod.Action.APPROVE) == 2
    assert [c["id"] for c in thread(client)["comments"]] == ids[:2]
    assert counts(client) == 2
    # Approving again changes nothing and does not double-count.
    assert mod.apply(ctx, EVERYWHERE, ids[:2], mod.Action.APPROVE) == 0
    assert counts(client) == 2


def test_spam_and_delete_take_comments_out_of_view(client, ctx, blog, row_count):
    ids = [post(client, body=f"visible {n}").json()["id"] for n in range(3)]
    assert mod.apply(ctx, EVERYWHERE, [ids[0]], mod.Action.SPAM) == 1
    assert mod.apply(ctx, EVERYWHERE, [ids[1]], mod.Action.DELETE) == 1
    assert [c["id"] for c in thread(client)["comments"]] == [ids[2]]
    assert counts(client) == 1
    assert status_of(ctx, ids[0]) == "spam"
    assert row_count("comment") == 2
    # A comment marked as spam can be rescued.
    assert mod.apply(ctx, EVERYWHERE, [ids[0]], mod.Action.APPROVE) == 1
    assert counts(client) == 2


def test_trash_takes_a_comment_out_of_view_and_restore_gives_back_its_status(client, ctx, make_site):
    make_site("blog", moderation=ModerationMode.GUESTS)
    held = post(client, body="waiting").json()["id"]
    shown = post(client, body="published").json()["id"]
    mod.apply(ctx, EVERYWHERE, [shown], mod.Action.APPROVE)
    assert counts(client) == 1

    assert mod.apply(ctx, EVERYWHERE, [held, shown], mod.Action.TRASH) == 2
    assert thread(client)["comments"] == [] and counts(client) == 0
    assert status_of(ctx, held) == status_of(ctx, shown) == "trash"
    everything = mod.queue(ctx, EVERYWHERE, mod.QueueQuery())
    assert [r.id for r in everything] == []  # the queue's "any status" leaves the trash out
    trash = mod.queue(ctx, EVERYWHERE, mod.QueueQuery(status=CommentStatus.TRASH))
    assert sorted(r.id for r in trash) == sorted([held, shown])
    assert mod.apply(ctx, EVERYWHERE, [held], mod.Action.TRASH) == 0  # trashing twice: no change

    assert mod.apply(ctx, EVERYWHERE, [held, shown], mod.Action.RESTORE) == 2
    assert status_of(ctx, held) == "pending" and status_of(ctx, shown) == "approved"
    assert [c["id"] for c in thread(client)["comments"]] == [shown] and counts(client) == 1
    assert mod.apply(ctx, EVERYWHERE, [shown], mod.Action.RESTORE) == 0  # not in the trash


def test_undo_of_a_trash_tells_live_readers_but_mails_no_one_twice(client, ctx, blog):
    """Trash of a published comment is ``comment.deleted``; its Undo ``comment.restored``
    (live readers see it again), never ``comment.approved``, whose listener mails subscribers."""
    heard: list[str] = []
    for event in ("comment.approved", "comment.restored", "comment.deleted"):
        ctx.events.subscribe(event, lambda event=event, **_: heard.append(event))
    shown = post(client, body="published").json()["id"]
    mod.apply(ctx, EVERYWHERE, [shown], mod.Action.TRASH)
    mod.apply(ctx, EVERYWHERE, [shown], mod.Action.RESTORE)
    assert heard == ["comment.deleted", "comment.restored"]


def test_the_author_cannot_read_or_edit_a_trashed_comment(client, ctx, blog):
    posted = post(client, body="mine").json()
    headers = {"Origin": BLOG, "X-Edit-Token": posted["edit_token"]}
    assert client.get(f"/api/v1/comments/{posted['id']}", headers=headers).status_code == 200
    mod.apply(ctx, EVERYWHERE, [posted["id"]], mod.Action.TRASH)
    edited = client.patch(f"/api/v1/comments/{posted['id']}", json={"body": "sneaky"}, headers=headers)
    assert edited.status_code == 404
    assert client.get(f"/api/v1/comments/{posted['id']}", headers=headers).status_code == 404


def test_a_deleted_parent_with_replies_stays_as_a_tombstone(client, ctx, blog):
    parent = post(client, body="parent").json()
    reply = post(client, body="reply", parent=parent["id"]).json()
    mod.apply(ctx, EVERYWHERE, [parent["id"]], mod.Action.DELETE)
    shown = thread(client)["comments"]
    assert shown[0]["deleted"] is True and shown[0]["author"]["name"] is None
    assert shown[0]["replies"][0]["id"] == reply["id"]


def test_moderators_act_only_on_their_sites(client, ctx, make_site):
    make_site("blog")
    make_site("other", origins=("https://other.example",))
    comment = post(client).json()
    outsider = mod.moderator_from_roles("eve", [("other", "moderator")])
    with pytest.raises(Forbidden):
        mod.apply(ctx, outsider, [comment["id"]], mod.Action.DELETE)
    with pytest.raises(Forbidden):
        mod.pin(ctx, outsider, comment["id"], True)
    assert mod.queue(ctx, outsider, mod.QueueQuery()) == []
    assert status_of(ctx, comment["id"]) == "approved"


def test_a_moderator_edit_goes_through_the_sanitizer(client, ctx, blog):
    comment = post(client).json()
    mod.edit(
        ctx.moderation,
        EVERYWHERE,
        comment["id"],
        "fixed <script>alert(1)</script> [x](javascript:alert(1)) **ok**",
    )
    html = thread(client)["comments"][0]["html"]
    assert "<script" not in html and 'href="javascript' not in html
    assert "<strong>ok</strong>" in html
    with pytest.raises(InvalidInput):
        mod.edit(ctx.moderation, EVERYWHERE, comment["id"], "   ")


def test_pinned_comments_come_first_in_every_order(client, ctx, blog):
    ids = [post(client, body=f"c{n}").json()["id"] for n in range(3)]
    mod.pin(ctx, EVERYWHERE, ids[1], True)
    for sort in ("oldest", "newest", "top"):
        shown = client.get("/api/v1/threads", params={"site": "blog", "url": ARTICLE, "sort": sort}).json()
        assert shown["comments"][0]["id"] == ids[1]
        assert shown["comments"][0]["pinned"] is True


# Locks and closing -------------------------------------------------------------------------------


def test_a_locked_thread_takes_no_comments_or_edits(client, ctx, blog, row_count):
    comment = post(client, body="before the lock").json()
    mod.lock(ctx, EVERYWHERE, comment["thread"], True)
    refused = post(client, body="after the lock")
    assert refused.status_code == 403
    assert "closed" in refused.json()["detail"]
    edit = client.patch(
        f"/api/v1/comments/{comment['id']}",
        json={"body": "sneaky edit"},
        headers={"Origin": BLOG, "X-Edit-Token": comment["edit_token"]},
    )
    assert edit.status_code == 403
    assert row_count("comment") == 1
    assert thread(client)["thread"]["locked"] is True
    mod.lock(ctx, EVERYWHERE, comment["thread"], False)
    assert post(client, body="unlocked again").status_code == 201


def test_threads_older_than_the_sites_limit_are_closed(client, ctx, make_site):
    make_site("blog", close_after_days=30)
    comment = post(client, body="fresh").json()
    with ctx.db.engine.begin() as connection:
        old = utcnow() - timedelta(days=31)
        connection.execute(text("UPDATE thread SET created = :old"), {"old": old})
    ctx.cache._entries.clear()
    assert post(client, body="too late").status_code == 403
    assert thread(client)["thread"]["locked"] is True
    assert comment["id"]


# Bans ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [BanKind.IP, BanKind.EMAIL, BanKind.CLIENT])
def test_a_ban_refuses_the_sender_and_stores_nothing(app, ctx, blog, row_count, kind):
    with TestClient(app, headers={"X-Commentbox-Client": "browser-7"}) as client:
        comment = post(client, body="rude").json()
        banning.ban_from_comment(ctx, EVERYWHERE, comment["id"], [kind], days=None, reason="rude")
        refused = post(client, body="ruder")
        assert refused.status_code == 403
        assert refused.json()["detail"] == "You cannot comment on this site."
        # Edits are writes too.
        edit = client.patch(
            f"/api/v1/comments/{comment['id']}",
            json={"body": "edited"},
            headers={"Origin": BLOG, "X-Edit-Token": comment["edit_token"]},
        )
        assert edit.status_code == 403
    assert row_count("comment") == 1


def test_a_ban_for_a_duration_says_until_when_and_runs_out(client, ctx, blog):
    comment = post(client).json()
    (ban,) = banning.ban_from_comment(ctx, EVERYWHERE, comment["id"], [BanKind.EMAIL], days=7)
    refused = post(client, body="again")
    assert refused.status_code == 403
    assert "until" in refused.json()["detail"]
    with ctx.db.engine.begin() as connection:
        connection.execute(text("UPDATE ban SET until = :past"), {"past": utcnow() - timedelta(minutes=1)})
    assert post(client, body="again").status_code == 201
    assert banning.bans(ctx, EVERYWHERE) == []
    assert ban.id


def test_an_email_ban_matches_whatever_the_case(client, ctx, blog):
    banning.ban_email(ctx, EVERYWHERE, "blog", "Spammer@Example.com", days=None)
    refused = post(client, author={"name": "S", "email": "spammer@example.COM"})
    assert refused.status_code == 403


def test_bans_are_per_site_and_can_be_lifted(client, ctx, make_site):
    make_site("blog")
    make_site("other", origins=("https://other.example",))
    banning.ban_email(ctx, EVERYWHERE, "other", "ada@example.com", days=None)
    assert post(client, body="fine here").status_code == 201
    ban = banning.ban_email(ctx, EVERYWHERE, "blog", "ada@example.com", days=None)
    assert post(client, body="not any more").status_code == 403
    banning.unban(ctx, EVERYWHERE, ban.id)
    assert post(client, body="welcome back").status_code == 201


# The queue -------------------------------------------------------------------------------------


def test_the_queue_lists_pending_first_then_newest_and_searches(client, ctx, make_site):
    make_site("blog")
    a = post(client, body="alpha about cats", author={"name": "Ann", "email": "ann@example.com"}).json()
    b = post(client, body="beta about dogs", author={"name": "Bob", "email": "bob@example.com"}).json()
    c = post(client, body="gamma about cats", author={"name": "Cy", "email": "cy@example.com"}).json()
    mod.apply(ctx, EVERYWHERE, [a["id"]], mod.Action.SPAM)
    with ctx.db.engine.begin() as connection:
        connection.execute(text("UPDATE comment SET status = 'pending' WHERE id = :id"), {"id": b["id"]})

    def ids(**query):
        return [row.id for row in mod.queue(ctx, EVERYWHERE, mod.QueueQuery(**query))]

    assert ids() == [b["id"], c["id"], a["id"]]
    assert ids(text="cats") == [c["id"], a["id"]]
    assert ids(author="bob") == [b["id"]]
    assert ids(status=CommentStatus.SPAM) == [a["id"]]
    assert ids(site="blog", thread="posts/hello") == [b["id"], c["id"], a["id"]]
    assert ids(thread="nowhere") == []
    assert ids(text="100%_") == []  # LIKE wildcards are literal
    assert mod.pending_count(ctx, EVERYWHERE) == 1

"""The /admin pages: sign-in, CSRF on every form, per-site roles, and each moderator action."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

from commentbox import cli
from commentbox.admin import moderators
from commentbox.app import create_app
from commentbox.domain import sites
from commentbox.store.models import ModerationMode, Role
from tests.admin_support import PASSWORD, act, csrf_of, post, sign_in, status_of
from tests.support import ARTICLE, BLOG, SAME_ORIGIN, TEST_SECRET, comment_payload
from tests.xss import executable_parts


def visible(client):
    return [
        c["id"]
        for c in client.get("/api/v1/threads", params={"site": "blog", "url": ARTICLE}).json()["comments"]
    ]


# Signing in ---------------------------------------------------------------------------------------


def test_pages_need_a_session(client, blog):
    for path in ("/admin", "/admin/bans", "/admin/comments/1", "/admin/threads/1", "/admin/sites/blog"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"] == "/admin/login"


def test_sign_in_sets_a_strict_first_party_cookie_and_pages_refuse_framing(client, make_admin, blog):
    make_admin()
    form = client.get("/admin/login")
    assert "frame-ancestors 'none'" in form.headers["content-security-policy"]
    assert form.headers["x-frame-options"] == "DENY"
    assert form.headers["cache-control"] == "no-store"
    response = sign_in(client)
    assert response.status_code == 303 and response.headers["location"] == "/admin"
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("commentbox_admin="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/admin" in cookie
    page = client.get("/admin")
    assert page.status_code == 200
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    with ctx_db(client) as connection:
        stored = connection.execute(text("SELECT id FROM admin_session")).scalar_one()
    assert stored not in cookie  # only a hash of the cookie's token is kept


def ctx_db(client):
    return client.app.state.ctx.db.engine.connect()


def test_a_wrong_password_or_name_signs_nobody_in(client, make_admin, blog):
    make_admin()
    for name, password in (("root", "wrong password"), ("nobody", PASSWORD)):
        response = sign_in(client, name, password)
        assert response.status_code == 401
        assert "Wrong name or password." in response.text
        assert client.get("/admin", follow_redirects=False).status_code == 303


def test_the_login_form_has_its_own_csrf_token(client, make_admin, blog):
    make_admin()
    client.get("/admin/login")
    response = client.post(
        "/admin/login", data={"csrf": "guessed", "name": "root", "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 403
    assert client.get("/admin", follow_redirects=False).status_code == 303


def test_sign_out_ends_the_session(admin_client):
    assert act(admin_client, "/admin/logout", {}).status_code == 303
    assert admin_client.get("/admin", follow_redirects=False).status_code == 303


def test_passwords_are_argon2_hashed_and_accounts_come_from_the_cli(monkeypatch, settings, ctx, app, blog):
    monkeypatch.setenv("COMMENTBOX_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("COMMENTBOX_SECRET_KEY", TEST_SECRET)
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert cli.main(["admin", "add", "mia", "--site", "blog", "--password-stdin"]) == 0
    with ctx.db.engine.connect() as connection:
        stored = connection.execute(text("SELECT password_hash FROM admin_account")).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert cli.main(["admin", "add", "bob", "--password-stdin"]) == 1
    with TestClient(app, headers=SAME_ORIGIN) as client:
        assert sign_in(client, "mia").status_code == 303
        assert client.get("/admin").status_code == 200


# CSRF and same-origin on every form -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "headers"),
    [
        ({}, {}),
        ({"csrf": "not-the-token"}, {}),
        (None, {"Origin": "https://evil.example"}),
        (None, {"Sec-Fetch-Site": "cross-site"}),
    ],
)
def test_forged_forms_are_refused_and_change_nothing(admin_client, ctx, make_site, fields, headers):
    make_site("held", origins=("https://held.example",), moderation=ModerationMode.ALL)
    comment = post(admin_client, "https://held.example", site="held", url="https://held.example/a")
    if fields is None:
        fields = {"csrf": csrf_of(admin_client.get("/admin").text)}
    response = admin_client.post(
        "/admin/comments",
        data={**fields, "ids": str(comment["id"]), "action": "approve"},
        headers=headers,
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert "text/html" in response.headers["content-type"]
    assert status_of(ctx, comment["id"]) == "pending"


def test_a_form_post_never_redirects_off_site(admin_client, blog):
    comment = post(admin_client)
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = act(
            admin_client, "/admin/comments", {"ids": comment["id"], "action": "approve", "next": target}
        )
        assert response.headers["location"] == "/admin?done=approve&n=0"


# The queue and the actions ------------------------------------------------------------------------------


def test_the_queue_shows_pending_first_escapes_everything_and_approves_in_bulk(admin_client, ctx, make_site):
    make_site("held", origins=("https://held.example",), moderation=ModerationMode.ALL)
    page_url = "https://held.example/a"
    evil = {"name": "<script>alert(1)</script>", "email": "e@example.com"}
    ids = [
        post(
            admin_client,
            "https://held.example",
            site="held",
            url=page_url,
            body=f"held {n} <img src=x onerror=alert(1)>",
            author=evil,
        )["id"]
        for n in range(3)
    ]
    page = admin_client.get("/admin")
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;" in page.text
    assert "onerror" not in page.text.replace("onerror=alert(1)&gt;", "")
    assert page.text.index(f'id="c{ids[2]}"') < page.text.index(f'id="c{ids[0]}"')  # newest first
    response = act(admin_client, "/admin/comments", {"ids": [ids[0], ids[1]], "action": "approve"})
    assert response.status_code == 303
    shown = admin_client.get("/api/v1/threads", params={"site": "held", "url": page_url}).json()["comments"]
    assert [c["id"] for c in shown] == ids[:2]
    assert status_of(ctx, ids[2]) == "pending"
    act(admin_client, "/admin/comments", {"ids": ids[2], "action": "spam"})
    assert status_of(ctx, ids[2]) == "spam"
    act(admin_client, "/admin/comments", {"ids": ids[2], "action": "delete", "confirmed": "yes"})
    assert status_of(ctx, ids[2]) is None


def test_searching_the_queue(admin_client, blog):
    post(admin_client, body="about cats", author={"name": "Ann", "email": "ann@example.com"})
    post(admin_client, body="about dogs", author={"name": "Bob", "email": "bob@example.com"})
    cats = admin_client.get("/admin", params={"q": "cats"}).text
    assert "about cats" in cats and "about dogs" not in cats
    bob = admin_client.get("/admin", params={"author": "bob", "site": "blog", "thread": "posts/hello"}).text
    assert "about dogs" in bob and "about cats" not in bob


def test_edit_pin_lock_and_ban_from_the_pages(admin_client, ctx, blog):
    comment = post(admin_client)
    page = f"/admin/comments/{comment['id']}"
    comment_page = admin_client.get(page).text
    assert f'href="/admin/threads/{comment["thread"]}#c{comment["id"]}"' in comment_page
    assert "/threads/blog" not in comment_page  # the thread is read inside /admin
    act(admin_client, f"{page}/edit", {"body": "fixed <script>x</script> **bold**"}, page)
    html = admin_client.get("/api/v1/threads", params={"site": "blog", "url": ARTICLE}).json()["comments"][0][
        "html"
    ]
    assert "<strong>bold</strong>" in html and "<script" not in html
    act(admin_client, f"{page}/pin", {"pinned": "1"}, page)
    assert admin_client.get("/api/v1/threads", params={"site": "blog", "url": ARTICLE}).json()["comments"][0][
        "pinned"
    ]
    thread = f"/admin/threads/{comment['thread']}"
    assert act(admin_client, f"{thread}/lock", {"locked": "1"}, thread).status_code == 303
    locked = admin_client.post(
        "/api/v1/comments", json=comment_payload(body="late"), headers={"Origin": BLOG}
    )
    assert locked.status_code == 403
    act(admin_client, f"{thread}/lock", {"locked": "0"}, thread)
    act(admin_client, f"{page}/ban", {"kind": ["email", "ip"], "days": "3", "reason": "rude"}, page)
    bans = admin_client.get("/admin/bans").text
    assert "ada@example.com" in bans and "rude" in bans
    refused = admin_client.post(
        "/api/v1/comments", json=comment_payload(body="again"), headers={"Origin": BLOG}
    )
    assert refused.status_code == 403
    ban_ids = re.findall(r"/admin/bans/(\d+)/delete", bans)
    for ban_id in ban_ids:
        act(admin_client, f"/admin/bans/{ban_id}/delete", {}, "/admin/bans")
    retry = admin_client.post(
        "/api/v1/comments", json=comment_payload(body="sorry"), headers={"Origin": BLOG}
    )
    assert retry.status_code == 201


def test_an_email_ban_from_the_bans_page(admin_client, blog):
    act(admin_client, "/admin/bans", {"site": "blog", "email": "Spam@Example.com", "days": ""}, "/admin/bans")
    refused = admin_client.post(
        "/api/v1/comments",
        json=comment_payload(author={"name": "S", "email": "spam@example.com"}),
        headers={"Origin": BLOG},
    )
    assert refused.status_code == 403


def test_bad_form_values_answer_with_a_sentence(admin_client, blog):
    comment = post(admin_client)
    page = f"/admin/comments/{comment['id']}"
    response = act(admin_client, f"{page}/ban", {"kind": "email", "days": "forever"}, page)
    assert response.status_code == 422 and "whole number" in response.text
    response = act(admin_client, "/admin/comments", {"action": "approve"})
    assert response.status_code == 422 and "Select at least one comment" in response.text


# The thread view ----------------------------------------------------------------------------------------

HELD = "https://held.example"
_LISTED = re.compile(r'<li class="comment status-(\w+) depth-(\d)" id="c(\d+)"[^>]*>')


def held_comment(client, body: str, parent: int | None = None, **changes: Any) -> dict[str, Any]:
    extra = {"parent": parent} if parent else {}
    return post(client, HELD, site="held", url=f"{HELD}/a", body=body, **extra, **changes)


def test_a_thread_reads_in_order_inside_admin_with_every_status(admin_client, ctx, make_site):
    make_site("held", origins=(HELD,), moderation=ModerationMode.ALL)
    first = held_comment(admin_client, "first")
    act(admin_client, "/admin/comments", {"ids": first["id"], "action": "approve"})
    reply = held_comment(admin_client, "a reply", first["id"])
    act(admin_client, "/admin/comments", {"ids": reply["id"], "action": "approve"})
    answer = held_comment(admin_client, "an answer to the reply", reply["id"])
    junk = held_comment(admin_client, "junk")
    act(admin_client, "/admin/comments", {"ids": junk["id"], "action": "spam"})
    tombstone = {"ids": reply["id"], "action": "delete", "confirmed": "yes"}
    act(admin_client, "/admin/comments", tombstone)  # it has a reply: kept as a tombstone

    page = admin_client.get(f"/admin/threads/{first['thread']}").text
    listed = [(status, int(depth), int(cid)) for status, depth, cid in _LISTED.findall(page)]
    assert listed == [
        ("approved", 1, first["id"]),
        ("deleted", 2, reply["id"]),
        ("pending", 3, answer["id"]),
        ("spam", 1, junk["id"]),
    ]
    assert "removed" in page and "a reply" not in page
    assert f'name="ids" value="{reply["id"]}"' not in page  # nothing left to act on
    assert "/threads/held" not in page  # no detour through the public page


def test_the_thread_view_puts_pinned_comments_first_and_caps_indentation(admin_client, settings, blog):
    chain = [post(admin_client, body="top")]
    for n in range(settings.max_depth + 1):
        chain.append(post(admin_client, body=f"reply {n}", parent=chain[-1]["id"]))
    pinned = post(admin_client, body="pinned later")
    act(admin_client, f"/admin/comments/{pinned['id']}/pin", {"pinned": "1"})
    page = admin_client.get(f"/admin/threads/{pinned['thread']}").text
    listed = [(int(depth), int(cid)) for _, depth, cid in _LISTED.findall(page)]
    depths = [min(n, settings.max_depth) for n in range(1, len(chain) + 1)]
    assert listed == [(1, pinned["id"]), *zip(depths, [c["id"] for c in chain], strict=True)]


def test_the_queues_actions_work_from_the_thread_view(admin_client, ctx, make_site):
    make_site("held", origins=(HELD,), moderation=ModerationMode.ALL)
    ids = [held_comment(admin_client, f"held {n}")["id"] for n in range(3)]
    thread = f"/admin/threads/{held_comment(admin_client, 'one more')['thread']}"
    for action, comment_id, status in (("approve", ids[0], "approved"), ("spam", ids[1], "spam")):
        response = act(
            admin_client, "/admin/comments", {"ids": comment_id, "action": action, "next": thread}, thread
        )
        assert response.status_code == 303 and response.headers["location"] == f"{thread}?done={action}&n=1"
        assert status_of(ctx, comment_id) == status
    asked = act(admin_client, "/admin/comments", {"ids": ids[2], "action": "delete", "next": thread}, thread)
    assert asked.status_code == 200 and "Delete 1 comment for good?" in asked.text
    assert status_of(ctx, ids[2]) == "pending"  # nothing deleted before the moderator confirms
    confirmed = {"ids": ids[2], "action": "delete", "next": thread, "confirmed": "yes"}
    act(admin_client, "/admin/comments", confirmed, thread)
    assert status_of(ctx, ids[2]) is None
    assert f'id="c{ids[2]}"' not in admin_client.get(thread).text
    forged = admin_client.post(
        f"{thread}/lock", data={"csrf": "forged", "locked": "1"}, follow_redirects=False
    )
    assert forged.status_code == 403 and "Lock the thread" in admin_client.get(thread).text


def test_the_thread_view_escapes_every_field(admin_client, make_site):
    make_site("held", origins=(HELD,), moderation=ModerationMode.ALL)
    xss = '"><script>alert(1)</script><img src=x onerror=alert(1)>'
    author = {"name": xss, "email": "eve@example.com", "website": f"https://eve.example/?q={xss}"}
    comment = held_comment(admin_client, xss, author=author, title=xss)
    page = admin_client.get(f"/admin/threads/{comment['thread']}").text
    main = page[page.index("<main>") : page.index("</main>")]
    assert executable_parts(main) == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in main  # name and title, shown as text
    assert f'id="c{comment["id"]}"' in main


def test_a_moderator_cannot_read_another_sites_thread(app, ctx, make_site, make_admin):
    make_site("blog")
    make_site("other", origins=("https://other.example",))
    make_admin("mo", superuser=False, sites=("blog",))
    with TestClient(app, headers=SAME_ORIGIN) as client:
        theirs = post(
            client, "https://other.example", site="other", url="https://other.example/x", body="not mine"
        )
        assert sign_in(client, "mo").status_code == 303
        refused = client.get(f"/admin/threads/{theirs['thread']}")
        assert refused.status_code == 403 and "not mine" not in refused.text
        assert client.get("/admin/threads/999999").status_code == 404


# Roles ---------------------------------------------------------------------------------------------------


def test_a_moderator_sees_and_acts_only_on_their_sites(app, ctx, make_site, make_admin):
    make_site("blog", moderation=ModerationMode.ALL)
    make_site("other", origins=("https://other.example",), moderation=ModerationMode.ALL)
    make_admin("mo", superuser=False, sites=("blog",))
    with TestClient(app, headers=SAME_ORIGIN) as client:
        mine = post(client, body="on my site")
        theirs = post(
            client, "https://other.example", site="other", url="https://other.example/x", body="not mine"
        )
        assert sign_in(client, "mo").status_code == 303
        queue = client.get("/admin").text
        assert "on my site" in queue and "not mine" not in queue
        refused = act(client, "/admin/comments", {"ids": theirs["id"], "action": "approve"})
        assert refused.status_code == 403
        assert status_of(ctx, theirs["id"]) == "pending"
        assert client.get(f"/admin/comments/{theirs['id']}").status_code == 403
        # Moderators moderate; only owners change the site's settings.
        assert client.get("/admin/sites/blog").status_code == 403
        assert act(client, "/admin/comments", {"ids": mine["id"], "action": "approve"}).status_code == 303
        assert status_of(ctx, mine["id"]) == "approved"


def test_owners_change_settings_and_name_moderators(app, ctx, make_site, make_admin):
    make_site("blog")
    make_admin("owner", superuser=False, sites=("blog",), role=Role.OWNER)
    with TestClient(app, headers=SAME_ORIGIN) as client:
        assert sign_in(client, "owner").status_code == 303
        page = "/admin/sites/blog"
        response = act(
            client,
            page,
            {
                "moderation": "first-time",
                "notify_moderators": "all",
                "max_links": "1",
                "min_post_seconds": "5",
                "close_after_days": "30",
                "blocked_words": "casino\ncheap pills",
                "blocked_names": "admin",
            },  # hold_link_only unticked
            page,
        )
        assert response.status_code == 303
        assert 'name="hold_link_only">' in client.get(page).text  # shown unticked now
        act(client, f"{page}/moderators", {"provider": "google", "provider_user_id": "g-123"}, page)
        assert "google:g-123 — moderator" in client.get(page).text
        refused = client.post(
            "/api/v1/comments", json=comment_payload(body="casino night"), headers={"Origin": BLOG}
        )
        assert refused.status_code == 422
    with ctx.db.read() as session:
        emails = moderators.moderator_emails(session, "blog")
        site = session.exec(
            text("SELECT moderation, max_links, hold_link_only FROM site WHERE id = 'blog'")
        ).one()
    assert tuple(site) == ("first-time", 1, False)
    assert emails == ["owner@mods.example"]


def test_the_site_page_names_the_site_once_in_its_heading(app, ctx, make_admin):
    sites.add_site(ctx.db, "blog", origins=(BLOG,), name="A small <b>blog</b>")
    make_admin("owner", superuser=False, sites=("blog",), role=Role.OWNER)
    with TestClient(app, headers=SAME_ORIGIN) as client:
        sign_in(client, "owner")
        html = client.get("/admin/sites/blog").text
    assert re.findall(r"<h1>(.*?)</h1>", html, re.S) == ["A small &lt;b&gt;blog&lt;/b&gt;"]
    assert "<title>A small &lt;b&gt;blog&lt;/b&gt; · commentbox</title>" in html
    assert "Site id <code>blog</code>" in html


MAIL_HINT = "Mail is not configured on this server"


def test_the_site_page_says_when_mail_is_not_configured(admin_client, settings):
    assert MAIL_HINT in admin_client.get("/admin/sites/blog").text
    mailing = create_app(settings.model_copy(update={"smtp_host": "127.0.0.1"}))
    try:
        with TestClient(mailing, headers=SAME_ORIGIN) as client:
            sign_in(client)
            html = client.get("/admin/sites/blog").text
    finally:
        mailing.state.ctx.db.dispose()
    assert "Site id <code>blog</code>" in html
    assert MAIL_HINT not in html


def test_hostile_form_bodies_are_refused(admin_client, settings, blog):
    token = csrf_of(admin_client.get("/admin").text)
    huge = admin_client.post(
        "/admin/comments",
        content="csrf=" + token + "&q=" + "x" * (settings.max_body_bytes + 10),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert huge.status_code == 413
    as_json = admin_client.post("/admin/comments", json={"csrf": token, "ids": [1], "action": "approve"})
    assert as_json.status_code == 422
    not_utf8 = admin_client.post(
        "/admin/comments",
        content=b"csrf=\xff\xfe",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert not_utf8.status_code in (403, 422)

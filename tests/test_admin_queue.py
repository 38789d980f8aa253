"""The queue's one-click buttons, the notice after each action with Undo for Trash, the
confirmation before deleting for good, the keyboard script's CSP nonce, and the site page's
editable fields with their errors — over HTTP, as the forms post them."""

from __future__ import annotations

import re

from sqlalchemy import text

from commentbox.domain import sites
from commentbox.store.models import ModerationMode
from tests.admin_support import act, csrf_of, post, status_of
from tests.support import BLOG
from tests.xss import PAYLOADS, executable_parts

_NONCE = re.compile(r"script-src 'nonce-([A-Za-z0-9_-]+)'")


def held(client, body: str = "held") -> int:
    return int(post(client, body=body)["id"])


def main_of(html: str) -> str:
    return html[html.index("<main>") : html.index("</main>")]


def test_one_click_acts_on_its_row_only_and_says_what_it_did(admin_client, ctx):
    sites.update_site(ctx.db, "blog", moderation=ModerationMode.ALL)
    first, second = held(admin_client, "first"), held(admin_client, "second")
    page = admin_client.get("/admin?status=pending").text
    assert f'value="approve:{first}"' in page and f'value="trash:{second}"' in page
    response = act(admin_client, "/admin/comments", {"act": f"approve:{first}", "ids": second})
    assert response.status_code == 303 and response.headers["location"] == "/admin?done=approve&n=1"
    assert status_of(ctx, first) == "approved" and status_of(ctx, second) == "pending"  # ticks ignored
    shown = admin_client.get(response.headers["location"]).text
    assert '<div class="notice" role="status">' in shown and "Approved 1 comment." in shown
    act(admin_client, "/admin/comments", {"act": f"spam:{second}"})
    assert status_of(ctx, second) == "spam"
    again = act(admin_client, "/admin/comments", {"act": f"spam:{second}"})
    assert "Nothing changed" in admin_client.get(again.headers["location"]).text


def test_trash_then_undo_gives_each_comment_back_its_status(admin_client, ctx):
    sites.update_site(ctx.db, "blog", moderation=ModerationMode.ALL)
    waiting, published = held(admin_client, "waiting"), held(admin_client, "published")
    act(admin_client, "/admin/comments", {"ids": published, "action": "approve"})
    response = act(admin_client, "/admin/comments", {"ids": [waiting, published], "action": "trash"})
    assert status_of(ctx, waiting) == status_of(ctx, published) == "trash"
    landed = admin_client.get(response.headers["location"]).text
    assert "Moved 2 comments to the trash." in landed
    undo = re.search(
        r'<form method="post" action="/admin/comments" class="inline">(.*?)</form>', landed, re.S
    )
    assert undo and 'name="action" value="restore"' in undo.group(1)
    fields = dict(re.findall(r'name="(csrf|next)" value="([^"]*)"', undo.group(1)))
    ids = re.findall(r'name="ids" value="(\d+)"', undo.group(1))
    assert sorted(map(int, ids)) == sorted([waiting, published])
    assert fields["next"] == "/admin"  # the notice is not carried on to the next page
    restored = act(admin_client, "/admin/comments", {"action": "restore", "ids": ids, "next": fields["next"]})
    assert status_of(ctx, waiting) == "pending" and status_of(ctx, published) == "approved"
    assert "Restored 2 comments to where they were." in admin_client.get(restored.headers["location"]).text


def test_the_trash_is_a_queue_filter_of_its_own(admin_client, ctx):
    trashed, kept = held(admin_client, "in the trash"), held(admin_client, "kept")
    act(admin_client, "/admin/comments", {"act": f"trash:{trashed}"})
    everything = admin_client.get("/admin").text
    assert f'id="c{trashed}"' not in everything and f'id="c{kept}"' in everything
    trash = admin_client.get("/admin?status=trash").text
    assert f'id="c{trashed}"' in trash and f'id="c{kept}"' not in trash
    assert f'value="restore:{trashed}"' in trash and "Restore selected" in trash


def test_deleting_for_good_asks_first_on_a_page_of_its_own(admin_client, ctx):
    ids = [held(admin_client, f"doomed {n}") for n in range(2)]
    asked = act(
        admin_client, "/admin/comments", {"ids": ids, "action": "delete", "next": "/admin?status=spam"}
    )
    assert asked.status_code == 200 and "Delete 2 comments for good?" in asked.text
    assert [status_of(ctx, i) for i in ids] == ["approved", "approved"]
    assert '<a class="cancel" href="/admin?status=spam">Cancel</a>' in asked.text
    confirm = {"ids": ids, "action": "delete", "confirmed": "yes", "next": "/admin?status=spam"}
    forged = admin_client.post(
        "/admin/comments",
        data={"csrf": csrf_of(asked.text), **confirm},
        headers={"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert forged.status_code == 403 and status_of(ctx, ids[0]) == "approved"
    done = act(admin_client, "/admin/comments", confirm)
    assert done.headers["location"] == "/admin?status=spam&done=delete&n=2"
    assert [status_of(ctx, i) for i in ids] == [None, None]
    one = held(admin_client, "from its own page")
    page = f"/admin/comments/{one}"
    gone = act(
        admin_client, "/admin/comments", {"act": f"delete:{one}", "next": page, "confirmed": "yes"}, page
    )
    assert gone.headers["location"].startswith("/admin?done=delete")  # its page went with it


def test_malformed_actions_are_refused_with_a_sentence(admin_client, ctx):
    one = held(admin_client)
    for fields in (
        {"act": "approve:abc"},
        {"act": "nuke:1"},
        {"action": "nuke", "ids": one},
        {"act": f"approve:{'9' * 12}"},
    ):
        response = act(admin_client, "/admin/comments", fields)
        assert response.status_code == 422, fields
        assert '<p class="problem">' in response.text
    assert status_of(ctx, one) == "approved"


def test_a_notice_cannot_be_made_to_say_anything_else(admin_client):
    for payload in PAYLOADS[:4]:
        page = admin_client.get("/admin", params={"done": payload, "n": "1", "ids": payload}).text
        assert 'class="notice"' not in page
    crafted = admin_client.get("/admin", params={"done": "trash", "n": "1", "ids": "1,<b>x</b>,2"}).text
    assert "Moved 1 comment to the trash." in crafted
    assert re.findall(
        r'name="ids" value="([^"]+)"', crafted.split('class="notice"')[1].split("</div>")[0]
    ) == ["1", "2"]
    assert executable_parts(main_of(crafted)) == []


def test_the_keyboard_script_runs_by_a_fresh_nonce_and_nothing_else_does(admin_client):
    post(admin_client, body="<script>window.__xss=1</script> hello")
    first, second = admin_client.get("/admin"), admin_client.get("/admin")
    nonces = []
    for response in (first, second):
        found = _NONCE.search(response.headers["content-security-policy"])
        assert found, response.headers["content-security-policy"]
        nonces.append(found.group(1))
        assert f'<script src="/admin/admin.js" nonce="{found.group(1)}" defer></script>' in response.text
        assert response.text.count("<script") == 1  # the comment's script tag was not kept
        assert "<kbd>j</kbd>" in response.text  # the shortcuts are listed on the page
    assert nonces[0] != nonces[1]
    script = admin_client.get("/admin/admin.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert 'button[data-key="${event.key}"]' in script.text


# The site page ---------------------------------------------------------------------------------


def _site_form(client) -> dict[str, str]:
    page = client.get("/admin/sites/blog").text
    form = page[page.index('action="/admin/sites/blog"') :]
    form = form[: form.index("</form>")]
    values = dict(re.findall(r'<input name="(\w+)"[^>]*value="([^"]*)"', form))
    values |= dict(re.findall(r'<textarea name="(\w+)"[^>]*>([^<]*)</textarea>', form))
    values |= {
        n: s for n, s in re.findall(r'<select name="(\w+)">.*?<option selected>([^<]+)</option>', form, re.S)
    }
    values |= {n: "on" for n in re.findall(r'<input type="checkbox" name="(\w+)" checked>', form)}
    return values


def test_origins_edit_windows_and_images_are_saved_from_the_site_page(admin_client, ctx):
    form = _site_form(admin_client)
    assert form["origins"] == BLOG and form["edit_window_seconds"] == "900"
    assert "allow_images" not in form
    form |= {
        "origins": f"{BLOG}\nhttps://www.blog.example:8443/some/path\n\n",
        "edit_window_seconds": "600",
        "user_edit_window_seconds": "86400",
        "allow_images": "on",
    }
    saved = act(admin_client, "/admin/sites/blog", form, "/admin/sites/blog")
    assert saved.status_code == 303 and saved.headers["location"] == "/admin/sites/blog?done=site"
    assert "Saved the site&#39;s settings." in admin_client.get(saved.headers["location"]).text
    site = sites.load_site(ctx.db, "blog")
    assert site.origins == [BLOG, "https://www.blog.example:8443"]
    assert (site.edit_window_seconds, site.user_edit_window_seconds, site.allow_images) == (600, 86400, True)
    again = _site_form(admin_client)
    assert again["origins"] == f"{BLOG}\nhttps://www.blog.example:8443" and again["allow_images"] == "on"
    # Removing a line removes the origin; unticking turns images off.
    act(
        admin_client,
        "/admin/sites/blog",
        again | {"origins": "https://www.blog.example:8443"} | {"allow_images": ""},
        "/admin/sites/blog",
    )
    site = sites.load_site(ctx.db, "blog")
    assert site.origins == ["https://www.blog.example:8443"] and site.allow_images is False


def test_a_refused_setting_keeps_what_was_typed_and_marks_the_field(admin_client, ctx):
    form = _site_form(admin_client)
    cases = {
        "origins": ("", "at least one origin"),
        "edit_window_seconds": ("-5", "whole number"),
        "user_edit_window_seconds": (str(366 * 86400), "from 0 to"),
        "max_links": ("many", "whole number"),
        "thread_write_limits": ("lots/fortnight", "thread_write_limits"),
    }
    for field, (value, sentence) in cases.items():
        refused = act(
            admin_client,
            "/admin/sites/blog",
            form | {field: value, "max_links": "7"} | ({field: value}),
            "/admin/sites/blog",
        )
        assert refused.status_code == 422, (field, refused.text)
        assert sentence in refused.text
        assert f'aria-invalid="true" aria-describedby="{field}-error"' in refused.text, field
        assert 'value="7"' in refused.text or field == "max_links"  # the rest of what was typed stays
    bad_origin = act(
        admin_client, "/admin/sites/blog", form | {"origins": "javascript:alert(1)"}, "/admin/sites/blog"
    )
    assert bad_origin.status_code == 422 and 'aria-describedby="origins-error"' in bad_origin.text
    site = sites.load_site(ctx.db, "blog")
    assert site.origins == [BLOG] and site.max_links == 3 and site.edit_window_seconds == 900


def test_hostile_text_in_every_site_field_is_shown_as_text(admin_client, ctx):
    form = _site_form(admin_client)
    for payload in PAYLOADS:
        for field in ("origins", "edit_window_seconds", "thread_write_limits", "blocked_words", "moderation"):
            response = act(admin_client, "/admin/sites/blog", form | {field: payload}, "/admin/sites/blog")
            assert (
                executable_parts(
                    main_of(
                        response.text
                        if response.status_code == 422
                        else admin_client.get("/admin/sites/blog").text
                    )
                )
                == []
            ), (field, payload)
    oversized = act(
        admin_client,
        "/admin/sites/blog",
        form | {"origins": "https://a.example\n" * 5000},
        "/admin/sites/blog",
    )
    assert oversized.status_code in (413, 422)
    with ctx.db.engine.connect() as connection:
        origins = connection.execute(text("SELECT origins FROM site WHERE id = 'blog'")).scalar_one()
    assert "script" not in str(origins)

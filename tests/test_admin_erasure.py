"""``/admin/sites/{site}/erase``: a moderator's erasure, counted and confirmed before it runs,
for their own sites only, recorded without saying whose."""

from __future__ import annotations

from starlette.testclient import TestClient

from commentbox.admin import moderators
from commentbox.store.models import Role
from tests.admin_support import PASSWORD, csrf_of, sign_in
from tests.support import SAME_ORIGIN
from tests.test_erasure import post, rows
from tests.test_erasure import sign_in as visitor_signs_in


def test_a_moderator_counts_confirms_and_erases_and_the_record_says_only_how_many(admin_client, client, ctx):
    post(client, body="one")
    post(client, body="two")
    post(client, body="a neighbour's", author={"name": "Bo", "email": "bo@example.com"})
    page = admin_client.get("/admin/sites/blog/erase")
    assert page.status_code == 200 and "None yet." in page.text
    form = {"csrf": csrf_of(page.text), "email": "ada@example.com"}

    asked = admin_client.post("/admin/sites/blog/erase", data=form)
    assert asked.status_code == 200 and "This erases <strong>2</strong> comment(s)" in asked.text
    assert rows(ctx, "SELECT count(*) FROM comment")[0][0] == 3  # nothing yet

    done = admin_client.post("/admin/sites/blog/erase", data={**form, "confirm": "yes"})
    assert done.status_code == 200 and "Erased 2 comment(s)" in done.text
    assert rows(ctx, "SELECT author_email FROM comment") == [("bo@example.com",)]
    assert rows(ctx, "SELECT requested_by, comments FROM erasure") == [("moderator root", 2)]
    listed = admin_client.get("/admin/sites/blog/erase").text
    assert "moderator root" in listed and "ada@example.com" not in listed


def test_a_signed_in_user_is_erased_by_id(admin_client, client, ctx):
    token = visitor_signs_in(ctx, "g-ada", "Ada King")
    post(client, body="signed in", token=token)
    user_id = rows(ctx, 'SELECT id FROM "user"')[0][0]
    form = {
        "csrf": csrf_of(admin_client.get("/admin/sites/blog/erase").text),
        "user": str(user_id),
        "confirm": "yes",
    }
    assert "Erased 1 comment(s)" in admin_client.post("/admin/sites/blog/erase", data=form).text
    assert rows(ctx, "SELECT count(*) FROM user_session")[0][0] == 0


def test_a_moderator_of_another_site_a_forged_form_or_nonsense_erases_nothing(app, ctx, client, make_site):
    make_site()
    make_site("shop", origins=("https://shop.example",))
    moderators.add_account(ctx.db, "shopkeeper", PASSWORD)
    moderators.grant(ctx.db, "shop", Role.MODERATOR, account_name="shopkeeper")
    post(client, body="stays")
    with TestClient(app, base_url="http://testserver", headers=SAME_ORIGIN) as shopkeeper:
        assert sign_in(shopkeeper, "shopkeeper").status_code == 303
        token = csrf_of(shopkeeper.get("/admin/sites/shop/erase").text)
        assert shopkeeper.get("/admin/sites/blog/erase").status_code == 403
        form = {"csrf": token, "email": "ada@example.com", "confirm": "yes"}
        assert shopkeeper.post("/admin/sites/blog/erase", data=form).status_code == 403
        forged = shopkeeper.post(
            "/admin/sites/shop/erase",
            data=form,
            headers={"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
        )
        assert forged.status_code == 403
        assert shopkeeper.post("/admin/sites/shop/erase", data={**form, "csrf": "wrong"}).status_code == 403
        for bad in (
            {"email": ""},
            {"email": "a@b.c", "user": "3"},
            {"email": "no address"},
            {"user": "x"},
            {"user": "0"},
        ):
            refused = shopkeeper.post(
                "/admin/sites/shop/erase", data={"csrf": token, "confirm": "yes", **bad}
            )
            assert refused.status_code == 422, bad
        xss = shopkeeper.post(
            "/admin/sites/shop/erase", data={"csrf": token, "email": '"><script>alert(1)</script>@x.y'}
        )
        assert xss.status_code == 200 and "<script>alert" not in xss.text and "&lt;script&gt;" in xss.text
    assert rows(ctx, "SELECT count(*) FROM comment")[0][0] == 1
    assert rows(ctx, "SELECT count(*) FROM erasure")[0][0] == 0

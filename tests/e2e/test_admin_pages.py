"""Every other /admin page a moderator clicks, in Chromium: signing in (password; X and
Facebook through the fake providers — Google is in test_moderation_flow.py), editing and
pinning a comment, locking a thread, adding and lifting bans, each site setting, adding
and removing moderators; hostile text in every field they type into, and the same forms
forged on another site."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from commentbox.admin import moderators
from commentbox.domain import sites
from commentbox.store.models import Role
from tests.e2e.admin_browser import PASSWORD, forge, moderator, notice, sign_in, status_of
from tests.e2e.conftest import Stack, running_stack, seed
from tests.fakes.facebook import FakeFacebook
from tests.fakes.twitter import FakeTwitter
from tests.xss import PAYLOADS, executable_parts

pytestmark = pytest.mark.browser
XSS = '"><script>window.__xss=1</script><img src=x onerror="window.__xss=1">'


def harmless(page: Page) -> None:
    """Nothing in the page ran, and nothing executable is in its markup."""
    assert page.evaluate("window.__xss") is None
    html = page.content()
    assert executable_parts(html[html.index("<main>") : html.index("</main>")]) == []


def test_a_moderator_signs_in_with_a_password_and_out(page: Page, stack: Stack):
    moderators.add_account(stack.ctx.db, "mia", PASSWORD)
    moderators.grant(stack.ctx.db, "blog", Role.MODERATOR, account_name="mia")
    sign_in(page, stack, "mia", "not the password")
    expect(page.locator(".problem")).to_have_text("Wrong name or password.")
    expect(page.locator("input[name=name]")).to_have_value("mia")
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Sign in')")
    expect(page.locator(".who")).to_have_text("mia")
    expect(page.locator("nav a", has_text="Site blog")).to_have_count(0)  # a moderator, not an owner
    page.click("button:has-text('Sign out')")
    expect(page.locator("h1")).to_have_text("Sign in to moderate")
    page.goto(stack.backend + "/admin")
    expect(page.locator("h1")).to_have_text("Sign in to moderate")


@pytest.mark.parametrize("provider", ["twitter", "facebook"])
def test_a_moderator_signs_in_with_x_or_facebook(
    page: Page,
    database_url: str,
    tmp_path: Path,
    all_providers: dict[str, Any],
    fake_twitter: FakeTwitter,
    fake_facebook: FakeFacebook,
    provider: str,
):
    fake = {"twitter": fake_twitter, "facebook": fake_facebook}[provider]
    label = {"twitter": "X", "facebook": "Facebook"}[provider]
    with running_stack(database_url, tmp_path, **all_providers) as stack:
        moderators.grant(
            stack.ctx.db, "blog", Role.MODERATOR, provider=provider, provider_user_id=fake.user.id
        )
        page.goto(stack.backend + "/admin")
        page.click(f"button:has-text('Sign in with {label}')")
        page.click("#approve")  # the provider's consent page
        expect(page.locator(".who")).to_have_text(f"{fake.user.name} ({label})")
        expect(page.locator("h1")).to_contain_text("Comments")


def test_edit_and_pin_a_comment_from_its_page(page: Page, stack: Stack):
    (comment_id,) = seed(stack, 1)
    moderator(page, stack)
    page.goto(stack.backend + "/admin")
    page.click(f"li#c{comment_id} a.open")
    page.fill("textarea[name=body]", "Corrected by a *moderator*\n\n" + "\n\n".join(PAYLOADS))
    page.click("button:has-text('Save')")
    expect(notice(page)).to_have_text("Saved your edit of the comment.")
    expect(page.locator("main > .text em").first).to_have_text("moderator")
    harmless(page)
    page.click("button:has-text('Pin to the top of the thread')")
    expect(notice(page)).to_have_text("Pinned the comment to the top of its thread.")
    page.click("button:has-text('Unpin')")
    expect(notice(page)).to_have_text("Unpinned the comment.")
    page.click("button:has-text('Pin to the top of the thread')")
    shown = httpx.get(stack.backend + "/api/v1/threads", params={"site": "blog", "url": stack.article()})
    (published,) = shown.json()["comments"]
    assert published["pinned"] is True and "Corrected by a <em>moderator</em>" in published["html"]


def test_lock_and_unlock_a_thread(page: Page, stack: Stack):
    (comment_id,) = seed(stack, 1)
    moderator(page, stack)
    page.goto(stack.backend + "/admin")
    page.click(f"li#c{comment_id} .where a")
    page.click("button:has-text('Lock the thread')")
    expect(notice(page)).to_have_text("Locked the thread: it takes no new comments.")
    expect(page.locator("p.where")).to_contain_text("locked")
    late = {
        "site": "blog",
        "url": stack.article(),
        "body": "late",
        "author": {"name": "L", "email": "l@example.com"},
    }
    refused = httpx.post(stack.backend + "/api/v1/comments", json=late, headers={"Origin": stack.blog})
    assert refused.status_code == 403, refused.text
    page.click("button:has-text('Unlock the thread')")
    expect(notice(page)).to_have_text("Unlocked the thread.")
    accepted = httpx.post(stack.backend + "/api/v1/comments", json=late, headers={"Origin": stack.blog})
    assert accepted.status_code == 201, accepted.text


def test_bans_are_added_from_a_comment_and_by_email_and_lifted(page: Page, stack: Stack):
    (comment_id,) = seed(stack, 1)
    moderator(page, stack)
    page.goto(f"{stack.backend}/admin/comments/{comment_id}")
    page.check("input[name=kind][value=email]")
    page.fill("form[action$='/ban'] input[name=reason]", XSS)
    page.click("form[action$='/ban'] button:has-text('Ban')")
    expect(notice(page)).to_have_text("Banned. Their next comment is refused.")

    page.click("nav a:has-text('Bans')")
    expect(page.locator("table.bans tbody tr")).to_have_count(1)
    expect(page.locator("table.bans tbody tr")).to_contain_text(XSS)  # shown as text
    page.fill("input[name=email]", "spammer@example.com")
    page.fill("input[name=days]", "7")
    page.fill("form.stack input[name=reason]", XSS)
    page.click("form.stack button:has-text('Ban')")
    expect(notice(page)).to_have_text("Banned. Their next comment is refused.")
    expect(page.locator("table.bans tbody tr", has_text="spammer@example.com")).to_contain_text("UTC")
    harmless(page)
    refused = httpx.post(
        stack.backend + "/api/v1/comments",
        json={
            "site": "blog",
            "url": stack.article(),
            "body": "again",
            "author": {"name": "S", "email": "r0@example.com"},
        },
        headers={"Origin": stack.blog},
    )
    assert refused.status_code == 403
    page.locator("table.bans tbody tr", has_text="spammer@example.com").locator(
        "button:has-text('Lift')"
    ).click()
    expect(notice(page)).to_have_text("Lifted the ban.")
    expect(page.locator("table.bans tbody tr")).to_have_count(1)


def test_every_site_setting_is_saved_from_the_site_page(page: Page, stack: Stack):
    moderator(page, stack)
    page.click("nav a:has-text('Site blog')")
    expect(page.locator("h1")).to_have_text("A small blog")
    typed = {
        "origins": f"{stack.blog}\nhttps://www.blog.example",
        "edit_window_seconds": "300",
        "user_edit_window_seconds": "3600",
        "max_links": "1",
        "thread_write_limits": "5/minute",
        "site_write_limits": "50/minute",
        "new_thread_limits": "30/hour",
        "same_text_limits": "2/day",
        "min_post_seconds": "4",
        "blocked_words": "casino\ncheap pills",
        "blocked_names": "admin",
        "close_after_days": "90",
    }
    for name, value in typed.items():
        page.fill(f"[name={name}]", value)
    page.select_option("select[name=moderation]", "first-time")
    page.select_option("select[name=notify_moderators]", "all")
    page.check("input[name=allow_images]")
    page.uncheck("input[name=hold_link_only]")
    page.click(".site-settings button:has-text('Save')")
    expect(notice(page)).to_have_text("Saved the site's settings.")
    for name, value in typed.items():
        expect(page.locator(f"[name={name}]")).to_have_value(value)
    site = sites.load_site(stack.ctx.db, "blog")
    assert site.origins == [stack.blog, "https://www.blog.example"]
    assert (site.edit_window_seconds, site.user_edit_window_seconds, site.allow_images) == (300, 3600, True)
    assert (site.moderation, site.notify_moderators, site.hold_link_only) == ("first-time", "all", False)
    assert (site.max_links, site.min_post_seconds, site.close_after_days) == (1, 4, 90)
    assert site.blocked_words == ["casino", "cheap pills"] and site.same_text_limits == "2/day"


def test_a_refused_setting_is_explained_next_to_its_field(page: Page, stack: Stack):
    moderator(page, stack)
    page.goto(stack.backend + "/admin/sites/blog")
    page.fill("[name=origins]", "not an origin " + XSS)
    page.fill("[name=max_links]", "2")
    page.click(".site-settings button:has-text('Save')")
    expect(page.locator("[name=origins]")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#origins-error")).to_contain_text("is not a valid origin")
    expect(page.locator("[name=max_links]")).to_have_value("2")  # what was typed stays
    harmless(page)
    page.fill("[name=origins]", "")
    page.click(".site-settings button:has-text('Save')")
    expect(page.locator("#origins-error")).to_have_text("A site needs at least one origin.")
    page.fill("[name=origins]", stack.blog)
    page.fill("[name=edit_window_seconds]", "-1")
    page.click(".site-settings button:has-text('Save')")
    expect(page.locator("#edit_window_seconds-error")).to_contain_text("whole number")
    for name in ("thread_write_limits", "blocked_words", "blocked_names", "edit_window_seconds"):
        page.fill(f"[name={name}]", XSS)
        page.click(".site-settings button:has-text('Save')")
        harmless(page)
    site = sites.load_site(stack.ctx.db, "blog")
    assert site.origins == [stack.blog] and site.max_links == 3


def test_owners_add_and_remove_moderators(page: Page, stack: Stack):
    moderators.add_account(stack.ctx.db, "bob", PASSWORD)
    moderator(page, stack)
    page.goto(stack.backend + "/admin/sites/blog")
    page.fill("input[name=account]", "bob")
    page.click(".site-moderators button:has-text('Add')")
    expect(notice(page)).to_have_text("Added them; they see this site at their next click.")
    page.select_option("select[name=provider]", "google")
    page.fill("input[name=provider_user_id]", XSS)
    page.click(".site-moderators button:has-text('Add')")
    expect(page.locator("ul.roles li", has_text="bob")).to_contain_text("bob — moderator")
    expect(page.locator("ul.roles li", has_text="google:")).to_contain_text(XSS)
    harmless(page)
    page.locator("ul.roles li", has_text="bob").locator("button:has-text('Remove')").click()
    expect(notice(page)).to_have_text("Removed them from this site's moderators.")
    expect(page.locator("ul.roles li", has_text="bob")).to_have_count(0)
    page.fill("input[name=account]", XSS)
    page.click(".site-moderators button:has-text('Add')")
    expect(page.locator(".problem")).to_be_visible()
    harmless(page)


def test_admin_forms_forged_on_another_site_are_refused(page: Page, stack: Stack):
    ids = seed(stack, 2)
    moderator(page, stack)
    page.goto(stack.backend + "/admin")
    csrf = page.locator("form.bulk input[name=csrf]").input_value()  # even the right token
    forgeries = [
        ("/admin/comments", {"csrf": csrf, "ids": ids, "action": "delete", "confirmed": "yes"}),
        ("/admin/comments", {"csrf": csrf, "act": f"trash:{ids[0]}"}),
        ("/admin/sites/blog", {"csrf": csrf, "origins": "https://evil.example"}),
        ("/admin/bans", {"csrf": csrf, "site": "blog", "email": "victim@example.com"}),
        ("/admin/sites/blog/moderators", {"csrf": csrf, "account": "root", "role": "owner"}),
        (f"/admin/comments/{ids[0]}/edit", {"csrf": csrf, "body": "defaced"}),
    ]
    for action, fields in forgeries:
        forge(page, stack, action, fields)
        expect(page.locator("body")).to_contain_text("This form was sent from another site.")
    assert [status_of(stack, i) for i in ids] == ["approved", "approved"]
    site = sites.load_site(stack.ctx.db, "blog")
    assert site.origins == [stack.blog]
    page.goto(stack.backend + "/admin/bans")
    expect(page.locator("p.empty")).to_have_text("Nobody is banned.")
    page.goto(f"{stack.backend}/admin/comments/{ids[0]}")
    expect(page.locator("textarea[name=body]")).to_have_value("Comment number 0")

"""A held comment, end to end in Chromium: the visitor posts (after the form-timing wait the
site asks for), a moderator approves it from the /admin queue, the visitor sees it published."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from commentbox.admin import moderators
from commentbox.domain import sites
from commentbox.store.models import ModerationMode, Role
from tests.e2e.conftest import Stack, post, running_stack, status, widget
from tests.fakes.facebook import FakeFacebook
from tests.fakes.google import FakeGoogle
from tests.fakes.twitter import FakeTwitter
from tests.signin import provider_settings

pytestmark = pytest.mark.browser
PASSWORD = "a long moderator password"


def test_a_moderator_approves_a_held_comment_and_the_visitor_sees_it_published(page: Page, stack: Stack):
    stack.moderate(ModerationMode.ALL)
    sites.update_site(stack.ctx.db, "blog", min_post_seconds=2)  # the real timing check, not switched off
    moderators.add_account(stack.ctx.db, "mia", PASSWORD)
    moderators.grant(stack.ctx.db, "blog", Role.MODERATOR, account_name="mia")

    page.goto(stack.article())
    widget(page)
    page.wait_for_timeout(2200)  # a person reads before writing; a bot posting at once gets a 429
    post(page, "Held until a moderator says yes")
    expect(status(page)).to_have_text("Thanks! Your comment is awaiting moderation.")
    expect(widget(page).locator(".cb-comment.cb-pending .cb-text")).to_have_text(
        "Held until a moderator says yes"
    )

    moderator = page.context.browser.new_page()
    try:
        moderator.goto(stack.backend + "/admin")
        moderator.fill("input[name=name]", "mia")
        moderator.fill("input[name=password]", PASSWORD)
        moderator.click("button:has-text('Sign in')")
        held = moderator.locator("li.comment", has_text="Held until a moderator says yes")
        expect(held.locator(".status")).to_have_text("pending")
        held.locator("input[name=ids]").check()
        moderator.click("text=Approve selected")
        expect(
            moderator.locator("li.comment", has_text="Held until a moderator says yes").locator(".status")
        ).to_have_text("approved")
    finally:
        moderator.close()

    page.reload()
    published = widget(page).locator(".cb-comment", has_text="Held until a moderator says yes")
    expect(published).to_have_count(1)
    expect(published).not_to_have_class("cb-pending")
    expect(widget(page).locator(".cb-count")).not_to_have_text("No comments yet")


def test_a_moderator_named_by_google_identity_signs_in_and_approves(
    page: Page,
    database_url: str,
    tmp_path: Path,
    fake_google: FakeGoogle,
    fake_twitter: FakeTwitter,
    fake_facebook: FakeFacebook,
):
    """A site names a Google identity as its moderator; that person signs in to /admin with
    Google in a real browser (whose session cookie is SameSite=Strict, after a cross-site
    round trip through the provider) and approves a held comment."""
    providers = provider_settings(fake_google, fake_twitter, fake_facebook)
    with running_stack(database_url, tmp_path, **providers) as stack:
        stack.moderate(ModerationMode.ALL)
        moderators.grant(
            stack.ctx.db, "blog", Role.MODERATOR, provider="google", provider_user_id=fake_google.user.id
        )
        page.goto(stack.article())
        post(page, "Waiting for a Google moderator")
        expect(status(page)).to_have_text("Thanks! Your comment is awaiting moderation.")

        moderator = page.context.browser.new_page()
        try:
            moderator.goto(stack.backend + "/admin")
            moderator.click("button:has-text('Sign in with Google')")
            moderator.click("#approve")  # the provider's consent page
            expect(moderator.locator(".who")).to_have_text(f"{fake_google.user.name} (Google)")
            held = moderator.locator("li.comment", has_text="Waiting for a Google moderator")
            held.locator("input[name=ids]").check()
            moderator.click("text=Approve selected")
            expect(held.locator(".status")).to_have_text("approved")
        finally:
            moderator.close()

        page.reload()
        published = widget(page).locator(".cb-comment", has_text="Waiting for a Google moderator")
        expect(published).not_to_have_class("cb-pending")

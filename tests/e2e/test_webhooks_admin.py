"""A site owner sets up a webhook in Chromium: adds the endpoint on the site's page, copies
the signing secret, sends a test event, watches a visitor's comment arrive in the delivery
log, and removes the endpoint — against a real receiver that verifies every signature."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from commentbox.admin import moderators
from commentbox.store.models import Role
from tests.e2e.conftest import Stack, post, running_stack, status, widget
from tests.fakes.webhooks import FakeReceiver

pytestmark = pytest.mark.browser
PASSWORD = "a long site owner password"


@pytest.fixture
def hook_stack(database_url: str, tmp_path: Path) -> Iterator[Stack]:
    """The stack, allowed to reach the receiver on 127.0.0.1 (refused by default)."""
    with running_stack(database_url, tmp_path, outbound_allow_hosts=["127.0.0.1"]) as running:
        moderators.add_account(running.ctx.db, "olga", PASSWORD)
        moderators.grant(running.ctx.db, "blog", Role.OWNER, account_name="olga")
        yield running


def test_an_owner_adds_tests_watches_and_removes_a_webhook(
    page: Page, hook_stack: Stack, webhook_receiver: FakeReceiver
):
    url = f"{webhook_receiver.url}/hook/ok"
    owner = page.context.browser.new_page()
    try:
        owner.goto(hook_stack.backend + "/admin")
        owner.fill("input[name=name]", "olga")
        owner.fill("input[name=password]", PASSWORD)
        owner.click("button:has-text('Sign in')")
        expect(owner.locator("main")).to_be_visible()
        owner.goto(hook_stack.backend + "/admin/sites/blog")
        expect(owner.locator("#webhooks ~ p.empty")).to_have_text("No webhook endpoints yet.")

        owner.fill("input[name=url]", url)
        owner.uncheck("input[name=events][value='comment.deleted']")
        owner.click("button:has-text('Add endpoint')")
        endpoint = owner.locator("section.webhook", has_text=url)
        expect(endpoint).to_contain_text(
            "Sends comment.created, comment.approved, comment.edited, linkback.received"
        )
        expect(endpoint.locator("tbody")).to_have_text("No deliveries yet.")

        endpoint.locator("summary", has_text="Signing secret").click()
        secret = endpoint.locator("code.secret")
        expect(secret).to_be_visible()
        webhook_receiver.secret = secret.inner_text()
        assert webhook_receiver.secret.startswith("whsec_")

        endpoint.locator("button", has_text="Send test event").click()
        first = owner.locator("section.webhook", has_text=url).locator("tbody tr").first
        expect(first.locator("td").nth(0)).to_have_text("webhook.test")
        expect(first.locator("td").nth(1)).to_have_text("204")
        expect(first.locator("td").nth(4)).to_have_text("delivered")

        # A visitor comments on the blog; the endpoint hears of it, signed.
        page.goto(hook_stack.article())
        widget(page)
        post(page, "Hello, webhook")
        expect(status(page)).to_have_text("Your comment was published.")
        created = webhook_receiver.wait_for(2)[1]
        assert created.verified and created.payload["type"] == "comment.created"
        assert created.payload["data"]["html"] == "<p>Hello, webhook</p>"
        assert b"ada@example.com" not in created.body

        owner.reload()
        first = owner.locator("section.webhook", has_text=url).locator("tbody tr").first
        expect(first.locator("td").nth(0)).to_have_text("comment.created")
        expect(first.locator("td").nth(4)).to_have_text("delivered")

        owner.locator("section.webhook", has_text=url).locator("button", has_text="Remove").click()
        expect(owner.locator("#webhooks ~ p.empty")).to_have_text("No webhook endpoints yet.")
    finally:
        owner.close()

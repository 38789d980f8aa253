""" "Your comments and data" in a real Chromium: a visitor signs in with (fake) Google on the
blog, writes, and opens the page as the widget does (a one-time link asked for with the
bearer, opened top-level on the backend's origin with third-party cookies blocked); there
they download their data, unsubscribe, sign out another device, and erase — and the blog's
thread shows "a former commenter" where replies hang."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from commentbox.store.models import Subscription
from tests.e2e.conftest import Stack, running_stack, seed, status, widget
from tests.e2e.test_widget_signin import _sign_in_with_google
from tests.fakes.google import FakeGoogle

pytestmark = pytest.mark.browser


@pytest.fixture
def providers_stack(database_url: str, tmp_path: Path, all_providers: dict[str, Any]) -> Iterator[Stack]:
    with running_stack(database_url, tmp_path, **all_providers) as running:
        yield running


def open_my_data(page: Page, stack: Stack) -> Page:
    """Click the widget's "Your comments and data": it asks for the one-time link with the
    session it holds and opens it in a new tab, top-level on the backend's origin."""
    with page.context.expect_page() as opened:
        widget(page).get_by_role("button", name="Your comments and data").click()
    mine = opened.value
    expect(mine.locator("h1")).to_have_text("Your comments and data on A small blog")
    assert mine.url == stack.backend + "/me?site=blog"  # the ticket is gone from the address bar
    page.close()
    return mine


def subscribe(stack: Stack, comment_id: int, email: str) -> None:
    with stack.ctx.db.write() as session:  # as notify.py stores it (mail has its own e2e test)
        session.add(Subscription(comment_id=comment_id, email=email, user_id=1, confirmed=True, nonce="n"))


def test_a_visitor_downloads_unsubscribes_signs_out_a_device_and_erases(
    browser: Browser, providers_stack: Stack, fake_google: FakeGoogle, tmp_path: Path
):
    stack = providers_stack
    laptop, phone = browser.new_context(accept_downloads=True), browser.new_context()
    try:
        page = laptop.new_page()
        root = _sign_in_with_google(page, stack.article())
        for body in ("Mine, *answered* later", "Mine, alone"):
            page.fill("#cb-body", body)
            page.click(".cb-submit")
            expect(status(page)).to_have_text("Your comment was published.")
        answered = int(
            root.locator(".cb-comment", has_text="answered later").first.get_attribute("data-id") or 0
        )
        seed(stack, 1, parent=answered)  # a reader answers the first one
        subscribe(stack, answered, "grace.hopper@example.com")
        _sign_in_with_google(phone.new_page(), stack.article())  # the same person, another device

        page = open_my_data(page, stack)
        comments = page.locator("tr.my-comment")
        expect(comments).to_have_count(2)
        expect(comments.first.locator(".text")).to_have_text("Mine, *answered* later")  # the source
        expect(page.locator("tr.my-session")).to_have_count(2)

        with page.expect_download() as downloading:
            page.click("#download")
        saved = tmp_path / "my-data.json"
        downloading.value.save_as(saved)
        data = json.loads(saved.read_text())
        assert [c["body"] for c in data["comments"]] == ["Mine, *answered* later", "Mine, alone"]
        assert data["identity"]["name"] == fake_google.user.name and len(data["subscriptions"]) == 1

        page.click("#unsubscribe")
        expect(page.get_by_role("status")).to_have_text(
            "You will get no more reply notifications from this site."
        )
        expect(page.locator("#unsubscribe")).to_have_count(0)

        other = page.locator("tr.my-session", has_text="signed in").filter(has_not_text="this browser")
        other.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("status")).to_have_text("That sign-in has ended.")
        on_phone = phone.pages[0]
        on_phone.reload()
        expect(widget(on_phone).get_by_role("button", name="Sign in with Google")).to_be_visible()

        page.click("#erase-button")  # the box is not ticked: the browser refuses to send
        expect(page.locator("h1")).to_have_text("Your comments and data on A small blog")
        page.check("input[name=confirm]")
        page.click("#erase-button")
        expect(page.locator("h1")).to_have_text("Your data was erased")
        expect(page.locator("#sentence")).to_contain_text("Erased: 2 comment(s)")

        page.goto(stack.article())
        root = widget(page)
        expect(root.locator(".cb-comment", has_text="Mine, alone")).to_have_count(0)
        tombstone = root.locator(".cb-deleted")
        expect(tombstone.locator(".cb-author").first).to_have_text("a former commenter")
        expect(tombstone.locator(".cb-comment", has_text="Comment number 0")).to_have_count(
            1
        )  # still under it
        expect(root.get_by_role("button", name="Sign in with Google")).to_be_visible()  # signed out here too
    finally:
        laptop.close()
        phone.close()


def test_the_page_without_a_ticket_says_how_to_get_there(page: Page, stack: Stack):
    page.goto(stack.backend + "/me?site=blog")
    expect(page.locator("#sentence")).to_contain_text("open “Your comments and data” from the comments")

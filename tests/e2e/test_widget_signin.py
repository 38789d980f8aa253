"""The loader's side of sign-in: the provider buttons and the "Commenting as" line.
(The protocol itself — popup, polling, redirect fallback, COOP — is covered by test_signin.py.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from commentbox.domain import sites
from tests.e2e.conftest import Stack, message, running_stack, status, widget
from tests.fakes.google import FakeGoogle

pytestmark = pytest.mark.browser


@pytest.fixture
def providers_stack(database_url: str, tmp_path: Path, all_providers: dict[str, Any]) -> Iterator[Stack]:
    with running_stack(database_url, tmp_path, **all_providers) as running:
        yield running


def test_provider_buttons_carry_the_brand_name_and_logo(page: Page, providers_stack: Stack):
    page.goto(providers_stack.article())
    root = widget(page)
    for name in ("Sign in with Google", "Sign in with X", "Continue with Facebook"):
        button = root.get_by_role("button", name=name, exact=True)
        expect(button).to_be_visible()
        expect(button.locator("svg.cb-logo")).to_have_attribute("aria-hidden", "true")


def test_signed_in_the_form_says_who_is_commenting_and_offers_log_out(
    page: Page, providers_stack: Stack, fake_google: FakeGoogle
):
    root = _sign_in_with_google(page, providers_stack.article())
    identity = root.locator(".cb-identity")
    expect(identity).to_have_text(
        f"Commenting as {fake_google.user.name} (Google) · Change · Log out · Log out everywhere"
        " · Your comments and data"
    )
    expect(root.locator(".cb-guest")).to_be_hidden()
    expect(root.locator(".cb-signin")).to_be_hidden()
    expect(page.locator("#cb-body")).to_be_focused()

    page.fill("#cb-body", "Signed in")
    page.click(".cb-submit")
    expect(status(page)).to_have_text("Your comment was published.")
    mine = root.locator(".cb-comment").first
    expect(mine.locator(".cb-via")).to_have_text("Google")
    expect(mine.locator(".cb-edit-btn")).to_be_visible()

    identity.get_by_role("button", name="Log out", exact=True).click()
    expect(status(page)).to_have_text("You are signed out.")
    expect(root.locator(".cb-guest")).to_be_visible()
    expect(root.get_by_role("button", name="Sign in with Google")).to_be_visible()


def _sign_in_with_google(page: Page, url: str) -> Locator:
    page.goto(url)
    root = widget(page)
    with page.expect_popup() as opened:
        root.get_by_role("button", name="Sign in with Google").click()
    popup = opened.value
    popup.locator("#approve").wait_for()
    with popup.expect_event("close"):
        popup.click("#approve")
    expect(root.locator(".cb-identity")).to_be_visible()
    return root


def test_log_out_everywhere_ends_the_session_on_another_device_too(
    browser: Browser, providers_stack: Stack, fake_google: FakeGoogle
):
    """Two browsers signed in as the same Google user; "Log out everywhere" in one of them
    signs the other out too (its stored token is refused on its next visit)."""
    phone, laptop = browser.new_context(), browser.new_context()
    try:
        on_phone = phone.new_page()
        on_laptop = laptop.new_page()
        _sign_in_with_google(on_laptop, providers_stack.article())
        phone_root = _sign_in_with_google(on_phone, providers_stack.article())

        phone_root.locator(".cb-identity").get_by_role("button", name="Log out everywhere").click()
        expect(status(on_phone)).to_have_text("You are signed out on every device.")

        on_laptop.reload()
        laptop_root = widget(on_laptop)
        expect(laptop_root.get_by_role("button", name="Sign in with Google")).to_be_visible()
        expect(laptop_root.locator(".cb-identity")).to_be_hidden()
        expect(laptop_root.locator(".cb-guest")).to_be_visible()
    finally:
        phone.close()
        laptop.close()


def test_a_signed_in_author_may_delete_after_the_sites_edit_window_closed(page: Page, providers_stack: Stack):
    """Signed-in authors edit within the site's window, and delete their comments for good."""
    sites.update_site(providers_stack.ctx.db, "blog", user_edit_window_seconds=1)
    root = _sign_in_with_google(page, providers_stack.article())
    page.fill("#cb-body", "Mine to delete later")
    page.click(".cb-submit")
    expect(status(page)).to_have_text("Your comment was published.")
    mine = root.locator(".cb-comment", has_text="Mine to delete later")
    expect(mine.locator(".cb-edit-btn")).to_be_visible()

    page.wait_for_timeout(1500)  # the site's edit window for signed-in authors closes
    page.reload()
    mine = widget(page).locator(".cb-comment", has_text="Mine to delete later")
    expect(mine.locator(".cb-del")).to_be_visible()
    expect(mine.locator(".cb-edit-btn")).to_have_count(0)
    mine.locator(".cb-del").click()
    mine.locator(".cb-del").click()  # "Really delete?"
    expect(message(page)).to_have_text("Your comment was deleted.")
    expect(widget(page).locator(".cb-comment", has_text="Mine to delete later")).to_have_count(0)


def test_a_signed_in_author_edits_and_deletes_on_another_device_too(
    browser: Browser, providers_stack: Stack, fake_google: FakeGoogle
):
    """Ownership of a signed-in author's comments follows the account, not the browser that
    posted: on the phone they appear once signed in (with the text to edit from the server),
    and go on signing out; another account never gets them."""
    laptop, phone = browser.new_context(), browser.new_context()
    try:
        on_laptop = laptop.new_page()
        _sign_in_with_google(on_laptop, providers_stack.article())
        for body in ("Typed on the *laptop*", "Second thoughts"):
            on_laptop.fill("#cb-body", body)
            on_laptop.click(".cb-submit")
            expect(status(on_laptop)).to_have_text("Your comment was published.")

        on_phone = phone.new_page()
        on_phone.goto(providers_stack.article())
        expect(widget(on_phone).locator(".cb-comment")).to_have_count(2)
        expect(widget(on_phone).locator(".cb-edit-btn, .cb-del")).to_have_count(0)  # not signed in here
        root = _sign_in_with_google(on_phone, providers_stack.article())
        first, second = (
            root.locator(".cb-thread > .cb-comment").nth(0),
            root.locator(".cb-thread > .cb-comment").nth(1),
        )
        first.locator(".cb-edit-btn").click()
        expect(first.locator(".cb-edit textarea")).to_have_value("Typed on the *laptop*")
        first.locator(".cb-edit textarea").fill("Fixed on the *phone*")
        first.locator(".cb-save").click()
        expect(first.locator(".cb-text em")).to_have_text("phone")
        second.locator(".cb-del").click()
        second.locator(".cb-del").click()  # "Really delete?"
        expect(message(on_phone)).to_have_text("Your comment was deleted.")
        expect(root.locator(".cb-comment")).to_have_count(1)

        root.locator(".cb-identity").get_by_role("button", name="Log out", exact=True).click()
        expect(root.locator(".cb-edit-btn, .cb-del")).to_have_count(0)

        on_laptop.reload()  # the laptop edits from the text as it is now, not as it was typed there
        mine = widget(on_laptop).locator(".cb-thread > .cb-comment").first
        mine.locator(".cb-edit-btn").click()
        expect(mine.locator(".cb-edit textarea")).to_have_value("Fixed on the *phone*")

        fake_google.user.id = "someone-else"
        root = _sign_in_with_google(on_phone, providers_stack.article())
        on_phone.fill("#cb-body", "Hers")
        on_phone.click(".cb-submit")
        expect(status(on_phone)).to_have_text("Your comment was published.")
        on_phone.reload()
        hers = widget(on_phone).locator(".cb-comment", has_text="Hers")
        expect(hers.locator(".cb-del")).to_be_visible()  # her list has arrived
        expect(widget(on_phone).locator(".cb-edit-btn, .cb-del")).to_have_count(2)  # hers only
    finally:
        phone.close()
        laptop.close()

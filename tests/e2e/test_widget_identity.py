"""The signed-in line in a real browser, as WordPress shows it ("You are commenting using
your Google account. Log Out / Change"): avatar and provider logo, Change, the fallback
to the generated avatar, and what a visitor sees when sign-in fails or the popup closes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import Stack, running_stack, screenshot, status, widget

pytestmark = pytest.mark.browser

IDENTICON = r"/avatars/[0-9a-f]{20}\.svg$"


def loaded(page: Page, selector: str) -> None:
    """Wait until every image matching ``selector`` in the widget has loaded (not broken)."""
    page.wait_for_function(
        "s => { const all = [...document.querySelector('#commentbox').shadowRoot.querySelectorAll(s)];"
        " return all.length && all.every(i => i.complete && i.naturalWidth > 0); }",
        arg=selector,
    )


@pytest.fixture
def providers_stack(database_url: str, tmp_path: Path, all_providers: dict[str, Any]) -> Iterator[Stack]:
    with running_stack(database_url, tmp_path, demo=True, **all_providers) as running:
        yield running


def open_popup(page: Page, provider: str) -> Page:
    with page.expect_popup() as opened:
        widget(page).locator(f".cb-provider-{provider}").click()
    popup = opened.value
    popup.locator("#approve").wait_for()
    return popup


def sign_in(page: Page, provider: str) -> Locator:
    popup = open_popup(page, provider)
    with popup.expect_event("close"):
        popup.click("#approve")
    line = widget(page).locator(".cb-identity")
    expect(line).to_be_visible()
    return line


def test_the_line_shows_avatar_and_logo_and_change_brings_back_the_choices(
    page: Page, providers_stack: Stack, tmp_path: Path
):
    page.goto(providers_stack.article())
    line = sign_in(page, "google")
    expect(line).to_have_text(
        "Commenting as Grace Hopper (Google) · Change · Log out · Log out everywhere · Your comments and data"
    )
    avatar = line.locator("img.cb-avatar")
    picture = re.escape(providers_stack.backend) + r"/avatars/\d+-[0-9a-f]{32}$"  # this server's copy
    expect(avatar).to_have_attribute("src", re.compile(picture))
    loaded(page, ".cb-identity img")
    expect(line.locator("svg.cb-logo")).to_have_count(1)  # Google's, as on its sign-in button
    screenshot(page.locator("#commentbox"), "widget-signed-in.png", tmp_path)

    line.get_by_role("button", name="Change").click()
    expect(status(page)).to_have_text("Signed out. Sign in another way, or comment as a guest below.")
    root = widget(page)
    expect(root.locator(".cb-identity")).to_be_hidden()
    expect(root.locator(".cb-guest")).to_be_visible()
    expect(root.locator(".cb-provider").first).to_be_focused()
    assert page.evaluate("localStorage.getItem('commentbox:blog:token')") is None

    line = sign_in(page, "twitter")  # another provider
    expect(line).to_contain_text("(X) · Change")
    page.reload()
    expect(widget(page).locator(".cb-identity")).to_contain_text("(X)")


def test_a_picture_that_fails_to_load_becomes_the_generated_avatar(page: Page, providers_stack: Stack):
    # This server stands in the identicon for a picture it cannot fetch; a picture can still
    # fail on the way to the reader (a dropped connection, a proxy, a blocker).
    page.route(re.compile(r"/avatars/\d+-[0-9a-f]{32}$"), lambda route: route.abort("connectionreset"))
    page.goto(providers_stack.article())
    line = sign_in(page, "google")
    avatar = line.locator("img.cb-avatar")
    expect(avatar).to_have_attribute("src", re.compile(re.escape(providers_stack.backend) + IDENTICON))
    loaded(page, ".cb-identity img")
    identicon = avatar.get_attribute("src") or ""

    page.fill("#cb-body", "With a broken picture")
    page.click(".cb-submit")
    expect(status(page)).to_have_text("Your comment was published.")
    page.reload()
    mine = widget(page).locator(".cb-comment", has_text="With a broken picture").locator(".cb-avatar")
    expect(mine).to_have_attribute("src", identicon)  # the thread's copy falls back to the same one
    loaded(page, ".cb-comment .cb-avatar")


def test_the_demo_visitor_reads_once(page: Page, providers_stack: Stack):
    page.goto(providers_stack.article())
    line = sign_in(page, "demo")
    expect(line).to_have_text(
        "Commenting as Demo Visitor (Demo) · Change · Log out · Log out everywhere · Your comments and data"
    )
    loaded(page, ".cb-identity img")  # the demo identity has an avatar


def test_a_denied_sign_in_says_so_in_one_sentence_and_the_guest_form_is_there(
    page: Page, providers_stack: Stack
):
    page.goto(providers_stack.article())
    popup = open_popup(page, "google")
    with popup.expect_event("close"):
        popup.click("#deny")
    expect(status(page)).to_have_text(
        "Sign-in did not work: You cancelled signing in with Google. You can try again or comment as a guest."
    )
    expect(widget(page).locator(".cb-guest")).to_be_visible()
    expect(widget(page).locator(".cb-identity")).to_be_hidden()


def test_closing_the_popup_says_so_and_the_guest_form_is_there(page: Page, providers_stack: Stack):
    page.goto(providers_stack.article())
    popup = open_popup(page, "google")
    expect(status(page)).to_have_text("Finish signing in in the window that opened.")
    popup.close()
    page.bring_to_front()
    expect(status(page)).to_have_text(
        "The sign-in window was closed. Try again, or comment as a guest below."
    )
    expect(widget(page).locator(".cb-guest")).to_be_visible()
    page.fill("#cb-name", "Ada")  # and it works as a guest
    page.fill("#cb-email", "ada@example.com")
    page.fill("#cb-body", "As a guest after all")
    page.click(".cb-submit")
    expect(status(page)).to_have_text("Your comment was published.")

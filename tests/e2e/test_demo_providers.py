"""``serve --demo`` with no provider configured: demo Google, X and Facebook, served by the
backend itself, signed in with through the real Authlib flows in real Chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from commentbox.http.demo_providers import facebook, google, twitter
from tests.e2e.conftest import Stack, running_stack
from tests.e2e.test_signin import TIMEOUT_MS, guest_fields, identity, open_article, sign_in_with_popup

pytestmark = pytest.mark.browser

DEMOS = {"google": google.PROVIDER, "twitter": twitter.PROVIDER, "facebook": facebook.PROVIDER}


@pytest.fixture
def demo_stack(database_url: str, tmp_path: Path) -> Iterator[Stack]:
    with running_stack(database_url, tmp_path, demo=True) as running:
        yield running


@pytest.mark.parametrize("provider", sorted(DEMOS))
def test_each_demo_provider_signs_in_from_the_popup_and_the_comment_names_it(
    page: Page, demo_stack: Stack, provider: str
) -> None:
    demo = DEMOS[provider]
    open_article(page, demo_stack.article())
    with page.expect_popup() as opened:
        page.click(f"#commentbox .cb-provider-{provider}")
    popup = opened.value
    popup.locator("#approve").wait_for(timeout=TIMEOUT_MS)
    assert popup.url.startswith(demo_stack.backend + "/demo-providers/")  # no third party
    expect(popup.locator("#demo-label")).to_contain_text(f"no {demo.label} account is involved")
    with popup.expect_event("close", timeout=TIMEOUT_MS):
        popup.click("#approve")
    expect(identity(page)).to_contain_text(demo.identity.name, timeout=TIMEOUT_MS)
    expect(guest_fields(page)).to_be_hidden()

    page.fill("#cb-body", f"Hello from demo {provider}")
    page.click(".cb-submit")
    mine = page.locator("#commentbox .cb-comment", has_text=f"Hello from demo {provider}")
    expect(mine).to_be_visible(timeout=TIMEOUT_MS)
    expect(mine.locator(".cb-author").first).to_contain_text(demo.identity.name)
    expect(mine.locator(".cb-via")).to_have_text(demo.label)
    avatar = mine.locator("img").first
    expect(avatar).to_have_attribute("src", f"{demo_stack.backend}/avatars/{demo.identity.avatar_key}.svg")


def test_a_demo_provider_signs_in_full_page_with_popups_blocked(page: Page, demo_stack: Stack) -> None:
    page.add_init_script("window.open = () => null;")
    open_article(page, demo_stack.article())
    page.click("#commentbox .cb-provider-google")
    page.locator("#approve").wait_for(timeout=TIMEOUT_MS)  # demo Google, in this tab
    page.click("#approve")
    page.wait_for_url(re.compile(re.escape(demo_stack.article())), timeout=TIMEOUT_MS)
    expect(identity(page)).to_contain_text(google.PROVIDER.identity.name, timeout=TIMEOUT_MS)
    page.fill("#cb-body", "Full page, demo Google")
    page.click(".cb-submit")
    mine = page.locator("#commentbox .cb-comment", has_text="Full page, demo Google")
    expect(mine.locator(".cb-via")).to_have_text("Google", timeout=TIMEOUT_MS)


def test_cancelling_on_a_demo_provider_brings_the_guest_form_back(page: Page, demo_stack: Stack) -> None:
    open_article(page, demo_stack.article())
    with page.expect_popup() as opened:
        page.click("#commentbox .cb-provider-twitter")
    popup = opened.value
    popup.locator("#deny").wait_for(timeout=TIMEOUT_MS)
    popup.click("#deny")
    expect(guest_fields(page)).to_be_visible(timeout=TIMEOUT_MS)
    expect(identity(page)).to_be_hidden()


def test_the_generic_demo_identity_is_still_offered(page: Page, demo_stack: Stack) -> None:
    open_article(page, demo_stack.article())
    sign_in_with_popup(page, "demo")
    expect(identity(page)).to_contain_text("Demo Visitor", timeout=TIMEOUT_MS)

"""Sign-in pages that post a form back to this server, clicked in real Chromium.

Those pages send no referrer, so Chromium posts them with ``Origin: null`` and
``Sec-Fetch-Site: same-origin``: a check that looked only at ``Origin`` refused every real
browser while the HTTP tests, which set ``Origin`` by hand, passed. These tests let the
browser send its own headers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text

from commentbox.services import Context
from tests.e2e.conftest import Stack, running_stack
from tests.e2e.test_signin import TIMEOUT_MS, guest_fields, identity, open_article, sign_in_with_popup
from tests.fakes.twitter import FakeTwitter

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_stack(database_url: str, tmp_path: Path, all_providers: dict[str, Any]) -> Iterator[Stack]:
    with running_stack(database_url, tmp_path, demo=True, **all_providers) as running:
        yield running


def new_login(stack: Stack) -> str:
    """A login id for the blog, as the widget asks for one."""
    response = httpx.post(
        stack.backend + "/auth/logins",
        json={"site": "blog", "origin": stack.blog},
        headers={"Origin": stack.blog},
    )
    assert response.status_code == 201
    login: str = response.json()["login"]
    return login


def redeem(stack: Stack, login: str) -> httpx.Response:
    return httpx.post(stack.backend + f"/auth/logins/{login}/redeem", headers={"Origin": stack.blog})


def sessions(ctx: Context) -> int:
    with ctx.db.engine.connect() as connection:
        count: int = connection.execute(text("SELECT count(*) FROM user_session")).scalar_one()
    return count


def test_the_demo_identity_signs_in_from_the_popup(page: Page, demo_stack: Stack) -> None:
    open_article(page, demo_stack.article())
    sign_in_with_popup(page, "demo")
    expect(identity(page)).to_contain_text("Demo Visitor", timeout=TIMEOUT_MS)
    expect(guest_fields(page)).to_be_hidden()
    page.fill("#cb-body", "Hello from the demo identity")
    page.click(".cb-submit")
    mine = page.locator("#commentbox .cb-comment", has_text="Hello from the demo identity")
    expect(mine).to_be_visible(timeout=TIMEOUT_MS)


def test_the_demo_identity_signs_in_with_popups_blocked(page: Page, demo_stack: Stack) -> None:
    page.add_init_script("window.open = () => null;")
    open_article(page, demo_stack.article())
    page.click("#commentbox .cb-provider-demo")
    page.locator("#approve").wait_for(timeout=TIMEOUT_MS)  # the demo consent page, in this tab
    page.click("#approve")
    page.wait_for_url(re.compile(re.escape(demo_stack.article())), timeout=TIMEOUT_MS)
    expect(identity(page)).to_contain_text("Demo Visitor", timeout=TIMEOUT_MS)


def test_a_demo_form_forged_on_another_site_signs_nobody_in(page: Page, demo_stack: Stack) -> None:
    login = new_login(demo_stack)
    before = sessions(demo_stack.ctx)
    page.goto(demo_stack.article())  # another origin than the backend's, like an attacker's page
    page.evaluate(
        """([action, login]) => {
            const form = document.createElement("form");
            form.method = "post";
            form.action = action;
            for (const [name, value] of [["site", "blog"], ["login", login]]) {
                const field = document.createElement("input");
                field.type = "hidden"; field.name = name; field.value = value;
                form.append(field);
            }
            document.body.append(form);
            form.submit();
        }""",
        [demo_stack.backend + "/auth/demo/login", login],
    )
    page.wait_for_url(demo_stack.backend + "/auth/demo/login", timeout=TIMEOUT_MS)
    expect(page.locator("body")).to_contain_text("Sign in from the demo page of this server.")
    assert redeem(demo_stack, login).status_code == 202  # still pending: nobody signed in
    assert sessions(demo_stack.ctx) == before


def test_a_sign_in_page_opened_from_elsewhere_asks_first_and_then_signs_in(
    page: Page, demo_stack: Stack, fake_twitter: FakeTwitter
) -> None:
    login = new_login(demo_stack)
    page.goto(f"{demo_stack.backend}/auth/twitter/login?site=blog&login={login}")  # no referrer
    expect(page.locator("h1")).to_have_text(f"Sign in with X to comment on {demo_stack.blog}?")
    page.click("#continue")
    page.locator("#approve").wait_for(timeout=TIMEOUT_MS)  # the provider's consent page
    page.click("#approve")
    expect(page.locator("body")).to_contain_text(f"You are signed in as {fake_twitter.user.name}")
    redeemed = redeem(demo_stack, login)
    assert redeemed.status_code == 200 and redeemed.json()["user"]["name"] == fake_twitter.user.name

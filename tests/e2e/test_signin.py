"""Sign-in in real Chromium, third-party cookies blocked (its default here), through the widget.

The backend runs as ``http://localhost:A``; the example blog (site ``blog``) as
``http://127.0.0.1:B`` and a second site's page (``other``) as ``http://127.0.0.1:C``, each
embedding the widget with one script tag; the fake providers run on their own ports. All
are real uvicorn servers (``running_stack`` in ``conftest.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from commentbox.domain import sites
from commentbox.services import Context
from tests.e2e.conftest import running_stack
from tests.fakes.base import FakeProvider
from tests.fakes.facebook import FakeFacebook
from tests.fakes.google import FakeGoogle
from tests.fakes.server import ServerThread
from tests.fakes.twitter import FakeTwitter
from tests.signin import PROVIDERS, provider_settings

pytestmark = pytest.mark.browser

ARTICLE_PATH = "/posts/hello/"
TIMEOUT_MS = 15_000


def other_blog(backend: str) -> Starlette:
    """A second site's article (site ``other``), embedding the widget with one script tag."""

    async def article(request: Request) -> Response:
        return HTMLResponse(
            f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Another blog</title></head><body><main><article><h1>Hello from another blog</h1>
</article><section id="comments"><div id="commentbox"></div></section></main>
<script src="{backend}/embed.js" data-site="other" async></script></body></html>"""
        )

    return Starlette(routes=[Route(ARTICLE_PATH, article)])


@dataclass
class SignInStack:
    backend: str
    blog: str
    other: str
    ctx: Context
    fakes: dict[str, FakeProvider]

    @property
    def article(self) -> str:
        return self.blog + ARTICLE_PATH


@pytest.fixture
def stack(
    database_url: str,
    tmp_path: Path,
    fake_google: FakeGoogle,
    fake_twitter: FakeTwitter,
    fake_facebook: FakeFacebook,
) -> Iterator[SignInStack]:
    """The example blog (site ``blog``) and a second site (``other``), all three providers set."""
    settings = provider_settings(fake_google, fake_twitter, fake_facebook)
    with (
        running_stack(database_url, tmp_path, **settings) as running,
        ServerThread(other_blog(running.backend)) as other,
    ):
        sites.add_site(running.ctx.db, "other", origins=[other.url], name="Another blog")
        sites.update_site(running.ctx.db, "other", min_post_seconds=0)
        fakes: dict[str, FakeProvider] = {
            "google": fake_google,
            "twitter": fake_twitter,
            "facebook": fake_facebook,
        }
        yield SignInStack(running.backend, running.blog, other.url, running.ctx, fakes)


def open_article(page: Page, url: str) -> None:
    page.goto(url)
    page.locator("#commentbox .cb-root").wait_for(timeout=TIMEOUT_MS)


def identity(page: Page) -> Any:
    return page.locator("#commentbox .cb-identity")


def guest_fields(page: Page) -> Any:
    return page.locator("#commentbox .cb-guest")


def sign_in_with_popup(page: Page, provider: str) -> None:
    with page.expect_popup() as opened:
        page.click(f"#commentbox .cb-provider-{provider}")
    popup = opened.value
    popup.locator("#approve").wait_for(timeout=TIMEOUT_MS)
    with popup.expect_event("close", timeout=TIMEOUT_MS):
        popup.click("#approve")


@pytest.mark.parametrize("provider", PROVIDERS)
def test_sign_in_with_the_popup_comment_reload_and_log_out(
    page: Page, stack: SignInStack, provider: str
) -> None:
    fake = stack.fakes[provider]
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    open_article(page, stack.article)
    expect(guest_fields(page)).to_be_visible()
    sign_in_with_popup(page, provider)
    expect(identity(page)).to_contain_text(fake.user.name, timeout=TIMEOUT_MS)
    expect(guest_fields(page)).to_be_hidden()

    page.fill("#cb-body", f"Signed in with {provider}")
    page.click(".cb-submit")
    comment = page.locator("#commentbox .cb-comment", has_text=f"Signed in with {provider}")
    expect(comment).to_be_visible(timeout=TIMEOUT_MS)
    expect(comment.locator(".cb-author").first).to_contain_text(fake.user.name)
    avatar = comment.locator("img").first
    ours = re.compile(rf"^{re.escape(stack.backend)}/avatars/\d+-[0-9a-f]{{32}}$")
    expect(avatar).to_have_attribute("src", ours)
    expect(avatar).to_have_js_property("complete", True)
    assert avatar.evaluate("img => img.naturalWidth") == 48  # the provider's picture, as we serve it
    assert fake.absolute(fake.user.picture) not in asked  # the reader's browser never asked the provider
    assert page.evaluate("() => document.cookie") == ""  # nothing on the blog's side but storage

    page.reload()
    page.locator("#commentbox .cb-root").wait_for()
    expect(identity(page)).to_contain_text(fake.user.name, timeout=TIMEOUT_MS)
    comment = page.locator("#commentbox .cb-comment", has_text=f"Signed in with {provider}")
    expect(comment).to_be_visible()

    page.click("#commentbox .cb-logout")
    expect(guest_fields(page)).to_be_visible(timeout=TIMEOUT_MS)
    expect(identity(page)).to_be_hidden()
    assert page.evaluate("() => localStorage.getItem('commentbox:blog:token')") is None
    page.reload()
    page.locator("#commentbox .cb-root").wait_for()
    expect(guest_fields(page)).to_be_visible()


def test_blocked_popup_falls_back_to_a_full_page_sign_in(page: Page, stack: SignInStack) -> None:
    page.add_init_script("window.open = () => null;")
    open_article(page, stack.article + "?utm_source=x")
    page.click("#commentbox .cb-provider-google")
    page.locator("#approve").wait_for(timeout=TIMEOUT_MS)  # the provider's page, in this tab
    page.click("#approve")
    page.wait_for_url(re.compile(re.escape(stack.article)), timeout=TIMEOUT_MS)
    expect(identity(page)).to_contain_text(stack.fakes["google"].user.name, timeout=TIMEOUT_MS)
    assert page.url == stack.article + "?utm_source=x"  # same article, nothing left in the address
    assert "commentbox-login" not in page.evaluate("() => location.href")


def test_a_consent_page_that_severs_the_opener_still_signs_in_by_polling(
    page: Page, stack: SignInStack
) -> None:
    fake = stack.fakes["twitter"]
    fake.coop = True  # Cross-Origin-Opener-Policy: same-origin on the consent page
    open_article(page, stack.article)
    with page.expect_popup() as opened:
        page.click("#commentbox .cb-provider-twitter")
    popup = opened.value
    popup.locator("#approve").wait_for(timeout=TIMEOUT_MS)
    page.wait_for_timeout(5000)  # a person reading the consent page; the widget keeps waiting
    popup.click("#approve")
    expect(identity(page)).to_contain_text(fake.user.name, timeout=TIMEOUT_MS)


def test_a_token_for_one_site_is_refused_on_another_and_a_login_id_works_once(
    page: Page, stack: SignInStack
) -> None:
    open_article(page, stack.article)
    with page.expect_response(lambda r: r.url.endswith("/auth/logins")) as issued:
        sign_in_with_popup(page, "facebook")
    login = issued.value.json()["login"]
    expect(identity(page)).to_contain_text(stack.fakes["facebook"].user.name, timeout=TIMEOUT_MS)
    token = page.evaluate("() => localStorage.getItem('commentbox:blog:token')")
    assert token

    again = page.evaluate(
        """async ([base, login]) => {
            const r = await fetch(base + "/auth/logins/" + login + "/redeem",
                                  {method: "POST", credentials: "omit"});
            return r.status;
        }""",
        [stack.backend, login],
    )
    assert again == 410

    other = page.context.new_page()
    other.goto(stack.other + ARTICLE_PATH)
    other.evaluate("(token) => localStorage.setItem('commentbox:other:token', token)", token)
    with other.expect_response(lambda r: "/api/v1/me" in r.url) as me:
        other.reload()
    assert me.value.status == 401
    other.locator("#commentbox .cb-root").wait_for()
    expect(guest_fields(other)).to_be_visible(timeout=TIMEOUT_MS)
    expect(identity(other)).to_be_hidden()
    status = other.evaluate(
        """async ([base, token]) => {
            const r = await fetch(base + "/api/v1/comments", {
                method: "POST", credentials: "omit",
                headers: {"Content-Type": "application/json", Authorization: "Bearer " + token},
                body: JSON.stringify({site: "other", url: location.href, body: "hijack"})});
            return r.status;
        }""",
        [stack.backend, token],
    )
    assert status == 401
    # The loader dropped the refused token; the blog's own token still works there.
    assert other.evaluate("() => localStorage.getItem('commentbox:other:token')") is None
    page.reload()
    page.locator("#commentbox .cb-root").wait_for()
    expect(identity(page)).to_contain_text(stack.fakes["facebook"].user.name, timeout=TIMEOUT_MS)

"""The README's first command, as a newcomer runs it, clicked through in Chromium.

``commentbox serve --demo`` starts as a subprocess in an empty folder with no settings at
all; the demo article it names is opened in the browser, and the visitor does what the
article invites: post, reply, edit, sign in (in a popup, then with popups blocked), post
signed in, log out. Nothing is seeded or configured behind the browser's back.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import post, status, widget
from tests.e2e.test_signin import TIMEOUT_MS, guest_fields, identity, sign_in_with_popup
from tests.instances import CHECKOUT, free_port

pytestmark = pytest.mark.browser

# Each sign-in the demo offers, and how the signed-in line names it.
PROVIDERS_SHOWN = (("demo", "(Demo)"), ("google", "(Google)"), ("twitter", "(X)"), ("facebook", "(Facebook)"))
READING_SECONDS = 3.5  # a person reads before writing (the demo site's form timing wants 3 s)


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMENTBOX_")}
    env["PYTHONPATH"] = str(CHECKOUT)  # this checkout, whatever copy is installed
    process = subprocess.Popen(
        [sys.executable, "-m", "commentbox", "serve", "--demo", "--port", str(port)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    try:
        said = [process.stdout.readline() for _ in range(4)]
        opened = [re.search(r"open (http://\S+) for the demo article", line) for line in said]
        found = next((m for m in opened if m), None)
        assert found, said
        _wait_until_up(found.group(1))
        yield found.group(1)
    finally:
        process.terminate()
        process.wait(timeout=15)
        process.stdout.close()
    assert [p.name for p in tmp_path.iterdir()] == ["commentbox-data"]


def _wait_until_up(base: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(base + "healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "the server did not come up"
        time.sleep(0.1)


def test_the_demo_article_invites_and_everything_it_invites_works(page: Page, demo_server: str):
    page.goto(demo_server)
    root = widget(page)
    page.wait_for_timeout(READING_SECONDS * 1000)
    post(page, "My *first* comment")
    expect(status(page)).to_have_text("Your comment was published.", timeout=TIMEOUT_MS)
    first = root.locator(".cb-thread > .cb-comment").first
    expect(first.locator(".cb-text em")).to_have_text("first")

    first.locator(".cb-reply").click()
    post(page, "And a reply to it")
    reply = first.locator(".cb-replies > .cb-comment")
    expect(reply.locator(".cb-text")).to_have_text("And a reply to it", timeout=TIMEOUT_MS)

    reply.locator(".cb-edit-btn").click()
    reply.locator(".cb-edit textarea").fill("And a *better* reply")
    reply.locator(".cb-save").click()
    expect(reply.locator(".cb-text em")).to_have_text("better", timeout=TIMEOUT_MS)

    for provider, shown in (
        ("demo", "(Demo)"),
        ("google", "(Google)"),
        ("twitter", "(X)"),
        ("facebook", "(Facebook)"),
    ):
        sign_in_with_popup(page, provider)  # the demo pages of each, served by this server
        expect(identity(page)).to_contain_text(shown, timeout=TIMEOUT_MS)
        if provider != "facebook":
            identity(page).get_by_role("button", name="Change").click()
            expect(guest_fields(page)).to_be_visible(timeout=TIMEOUT_MS)
    page.fill("#cb-body", "Signed in this time")
    page.click(".cb-submit")
    mine = root.locator(".cb-comment", has_text="Signed in this time")
    expect(mine).to_be_visible(timeout=TIMEOUT_MS)

    page.click("#commentbox .cb-logout")
    expect(guest_fields(page)).to_be_visible(timeout=TIMEOUT_MS)
    expect(root.locator(".cb-comment")).to_have_count(3)


def test_the_demo_sign_in_works_with_popups_blocked(browser: Browser, demo_server: str):
    context = browser.new_context()
    context.add_init_script("window.open = () => null;")
    page = context.new_page()
    for provider, shown in (
        ("demo", "Demo Visitor"),
        ("google", "(Google)"),
        ("twitter", "(X)"),
        ("facebook", "(Facebook)"),
    ):
        page.goto(demo_server)
        widget(page)
        page.click(f"#commentbox .cb-provider-{provider}")
        page.locator("#approve").wait_for(timeout=TIMEOUT_MS)  # the demo consent page, in this tab
        page.click("#approve")
        page.wait_for_url(re.compile(re.escape(demo_server)), timeout=TIMEOUT_MS)
        expect(identity(page)).to_contain_text(shown, timeout=TIMEOUT_MS)
        page.click("#commentbox .cb-logout")
        expect(guest_fields(page)).to_be_visible(timeout=TIMEOUT_MS)
    context.close()


def test_the_demo_article_has_its_own_icon_and_fits_a_phone(page: Page, demo_server: str):
    missing: list[str] = []
    page.on("response", lambda r: r.status >= 400 and missing.append(r.url))
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(demo_server)
    widget(page)
    assert (
        page.locator("link[rel=icon]")
        .get_attribute("href", timeout=TIMEOUT_MS)
        .startswith("data:image/svg+xml,")
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # nothing wider than the screen
    assert missing == []


def _command(folder: Path, *argv: str, stdin: str = "") -> str:
    """A CLI command as the owner types it beside the running demo, in the same folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMENTBOX_")}
    env["PYTHONPATH"] = str(CHECKOUT)
    done = subprocess.run(
        [sys.executable, "-m", "commentbox", *argv],
        cwd=folder, env=env, input=stdin, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_moderator_made_with_the_cli_approves_with_one_click_and_the_keyboard(
    page: Page, demo_server: str, tmp_path: Path
):
    _command(tmp_path, "site", "update", "demo", "--moderation", "all")
    _command(tmp_path, "admin", "add", "mia", "--site", "demo", "--password-stdin", stdin="a long password\n")
    page.goto(demo_server)
    widget(page)
    page.wait_for_timeout(READING_SECONDS * 1000)
    for body in ("Held for a click", "Held for a key"):
        post(page, body)
        expect(status(page)).to_have_text("Thanks! Your comment is awaiting moderation.", timeout=TIMEOUT_MS)

    moderator = page.context.new_page()
    moderator.goto(demo_server + "admin")
    moderator.fill("input[name=name]", "mia")
    moderator.fill("input[name=password]", "a long password")
    moderator.click("button:has-text('Sign in')")
    moderator.click("nav a:has-text('Queue')")
    moderator.locator("li.comment", has_text="Held for a click").locator("button", has_text="Approve").click()
    expect(moderator.locator(".notice p")).to_have_text("Approved 1 comment.")
    moderator.keyboard.press("j")  # the one left waiting
    expect(moderator.locator("li.comment.current")).to_contain_text("Held for a key")
    moderator.keyboard.press("a")
    expect(moderator.locator(".notice p")).to_have_text("Approved 1 comment.")
    expect(moderator.locator("li.comment")).to_have_count(0)  # the queue is empty

    page.reload()
    published = widget(page).locator(".cb-comment:not(.cb-pending)")
    expect(published.filter(has_text="Held for a click")).to_have_count(1)
    expect(published.filter(has_text="Held for a key")).to_have_count(1)

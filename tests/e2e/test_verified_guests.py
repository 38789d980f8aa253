"""A verified guest's link, in Chromium: the blog's page asks (by the widget's calls, from
the blog's origin, through CORS), the link opens in another browser context from mail a real
SMTP server received, a person presses the button, and the page that asked collects the
session by its poll."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import Stack, message, post, running_stack, status, widget
from tests.e2e.test_mail_links import link
from tests.fakes.smtp import SMTPServer

pytestmark = pytest.mark.browser

ASK = """async ([backend, origin]) => {
  const json = {"Content-Type": "application/json"};
  const issued = await fetch(backend + "/auth/logins", {method: "POST", headers: json,
    body: JSON.stringify({site: "blog", origin})});
  const {login} = await issued.json();
  const asked = await fetch(backend + "/api/v1/guests/verify", {method: "POST", headers: json,
    body: JSON.stringify({site: "blog", login, email: "ada@example.com", name: "Ada"})});
  return {login, status: asked.status, body: await asked.json()};
}"""
REDEEM = """async ([backend, login]) => {
  const answer = await fetch(backend + "/auth/logins/" + login + "/redeem", {method: "POST"});
  return {status: answer.status, body: answer.status === 200 ? await answer.json() : null};
}"""


@pytest.fixture
def smtp() -> Iterator[SMTPServer]:
    server = SMTPServer().start()
    yield server
    server.stop()


@pytest.fixture
def mail_stack(database_url: str, tmp_path: Path, smtp: SMTPServer) -> Iterator[Stack]:
    settings = {"smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_security": "none"}
    with running_stack(database_url, tmp_path, smtp_retry_seconds=0.2, **settings) as running:
        yield running


def test_a_guest_verifies_by_the_mailed_link_in_another_browser(
    page: Page, browser: Browser, mail_stack: Stack, smtp: SMTPServer
):
    page.goto(mail_stack.article())
    asked: dict[str, Any] = page.evaluate(ASK, [mail_stack.backend, mail_stack.blog])
    assert asked["status"] == 202 and asked["body"]["status"] == "sent"
    (message,) = smtp.inbox.wait_for(1)
    assert message["To"] == "ada@example.com"

    other = browser.new_context()  # the mail is read elsewhere: no storage shared with the page
    mailbox = other.new_page()
    mailbox.goto(link(message, "/auth/email/"))
    expect(mailbox.locator("h1")).to_contain_text(mail_stack.blog)
    assert page.evaluate(REDEEM, [mail_stack.backend, asked["login"]])["status"] == 202
    mailbox.get_by_role("button", name="Sign me in").click()
    expect(mailbox.locator("#sentence")).to_contain_text("signed in as Ada")
    other.close()

    redeemed = page.evaluate(REDEEM, [mail_stack.backend, asked["login"]])
    assert redeemed["status"] == 200
    user = redeemed["body"]["user"]
    assert (user["name"], user["provider"]) == ("Ada", "email")


def verify_in_the_widget(page: Page, browser: Browser, stack: Stack, smtp: SMTPServer, mails: int) -> None:
    """Ask with the widget's button, open the mailed link in another browser, press it."""
    page.goto(stack.article())
    root = widget(page)
    page.fill("#cb-name", "Ada")
    page.fill("#cb-email", "ada@example.com")
    root.get_by_role("button", name="Verify my email to edit from any device").click()
    expect(message(page)).to_have_text(
        "Check your mailbox: the link we sent signs you in here within 30 minutes."
    )
    mail = smtp.inbox.wait_for(mails)[-1]
    reader = browser.new_context()
    mailbox = reader.new_page()
    mailbox.goto(link(mail, "/auth/email/"))
    mailbox.get_by_role("button", name="Sign me in").click()
    expect(mailbox.locator("#sentence")).to_contain_text("signed in as Ada")
    reader.close()
    expect(root.locator(".cb-identity")).to_contain_text("Commenting as Ada (email)")


def test_a_guest_verifies_from_the_widget_and_edits_on_another_device(
    page: Page, browser: Browser, mail_stack: Stack, smtp: SMTPServer
):
    verify_in_the_widget(page, browser, mail_stack, smtp, 1)
    post(page, "Written on the laptop")
    expect(status(page)).to_have_text("Your comment was published.")

    phone = browser.new_context().new_page()  # another device: nothing shared with the laptop
    verify_in_the_widget(phone, browser, mail_stack, smtp, 2)
    found = widget(phone).locator(".cb-comment", has_text="Written on the laptop")
    mine = widget(phone).locator(f"#comment-{found.get_attribute('data-id')}")
    mine.get_by_role("button", name="Edit").click()
    mine.locator(".cb-edit textarea").fill("Edited on the phone")
    mine.get_by_role("button", name="Save").click()
    expect(mine.locator(":scope > .cb-card > .cb-text")).to_have_text("Edited on the phone")
    page.reload()
    expect(widget(page).locator(".cb-comment > .cb-card > .cb-text")).to_have_text("Edited on the phone")

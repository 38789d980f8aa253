"""The links in commentbox's emails, opened in Chromium from mail a real SMTP server received.

Mail goes out by authenticated submission with STARTTLS (``tests/fakes/smtp.Submission``);
each link opens a page whose button posts a form back to this server, which is where a
browser's own ``Origin: null`` once met a check that only HTTP tests had passed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pydantic import SecretStr

from commentbox.admin import moderators
from commentbox.domain import sites
from commentbox.store.models import ModerationMode, NotifyModerators
from tests.e2e.conftest import Stack, post, running_stack, status, widget
from tests.fakes.smtp import Submission

pytestmark = pytest.mark.browser

MODERATOR = "moderator@blog.example"
TIMEOUT_MS = 15_000


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[Submission]:
    server = Submission(tmp_path / "smtp-ca.pem").start()
    yield server
    server.stop()


@pytest.fixture
def mail_stack(database_url: str, tmp_path: Path, smtp: Submission) -> Iterator[Stack]:
    settings = {
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp.port,
        "smtp_security": "starttls",
        "smtp_username": Submission.USERNAME,
        "smtp_password": SecretStr(Submission.PASSWORD),
        "smtp_ca_file": str(smtp.ca_file),
        "smtp_retry_seconds": 0.2,
    }
    with running_stack(database_url, tmp_path, **settings) as running:
        moderators.add_account(running.ctx.db, "mod", "long enough password", email=MODERATOR, superuser=True)
        yield running


def link(message: EmailMessage, path: str) -> str:
    """The first link in the plain-text part whose path starts with ``path``."""
    body = message.get_body(("plain",))
    assert body is not None
    found = re.findall(r"https?://[^\s<>]+", body.get_content())
    return next(url for url in found if path in url)


def test_a_moderator_approves_from_the_link_in_their_mail(page: Page, mail_stack: Stack, smtp: Submission):
    mail_stack.moderate(ModerationMode.ALL)
    page.goto(mail_stack.article())
    widget(page)
    post(page, "Held until someone looks")
    expect(status(page)).to_contain_text("moderat", timeout=TIMEOUT_MS)
    (message,) = smtp.inbox.wait_for(1)
    assert message["To"] == MODERATOR

    page.goto(link(message, "/admin/act/"))
    expect(page.locator("h1")).to_have_text("Approve this comment?")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("main")).to_contain_text("The comment was approved.")

    page.goto(mail_stack.article())
    expect(widget(page).locator(".cb-comment", has_text="Held until someone looks")).to_be_visible()
    page.goto(link(message, "/admin/act/"))
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("main")).to_contain_text("used already")  # a link acts once


def test_a_guest_confirms_reply_mail_and_leaves_with_the_unsubscribe_link(
    page: Page, mail_stack: Stack, smtp: Submission
):
    sites.update_site(mail_stack.ctx.db, "blog", notify_moderators=NotifyModerators.NONE)
    page.goto(mail_stack.article())
    widget(page)
    page.check("#commentbox input[name=notify]")
    post(page, "Tell me when someone answers", email="ada@example.com")
    expect(status(page)).to_have_text("Your comment was published.", timeout=TIMEOUT_MS)
    (confirmation,) = smtp.inbox.wait_for(1)
    assert confirmation["To"] == "ada@example.com"

    page.goto(link(confirmation, "/notifications/confirm/"))
    page.get_by_role("button", name="Yes, email me about replies").click()
    expect(page.locator("h1")).to_have_text("Confirmed")

    page.goto(mail_stack.article())
    reply_to = widget(page).locator(".cb-comment", has_text="Tell me when someone answers")
    reply_to.locator(".cb-reply").first.click()
    post(page, "Here is an answer", name="Bob", email="bob@example.com")
    reply = smtp.inbox.wait_for(2)[-1]
    assert reply["To"] == "ada@example.com" and "Here is an answer" in str(reply.get_body(("plain",)))

    page.goto(link(reply, "/notifications/unsubscribe/"))
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.locator("main")).to_contain_text("No more of these emails to ada@example.com.")

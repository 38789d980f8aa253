"""What the browser tests of /admin share: a moderator signed in through the real form, the
stored status of a comment, and a form forged on another site that submits itself."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect
from sqlalchemy import text

from commentbox.admin import moderators
from tests.e2e.conftest import Stack

PASSWORD = "a long moderator password"


def sign_in(page: Page, stack: Stack, name: str = "root", password: str = PASSWORD) -> None:
    page.goto(stack.backend + "/admin")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("button:has-text('Sign in')")


def moderator(page: Page, stack: Stack) -> Page:
    """``page`` signed in as ``root``, a superuser (owner of every site)."""
    moderators.add_account(stack.ctx.db, "root", PASSWORD, superuser=True)
    sign_in(page, stack)
    expect(page.locator(".who")).to_have_text("root")
    return page


def status_of(stack: Stack, comment_id: int) -> str | None:
    with stack.ctx.db.engine.connect() as connection:
        query = text("SELECT status FROM comment WHERE id = :id")
        return connection.execute(query, {"id": comment_id}).scalar_one_or_none()


def notice(page: Page) -> Any:
    return page.locator(".notice p")


def forge(page: Page, stack: Stack, action: str, fields: dict[str, Any]) -> None:
    """Open the blog (another site than the backend) and submit a form to ``action`` from it,
    as an attacker's page would; ``fields`` may even hold the moderator's real CSRF token."""
    page.goto(stack.article())
    page.evaluate(
        """([action, fields]) => {
            const form = document.createElement("form");
            form.method = "post";
            form.action = action;
            for (const [name, values] of Object.entries(fields)) {
                for (const value of [].concat(values)) {
                    const field = document.createElement("input");
                    field.type = "hidden"; field.name = name; field.value = String(value);
                    form.append(field);
                }
            }
            document.body.append(form);
            form.submit();
        }""",
        [stack.backend + action, fields],
    )
    page.wait_for_url(stack.backend + action)

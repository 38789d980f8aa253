"""The moderation queue in Chromium: one-click buttons, the notice after each action, Undo
for Trash, the keyboard, bulk delete behind its confirmation page, and the screenshot of
the queue for docs/moderation.md."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from commentbox.store.models import ModerationMode
from tests.e2e.admin_browser import moderator, notice, status_of
from tests.e2e.conftest import Stack, screenshot, seed

pytestmark = pytest.mark.browser


def row(page: Page, comment_id: int):
    return page.locator(f"li#c{comment_id}")


def held(stack: Stack, count: int) -> list[int]:
    stack.moderate(ModerationMode.ALL)
    return seed(stack, count, expect_status=202)


def test_one_click_approve_spam_and_trash_with_undo(page: Page, stack: Stack):
    first, second, third = held(stack, 3)
    moderator(page, stack)
    page.goto(stack.backend + "/admin?status=pending")
    row(page, first).locator("button", has_text="Approve").click()
    expect(notice(page)).to_have_text("Approved 1 comment.")
    expect(row(page, first)).to_have_count(0)  # the pending view lost it
    assert status_of(stack, first) == "approved"

    row(page, second).locator("button", has_text="Spam").click()
    expect(notice(page)).to_have_text("Marked 1 comment as spam.")
    assert status_of(stack, second) == "spam"

    row(page, third).locator("button", has_text="Trash").click()
    expect(notice(page)).to_have_text("Moved 1 comment to the trash.")
    assert status_of(stack, third) == "trash"
    page.click(".notice button:has-text('Undo')")
    expect(notice(page)).to_have_text("Restored 1 comment to where it was.")
    assert status_of(stack, third) == "pending"
    expect(row(page, third).locator(".status")).to_have_text("pending")
    expect(page.locator(".notice button")).to_have_count(0)  # no Undo of an Undo


def test_the_keyboard_moves_and_acts_like_the_buttons(page: Page, stack: Stack):
    ids = held(stack, 4)  # listed newest first
    newest_first = list(reversed(ids))
    moderator(page, stack)
    page.goto(stack.backend + "/admin?status=pending")
    expect(page.locator("#keys")).to_contain_text("approve")
    page.keyboard.press("j")
    expect(row(page, newest_first[0])).to_have_class("comment status-pending current")
    page.keyboard.press("j")
    page.keyboard.press("k")
    page.keyboard.press("j")
    expect(row(page, newest_first[1])).to_have_class("comment status-pending current")
    page.keyboard.press("a")
    expect(notice(page)).to_have_text("Approved 1 comment.")
    assert status_of(stack, newest_first[1]) == "approved"
    # The list reloaded without it: the comment now in its place is the current one.
    expect(row(page, newest_first[2])).to_have_class("comment status-pending current")
    page.keyboard.press("s")
    expect(notice(page)).to_have_text("Marked 1 comment as spam.")
    assert status_of(stack, newest_first[2]) == "spam"
    page.keyboard.press("k")
    page.keyboard.press("k")
    expect(row(page, newest_first[0])).to_have_class("comment status-pending current")
    page.keyboard.press("d")
    expect(notice(page)).to_have_text("Moved 1 comment to the trash.")
    assert status_of(stack, newest_first[0]) == "trash"
    # Keys typed into a field are text, not shortcuts.
    page.fill("input[name=q]", "")
    page.click("input[name=q]")
    page.keyboard.type("asd")
    expect(page.locator("input[name=q]")).to_have_value("asd")
    assert status_of(stack, newest_first[3]) == "pending"


def test_bulk_delete_asks_first_and_cancel_keeps_everything(page: Page, stack: Stack):
    doomed = held(stack, 3)
    moderator(page, stack)
    page.goto(stack.backend + "/admin?status=pending")
    for comment_id in doomed[:2]:
        row(page, comment_id).locator("input[name=ids]").check()
    page.click("button:has-text('Delete selected for good…')")
    expect(page.locator("h1")).to_have_text("Delete 2 comments for good?")
    page.click("a.cancel")
    expect(page.locator("h1")).to_contain_text("Comments")
    assert [status_of(stack, i) for i in doomed] == ["pending"] * 3

    for comment_id in doomed[:2]:
        row(page, comment_id).locator("input[name=ids]").check()
    page.click("button:has-text('Delete selected for good…')")
    page.click("button:has-text('Delete for good')")
    expect(notice(page)).to_have_text("Deleted 2 comments for good.")
    assert [status_of(stack, i) for i in doomed] == [None, None, "pending"]
    row(page, doomed[2]).locator("input[name=ids]").check()
    page.click("button:has-text('Trash selected')")
    page.goto(stack.backend + "/admin?status=trash")
    row(page, doomed[2]).locator("button", has_text="Restore").click()
    expect(notice(page)).to_have_text("Restored 1 comment to where it was.")
    assert status_of(stack, doomed[2]) == "pending"


def test_a_screenshot_of_the_queue(page: Page, stack: Stack, tmp_path: Path):
    """docs/admin-queue.png, refreshed when COMMENTBOX_SCREENSHOTS=1 (as the widget's are)."""
    ids = held(stack, 3)
    moderator(page, stack)
    page.set_viewport_size({"width": 1000, "height": 760})
    page.goto(stack.backend + "/admin?status=pending")
    row(page, ids[0]).locator("button", has_text="Trash").click()
    expect(notice(page)).to_contain_text("Moved 1 comment to the trash.")
    page.keyboard.press("j")
    screenshot(page, "admin-queue.png", tmp_path)

"""Editing and reading Markdown in a real browser: edit mode (Save primary, Cancel, a
preview, the action row out of the way) and comment Markdown styled for a comment."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import Stack, post, status, widget

pytestmark = pytest.mark.browser

MARKDOWN = "# A heading\n\nSome `inline code` here.\n\n- one\n- two"


def style(locator: Locator, prop: str) -> str:
    return str(locator.evaluate("(e, p) => getComputedStyle(e)[p]", prop))


def px(locator: Locator, prop: str) -> float:
    return float(style(locator, prop).removesuffix("px"))


def test_comment_markdown_is_styled_for_a_comment_in_the_thread_and_the_preview(page: Page, stack: Stack):
    page.goto(stack.article())
    root = widget(page)
    page.fill("#cb-body", MARKDOWN)
    root.locator(".cb-form .cb-preview-toggle").click()
    preview = root.locator(".cb-form .cb-preview")
    expect(preview.locator("h1")).to_have_text("A heading")
    in_preview = {
        "heading": px(preview.locator("h1"), "fontSize") / px(preview.locator("p").first, "fontSize"),
        "bullet": style(preview.locator("li").first, "listStyleType"),
    }
    root.locator(".cb-form .cb-preview-toggle").click()
    post(page, MARKDOWN)
    expect(status(page)).to_have_text("Your comment was published.")

    text = root.locator(".cb-comment .cb-text")
    heading = px(text.locator("h1"), "fontSize") / px(text.locator("p").first, "fontSize")
    assert 1 <= heading <= 1.1  # barely larger than the text, not a page title
    assert in_preview == {"heading": heading, "bullet": "disc"}
    assert style(text.locator("li").first, "listStyleType") == "disc"  # as in the preview
    code = style(text.locator("code"), "backgroundColor")
    assert code not in ("rgba(0, 0, 0, 0)", style(root, "backgroundColor"))  # on a tint


def test_edit_mode_has_save_primary_cancel_and_a_preview_and_hides_the_actions(page: Page, stack: Stack):
    page.goto(stack.article())
    root = widget(page)
    post(page, "First take")
    expect(status(page)).to_have_text("Your comment was published.")
    mine = root.locator(".cb-thread > .cb-comment").first
    actions = mine.locator("> .cb-card > .cb-actions")

    mine.locator(".cb-edit-btn").click()
    edit = mine.locator(".cb-edit")
    expect(actions).to_be_hidden()  # no Reply or votes under a comment being edited
    expect(edit.locator("button")).to_have_text(["Preview", "Cancel", "Save"])
    save, submit = edit.locator(".cb-save"), root.locator(".cb-form .cb-submit")
    assert style(save, "backgroundColor") == style(submit, "backgroundColor")  # the primary button
    assert style(save, "backgroundColor") != style(edit.locator(".cb-edit-cancel"), "backgroundColor")

    edit.locator("textarea").fill("Second **take**")
    edit.locator(".cb-preview-toggle").click()
    expect(edit.locator(".cb-preview strong")).to_have_text("take")
    expect(edit.locator("textarea")).to_be_hidden()
    edit.locator(".cb-preview-toggle").click()  # back to writing, text intact
    expect(edit.locator("textarea")).to_have_value("Second **take**")

    edit.locator(".cb-edit-cancel").click()
    expect(mine.locator(".cb-edit")).to_have_count(0)
    expect(actions).to_be_visible()
    expect(mine.locator(".cb-text")).to_have_text("First take")

    mine.locator(".cb-edit-btn").click()
    mine.locator(".cb-edit textarea").fill("   ")
    mine.locator(".cb-save").click()  # nothing to save: said beside the buttons, nothing sent
    expect(mine.locator(".cb-msg")).to_have_text("Please check: Comment.")
    mine.locator(".cb-edit textarea").fill("Second **take**")
    mine.locator(".cb-save").click()
    expect(mine.locator(".cb-text strong")).to_have_text("take")
    expect(mine.locator("> .cb-card > .cb-actions")).to_be_visible()
    expect(mine.locator(".cb-msg")).to_have_text("Your changes were saved.")

"""A guest's whole story in a real browser: post, reply, edit, delete, others' votes, and the
refusals a visitor can meet — on the example blog, embedded from another site."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route, expect
from sqlalchemy import update
from sqlmodel import select

from commentbox.admin import actions
from commentbox.domain import sites
from commentbox.store.models import Comment, CommentStatus, ModerationMode
from tests.e2e.conftest import PAGE_SIZE, Stack, message, post, running_stack, seed, status, widget

pytestmark = pytest.mark.browser


@pytest.fixture
def proxied_stack(database_url: str, tmp_path: Path) -> Iterator[Stack]:
    """The backend behind a trusted proxy on 127.0.0.1: readers can come from other addresses."""
    with running_stack(database_url, tmp_path, trusted_proxies=["127.0.0.1/32"]) as running:
        yield running


def from_elsewhere(page: Page, address: str) -> None:
    """The page's calls to the API arrive as from ``address`` (as the proxy would say)."""

    def forwarded(route: Route) -> None:
        route.continue_(headers={**route.request.headers, "x-forwarded-for": address})

    page.route("**/api/v1/**", forwarded)


def test_a_guest_posts_replies_edits_deletes_and_readers_vote(page: Page, proxied_stack: Stack):
    stack = proxied_stack
    page.goto(stack.article())
    root = widget(page)
    expect(root.locator(".cb-count")).to_have_text("No comments yet")

    post(page, "First **post**")
    expect(status(page)).to_have_text("Your comment was published.")
    first = root.locator(".cb-thread > .cb-comment").first
    expect(first.locator(".cb-text strong")).to_have_text("post")
    expect(first.locator(".cb-author")).to_have_text("Ada")
    expect(first.locator("time")).to_have_text("just now")
    expect(root.locator(".cb-count")).to_have_text("1 response to “Hello, world”")

    first.locator(".cb-reply").click()
    expect(root.locator(".cb-replying")).to_have_text("Replying to Ada")
    expect(page.locator("#cb-body")).to_be_focused()
    post(page, "A reply", name="Bob", email="bob@example.com")
    reply = first.locator(".cb-replies > .cb-comment")
    expect(reply.locator(".cb-text")).to_have_text("A reply")
    expect(root.locator(".cb-count")).to_have_text("2 responses to “Hello, world”")
    expect(root.locator(".cb-replying")).to_be_hidden()  # the form went back to the top

    reply.locator(".cb-edit-btn").click()
    reply.locator(".cb-edit textarea").fill("A *better* reply")
    reply.locator(".cb-save").click()
    expect(reply.locator(".cb-text em")).to_have_text("better")
    expect(reply.locator(".cb-edited")).to_have_text("edited")

    # No vote buttons on one's own comments (the server would refuse the vote) ...
    expect(first.locator("> .cb-card .cb-up")).to_be_hidden()
    expect(first.locator("> .cb-card .cb-score")).to_have_text("Score: 0")

    # ... another reader, in their own browser and from their own address, votes.
    reader = page.context.browser.new_context()
    try:
        other = reader.new_page()
        from_elsewhere(other, "198.51.100.7")
        other.goto(stack.article())
        theirs = widget(other).locator(".cb-thread > .cb-comment").first
        theirs.locator("> .cb-card .cb-up").click()
        expect(theirs.locator("> .cb-card .cb-score")).to_have_text("Score: 1")
        expect(theirs.locator("> .cb-card .cb-up")).to_have_attribute("aria-pressed", "true")

        other.reload()
        theirs = widget(other).locator(".cb-thread > .cb-comment").first
        expect(theirs.locator("> .cb-card .cb-score")).to_have_text("Score: 1")
        expect(theirs.locator("> .cb-card .cb-up")).to_have_attribute("aria-pressed", "true")
        theirs.locator("> .cb-card .cb-up").click()  # pressing again withdraws the vote
        expect(theirs.locator("> .cb-card .cb-score")).to_have_text("Score: 0")
    finally:
        reader.close()

    # The parent has a reply: deleting it leaves a tombstone; the reply goes entirely.
    first.locator("> .cb-card .cb-del").click()
    first.locator("> .cb-card .cb-del").click()  # "Really delete?"
    expect(first.locator("> .cb-card")).to_have_text("This comment was deleted.")
    reply = first.locator(".cb-replies > .cb-comment")
    reply.locator(".cb-del").click()
    reply.locator(".cb-del").click()
    expect(reply).to_have_count(0)
    expect(message(page)).to_have_text("Your comment was deleted.")
    page.reload()
    expect(widget(page).locator(".cb-count")).to_have_text("No comments yet")
    expect(widget(page).locator(".cb-comment")).to_have_count(0)


def test_guest_details_and_the_draft_are_remembered_after_reload(page: Page, stack: Stack):
    page.goto(stack.article())
    widget(page)
    page.fill("#cb-website", "https://ada.example")
    post(page, "Hello")
    expect(status(page)).to_have_text("Your comment was published.")
    expect(widget(page).locator(".cb-author a")).to_have_attribute("rel", "nofollow ugc noopener noreferrer")
    page.fill("#cb-body", "half-written thought")
    page.reload()
    widget(page)
    expect(page.locator("#cb-name")).to_have_value("Ada")
    expect(page.locator("#cb-email")).to_have_value("ada@example.com")
    expect(page.locator("#cb-website")).to_have_value("https://ada.example")
    expect(page.locator("#cb-body")).to_have_value("half-written thought")


def test_a_comment_awaiting_moderation_is_shown_to_its_author_only(page: Page, stack: Stack):
    stack.moderate(ModerationMode.ALL)
    page.goto(stack.article())
    widget(page)
    post(page, "Please approve me")
    expect(status(page)).to_have_text("Thanks! Your comment is awaiting moderation.")
    held = widget(page).locator(".cb-comment.cb-pending")
    expect(held.locator(".cb-note")).to_have_text("Awaiting moderation: only you can see this comment.")
    expect(widget(page).locator(".cb-count")).to_have_text("No comments yet")

    page.reload()
    expect(widget(page).locator(".cb-comment.cb-pending .cb-text")).to_have_text("Please approve me")

    stranger = page.context.browser.new_page()
    try:
        stranger.goto(stack.article())
        expect(widget(stranger).locator(".cb-count")).to_have_text("No comments yet")
        expect(widget(stranger).locator(".cb-comment")).to_have_count(0)
    finally:
        stranger.close()

    # A moderator marks it as spam: on the author's next visit it is gone, and forgotten.
    with stack.ctx.db.write() as session:
        session.exec(update(Comment).values(status=CommentStatus.SPAM))  # type: ignore[call-overload]
    page.reload()
    widget(page)
    expect(widget(page).locator(".cb-comment")).to_have_count(0)
    page.wait_for_function("() => localStorage.getItem('commentbox:blog:pending') === null")


def test_held_comments_follow_the_moderators_decision_after_the_edit_window_closed(page: Page, stack: Stack):
    """The guest's edit tokens have expired, yet their browser still learns what became of the
    held comments: the removed one goes; the published one (on the thread's second page, so
    only the widget's own question can tell) shows as published, and once."""
    seed(stack, PAGE_SIZE)  # the first page is full
    stack.moderate(ModerationMode.ALL)
    sites.update_site(stack.ctx.db, "blog", edit_window_seconds=1)
    page.goto(stack.article())
    root = widget(page)
    for body in ("Please remove me", "Please publish me"):
        post(page, body)
        expect(root.locator(".cb-comment.cb-pending", has_text=body)).to_be_visible()

    page.wait_for_timeout(2100)  # the edit window closes
    page.reload()
    root = widget(page)
    expect(root.locator(".cb-comment.cb-pending")).to_have_count(2)  # still held, still shown
    expect(root.locator(".cb-pending .cb-edit-btn")).to_have_count(0)

    with stack.ctx.db.read() as session:
        held = {
            c.body: c.id for c in session.exec(select(Comment).where(Comment.status == CommentStatus.PENDING))
        }
    everywhere = actions.Moderator("root", None, None)
    actions.apply(stack.ctx.moderation, everywhere, [held["Please remove me"]], actions.Action.DELETE)
    actions.apply(stack.ctx.moderation, everywhere, [held["Please publish me"]], actions.Action.APPROVE)
    page.reload()
    root = widget(page)
    published = root.locator(".cb-comment", has_text="Please publish me")
    expect(published).not_to_have_class(re.compile(r"\bcb-pending\b"))
    expect(root.locator(".cb-comment", has_text="Please remove me")).to_have_count(0)
    page.wait_for_function("() => localStorage.getItem('commentbox:blog:pending') === null")

    root.locator(".cb-more").click()  # the second page brings it again: shown once
    expect(root.locator(".cb-thread > .cb-comment")).to_have_count(PAGE_SIZE + 1)
    expect(published).to_have_count(1)


def test_the_network_failing_mid_post_keeps_the_text(page: Page, stack: Stack):
    page.goto(stack.article())
    widget(page)
    page.route("**/api/v1/comments?*", lambda route: route.abort("connectionreset"))
    post(page, "Words I do not want to lose")
    expect(status(page)).to_contain_text("could not be reached")
    expect(page.locator("#cb-body")).to_have_value("Words I do not want to lose")
    expect(page.locator(".cb-submit")).to_be_enabled()
    page.unroute("**/api/v1/comments?*")
    page.click(".cb-submit")
    expect(status(page)).to_have_text("Your comment was published.")
    expect(widget(page).locator(".cb-comment .cb-text")).to_have_text("Words I do not want to lose")
    expect(page.locator("#cb-body")).to_have_value("")


def test_refusals_read_as_sentences_never_as_json(page: Page, stack: Stack):
    page.goto(stack.article())
    widget(page)
    post(page, "Hi", email="ada@localhost")  # valid to the browser, refused by the server: 422
    expect(status(page)).to_have_text("Please check: Email.")
    expect(page.locator("#cb-email")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#cb-body")).to_have_value("Hi")

    # The rate limiter's answer (its own tests live with moderation): 429 + Retry-After.
    def limited(route):
        route.fulfill(
            status=429,
            headers={
                "Retry-After": "30",
                "Access-Control-Allow-Origin": stack.blog,
                "Access-Control-Expose-Headers": "Retry-After",
            },
            content_type="application/problem+json",
            body='{"type":"about:blank","title":"Too many requests","status":429,"detail":"Slow down."}',
        )

    page.route("**/api/v1/comments?*", limited)
    post(page, "Hi")
    expect(status(page)).to_have_text("You are posting too quickly. Please wait 30 seconds and try again.")
    page.unroute("**/api/v1/comments?*")

    page.fill("#cb-email", "ada@example.com")
    big = "😀" * 20000  # 80 KB: over the server's 64 KiB request limit (413)
    page.evaluate(
        "big => { const t = document.querySelector('#commentbox').shadowRoot.querySelector('#cb-body');"
        " t.removeAttribute('maxlength'); t.value = big; }",
        big,
    )
    page.click(".cb-submit")
    expect(status(page)).to_have_text("That is too long. Please shorten it and try again.")
    assert "{" not in status(page).inner_text()

"""A living thread in real Chromium (issue 16): two readers in two browser contexts; what
one posts, edits or deletes reaches the other through the events stream, new comments
behind a bar rather than under the reader's eyes; the stream is open only while the thread
is on screen and the tab visible, and closes on destroy."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect

from commentbox.store.models import ModerationMode
from tests.e2e.conftest import Stack, message, post, seed, status, widget

pytestmark = pytest.mark.browser


def streams_become(stack: Stack, page: Page, wanted: Callable[[int], bool]) -> None:
    """Wait (polling, as a reader would) until the server's count of open streams fits."""
    for _ in range(100):
        if wanted(stack.ctx.live.hub.open_streams):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"open streams stayed at {stack.ctx.live.hub.open_streams}")


def test_a_comment_posted_in_one_browser_appears_behind_a_bar_in_the_other(browser: Browser, stack: Stack):
    seed(stack, 1)
    writer_context, reader_context = browser.new_context(), browser.new_context()
    try:
        writer, reader = writer_context.new_page(), reader_context.new_page()
        reader.goto(stack.article())
        root = widget(reader)
        expect(root.locator(".cb-comment")).to_have_count(1)
        streams_become(stack, reader, lambda n: n == 1)  # the reader follows the thread
        writer.goto(stack.article())
        widget(writer)
        streams_become(stack, reader, lambda n: n == 2)

        post(writer, "Live from the other browser")
        expect(status(writer)).to_have_text("Your comment was published.")
        show = root.locator(".cb-new-show")
        expect(show).to_have_text("1 new comment — show")
        expect(root.locator(".cb-new")).to_have_attribute("role", "status")  # announced
        expect(root.locator(".cb-comment")).to_have_count(1)  # nothing moved yet
        expect(root.locator(".cb-count")).to_have_text("2 responses to “Hello, world”")
        expect(widget(writer).locator(".cb-new-show")).to_have_count(0)  # the writer sees it already
        expect(widget(writer).locator(".cb-count")).to_have_text("2 responses to “Hello, world”")  # once

        live_id = (
            widget(writer)
            .locator(".cb-comment", has_text="Live from the other browser")
            .get_attribute("data-id")
        )
        mine = widget(writer).locator(f"#comment-{live_id}")
        mine.locator(".cb-reply").click()
        post(writer, "And a reply", name="Ada")
        expect(show).to_have_text("2 new comments — show")
        show.click()
        expect(root.locator(".cb-new-show")).to_have_count(0)
        theirs = root.locator(f"#comment-{live_id}")
        expect(theirs.locator("> .cb-card .cb-text")).to_have_text("Live from the other browser")
        expect(theirs.locator(".cb-replies .cb-text")).to_have_text("And a reply")  # under its parent
        expect(theirs.locator("> .cb-card .cb-edit-btn")).to_have_count(0)  # not the reader's own
        expect(theirs.locator("> .cb-card")).to_be_focused()

        mine.locator("> .cb-card .cb-edit-btn").click()
        mine.locator(".cb-edit textarea").fill("Live, and *edited*")
        mine.locator(".cb-save").click()
        expect(theirs.locator("> .cb-card .cb-text em")).to_have_text("edited")  # in place
        expect(theirs.locator("> .cb-card .cb-edited")).to_be_visible()

        reply = widget(writer).locator(".cb-replies .cb-comment")
        reply.locator(".cb-del").click()
        reply.locator(".cb-del").click()
        expect(message(writer)).to_have_text("Your comment was deleted.")
        expect(theirs.locator(".cb-replies .cb-comment")).to_have_count(0)
        expect(root.locator(".cb-count")).to_have_text("2 responses to “Hello, world”")
        expect(widget(writer).locator(".cb-count")).to_have_text("2 responses to “Hello, world”")
    finally:
        writer_context.close()
        reader_context.close()


def test_held_comments_never_reach_the_stream_until_approved(browser: Browser, stack: Stack):
    stack.moderate(ModerationMode.ALL)
    context = browser.new_context()
    try:
        reader = context.new_page()
        reader.goto(stack.article())
        root = widget(reader)
        streams_become(stack, reader, lambda n: n == 1)
        response = httpx.post(
            stack.backend + "/api/v1/comments",
            json={
                "site": "blog",
                "url": stack.article(),
                "body": "<b>held</b> back",
                "author": {"name": "Eve", "email": "eve@example.com"},
            },
            headers={"Origin": stack.blog},
        )
        assert response.status_code == 202
        stack.moderate(ModerationMode.NONE)
        seed(stack, 1)  # a published one after it: the held one must not come first
        expect(root.locator(".cb-new-show")).to_have_text("1 new comment — show")
        root.locator(".cb-new-show").click()
        expect(root.locator(".cb-comment")).to_have_count(1)
        expect(root.locator(".cb-comment", has_text="held back")).to_have_count(0)
    finally:
        context.close()


def test_the_stream_is_open_only_while_the_thread_is_seen(page: Page, stack: Stack):
    page.set_viewport_size({"width": 800, "height": 600})
    page.goto(stack.blog + "/style.css")
    page.set_content(
        '<div style="height: 3000px">a long article</div><div id="commentbox"></div>'
        f'<script src="{stack.backend}/embed.js" data-site="blog" data-page-url="{stack.article()}"></script>'
    )
    widget(page)
    page.wait_for_timeout(500)  # give a wrongly eager stream its chance to open
    assert stack.ctx.live.hub.open_streams == 0  # below the fold: not yet
    page.locator("#commentbox").scroll_into_view_if_needed()
    streams_become(stack, page, lambda n: n == 1)
    page.evaluate("window.scrollTo(0, 0)")
    streams_become(stack, page, lambda n: n == 0)  # scrolled away: closed

    page.locator("#commentbox").scroll_into_view_if_needed()
    streams_become(stack, page, lambda n: n == 1)
    page.evaluate(
        "() => { Object.defineProperty(document, 'visibilityState', {value: 'hidden', configurable: true});"
        " document.dispatchEvent(new Event('visibilitychange')); }"
    )
    streams_become(stack, page, lambda n: n == 0)  # another tab in front: closed
    page.evaluate(
        "() => { Object.defineProperty(document, 'visibilityState', {value: 'visible', configurable: true});"
        " document.dispatchEvent(new Event('visibilitychange')); }"
    )
    streams_become(stack, page, lambda n: n == 1)
    page.evaluate("Commentbox.destroy()")
    streams_become(stack, page, lambda n: n == 0)


def test_a_refused_stream_is_tried_again_with_growing_pauses(page: Page, stack: Stack):
    attempts: list[str] = []

    def refuse_twice(route: Route) -> None:
        attempts.append(route.request.url)
        if len(attempts) <= 2:  # a proxy in front answering 503 while the server restarts
            route.fulfill(status=503, headers={"Access-Control-Allow-Origin": stack.blog}, body="")
        else:
            route.continue_()

    page.route("**/api/v1/threads/events?*", refuse_twice)
    page.goto(stack.article())
    widget(page)
    streams_become(stack, page, lambda n: n == 1)  # the third try got through
    assert len(attempts) == 3
    seed(stack, 1)
    expect(widget(page).locator(".cb-new-show")).to_have_text("1 new comment — show")

"""What the widget says, in a real browser: a server failure told apart from a network
failure, each message next to what it is about and gone on the next action, and the
widget's own validation sentences instead of the browser's bubbles."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, Route, expect
from sqlalchemy import text

from tests.e2e.conftest import Stack, message, post, seed, status, widget

pytestmark = pytest.mark.browser


def _rename(stack: Stack, old: str, new: str) -> None:
    with stack.ctx.db.engine.begin() as connection:
        connection.execute(text(f"ALTER TABLE {old} RENAME TO {new}"))


def test_a_server_failure_is_not_called_a_network_failure(page: Page, stack: Stack):
    page.goto(stack.article())
    widget(page)
    _rename(stack, "comment", "comment_away")  # the server answers, but cannot store
    try:
        post(page, "Kept through a server failure")
        expect(status(page)).to_have_text(
            re.compile(r"^The comment server ran into a problem \(error 5\d\d\)\. Your text is still here")
        )
    finally:
        _rename(stack, "comment_away", "comment")
    expect(page.locator("#cb-body")).to_have_value("Kept through a server failure")
    page.click(".cb-submit")
    expect(status(page)).to_have_text("Your comment was published.")

    page.route("**/api/v1/comments?*", lambda route: route.abort("connectionrefused"))
    post(page, "And now the network is gone")
    expect(status(page)).to_contain_text("The comment server could not be reached.")


def test_a_post_whose_answer_was_lost_is_retried_with_its_key_and_stored_once(page: Page, stack: Stack):
    keys: list[str] = []

    def lose_the_first_answer(route: Route) -> None:
        keys.append(route.request.headers.get("idempotency-key", ""))
        if len(keys) == 1:
            route.fetch()  # the server stores the comment ...
            route.abort("connectionreset")  # ... and its answer never arrives
        else:
            route.continue_()

    page.goto(stack.article())
    widget(page)
    page.route("**/api/v1/comments?*", lose_the_first_answer)
    post(page, "Sent once, answered on the second try")
    expect(status(page)).to_have_text("Your comment was published.")
    assert len(keys) == 2 and re.fullmatch(r"[0-9a-f]{32}", keys[0]) and keys[0] == keys[1]
    expect(widget(page).locator(".cb-comment")).to_have_count(1)
    with stack.ctx.db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM comment")).scalar() == 1

    post(page, "A new draft gets a new key")
    expect(status(page)).to_have_text("Your comment was published.")
    assert len(keys) == 3 and keys[2] != keys[0]


def test_the_server_failure_sentence_is_in_the_visitors_language(page: Page, stack: Stack):
    def bad_gateway(route: Route) -> None:  # what a proxy answers while the server is down
        route.fulfill(status=502, headers={"Access-Control-Allow-Origin": stack.blog}, body="Bad Gateway")

    page.goto(stack.article())
    widget(page)
    page.evaluate("Commentbox.init('#commentbox', {lang: 'de'})")
    page.locator("#commentbox .cb-root[lang='de']").wait_for()
    page.route("**/api/v1/comments?*", bad_gateway)
    post(page, "Hallo")
    expect(status(page)).to_have_text(
        "Beim Kommentar-Server ist ein Fehler aufgetreten (Fehler 502). Dein Text bleibt erhalten;"
        " versuche es gleich noch einmal."
    )


def test_messages_sit_next_to_their_comment_and_go_on_the_next_action(page: Page, stack: Stack):
    seed(stack, 1)
    page.goto(stack.article())
    root = widget(page)
    post(page, "Mine to change")
    expect(status(page)).to_have_text("Your comment was published.")
    theirs = root.locator(".cb-thread > .cb-comment").first
    mine_id = root.locator(".cb-thread > .cb-comment", has_text="Mine to change").get_attribute("data-id")
    mine = root.locator(f"#comment-{mine_id}")

    mine.locator(".cb-edit-btn").click()  # a new action: the form's message goes
    expect(status(page)).to_be_empty()
    mine.locator(".cb-edit textarea").fill("Changed")
    mine.locator(".cb-save").click()
    expect(mine.locator(".cb-msg")).to_have_text("Your changes were saved.")
    expect(status(page)).to_be_empty()

    page.route("**/vote", lambda route: route.abort("connectionrefused"))
    theirs.locator("> .cb-card .cb-up").click()
    expect(theirs.locator(".cb-msg")).to_contain_text("could not be reached")  # beside that comment
    expect(message(page)).to_have_count(1)  # the "saved" line went with the new action
    theirs.locator("> .cb-card .cb-reply").click()
    expect(message(page)).to_have_count(0)

    page.keyboard.press("Escape")
    mine.locator(".cb-del").click()
    mine.locator(".cb-del").click()  # "Really delete?"
    expect(message(page)).to_have_text("Your comment was deleted.")
    expect(mine).to_have_count(0)
    root.locator(".cb-preview-toggle").click()
    expect(message(page)).to_have_count(0)


def test_validation_is_the_widgets_own_and_in_its_language(page: Page, stack: Stack):
    posts = []
    page.on("request", lambda r: r.method == "POST" and "/api/v1/comments" in r.url and posts.append(r))
    page.goto(stack.article())
    root = widget(page)
    assert root.locator(".cb-form").evaluate("f => f.noValidate")  # no native bubbles
    page.click(".cb-submit")
    expect(status(page)).to_have_text("Please check: Comment, Name, Email.")
    expect(page.locator("#cb-body")).to_be_focused()
    expect(page.locator("#cb-body")).to_have_attribute("aria-invalid", "true")

    page.fill("#cb-body", "Hello")
    page.fill("#cb-name", "Ada")
    page.fill("#cb-email", "not an address")
    page.fill("#cb-website", "not a web address")
    page.click(".cb-submit")
    expect(status(page)).to_have_text("Please check: Email, Website.")
    expect(page.locator("#cb-email")).to_be_focused()
    expect(page.locator("#cb-body")).not_to_have_attribute("aria-invalid", "true")
    assert posts == []  # nothing was sent

    page.evaluate("Commentbox.init('#commentbox', {lang: 'fr'})")
    page.locator("#commentbox .cb-root[lang='fr']").wait_for()
    page.fill("#cb-body", "")
    page.click(".cb-submit")
    expect(status(page)).to_have_text(re.compile(r"^Veuillez vérifier"))

"""The thread's frame in a real browser: the heading that names the page (plural rules per
language, one wording for zero with count.js), the sort control, the form's position."""

from __future__ import annotations

from html import escape
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PAGE_SIZE, Stack, post, seed, status, widget

pytestmark = pytest.mark.browser

CUSTOM = "/posts/custom/"


def embed(page: Page, stack: Stack, attrs: str = "", title: str = "A page", lang: str = "en") -> None:
    """A page of the blog's origin that embeds the widget with the script tag ``attrs``."""
    page.goto(stack.blog + "/style.css")
    page.set_content(
        f'<html lang="{lang}"><head><title>{escape(title)}</title></head><body><div id="commentbox"></div>'
        f'<script src="{stack.backend}/embed.js" data-site="blog"'
        f' data-page-url="{stack.article(CUSTOM)}" {attrs}></script></body></html>'
    )
    widget(page)


def heading(page: Page) -> str:
    return widget(page).locator(".cb-count").inner_text()


def test_the_heading_names_the_page_from_data_page_title_else_the_document_title(page: Page, stack: Stack):
    seed(stack, 2, path=CUSTOM)
    hostile = '<img src=x onerror="window.__xss=1">Tips & “tricks”'
    embed(page, stack, f'data-page-title="{escape(hostile)}"', title="Not this one")
    expect(widget(page).locator(".cb-count")).to_have_text(f"2 responses to “{hostile}”")
    assert widget(page).locator(".cb-count img").count() == 0  # text, never markup
    assert page.evaluate("window.__xss || null") is None

    embed(page, stack, title="Connecting")
    expect(widget(page).locator(".cb-count")).to_have_text("2 responses to “Connecting”")
    post(page, "A third")
    expect(status(page)).to_have_text("Your comment was published.")
    expect(widget(page).locator(".cb-count")).to_have_text("3 responses to “Connecting”")


def test_an_oversized_title_is_cut_as_the_server_keeps_it(page: Page, stack: Stack):
    seed(stack, 1, path=CUSTOM)
    embed(page, stack, f'data-page-title="{"Long " * 1000}"')
    heading = widget(page).locator(".cb-count")
    expect(heading).to_contain_text("1 response to “Long Long")
    assert len(heading.inner_text()) < 340


@pytest.mark.parametrize(
    ("lang", "count", "expected"),
    [
        ("en", 1, "1 response to “Connecting”"),
        ("de", 2, "2 Antworten auf „Connecting“"),
        ("fr", 1, "1 réponse à « Connecting »"),
        ("ar", 2, "ردّان على «Connecting»"),  # Arabic has a dual
        ("ar", 3, "3 ردود على «Connecting»"),
    ],
)
def test_the_heading_follows_the_languages_plural_rules(
    page: Page, stack: Stack, lang: str, count: int, expected: str
):
    seed(stack, count, path=CUSTOM)
    embed(page, stack, f'data-lang="{lang}" data-page-title="Connecting"')
    expect(widget(page).locator(".cb-count")).to_have_text(expected)


def test_zero_reads_the_same_on_the_index_and_under_the_article_and_hides_the_sort(page: Page, stack: Stack):
    page.goto(stack.blog + "/")
    expect(page.locator("[data-commentbox-count='/posts/second/']")).to_have_text("No comments yet")
    page.goto(stack.article("/posts/second/"))
    root = widget(page)
    expect(root.locator(".cb-count")).to_have_text("No comments yet")
    expect(root.locator(".cb-sort")).to_be_hidden()  # nothing to sort yet
    post(page, "The first word")
    expect(root.locator(".cb-count")).to_have_text("1 response to “A second thought”")
    expect(root.locator(".cb-sort")).to_be_visible()
    other = page.context.browser.new_page()  # the counts are cached for 10 s per browser
    try:
        other.goto(stack.blog + "/")
        expect(other.locator("[data-commentbox-count='/posts/second/']")).to_have_text("1 comment")
    finally:
        other.close()


FORM_FIRST = "r => r.querySelector('.cb-form').compareDocumentPosition(r.querySelector('.cb-thread')) & 4"


def test_the_form_comes_first_unless_the_site_puts_it_after_the_list(page: Page, stack: Stack):
    seed(stack, PAGE_SIZE + 1, path=CUSTOM)
    embed(page, stack)
    assert widget(page).evaluate(FORM_FIRST), "by default the form is above the list"

    embed(page, stack, 'data-form-position="bottom"')
    root = widget(page)
    assert not root.evaluate(FORM_FIRST)
    order = "r => [...r.children].map(e => e.className.split(' ')[0])"
    assert root.evaluate(order)[-4:] == ["cb-thread", "cb-more", "cb-form", "cb-foot"]
    root.locator(".cb-sort").select_option("newest")  # a new page of the list keeps the order
    expect(root.locator(".cb-thread > .cb-comment").first.locator(".cb-text")).to_have_text(
        f"Comment number {PAGE_SIZE}"
    )
    assert root.evaluate(order)[-4:] == ["cb-thread", "cb-more", "cb-form", "cb-foot"]

    root.locator(".cb-reply").first.click()  # the form moves under the comment ...
    expect(root.locator(".cb-replying")).to_be_visible()
    page.keyboard.press("Escape")  # ... and back to the bottom
    assert root.evaluate(order)[-2:] == ["cb-form", "cb-foot"]
    post(page, "At the bottom")
    expect(status(page)).to_have_text("Your comment was published.")


def test_the_footer_links_the_threads_atom_feed_unless_the_site_turns_it_off(page: Page, stack: Stack):
    seed(stack, 1, path=CUSTOM)
    embed(page, stack)
    feed = widget(page).locator(".cb-foot a")
    expect(feed).to_have_text("Comments feed (Atom)")
    expect(feed).to_have_attribute("type", "application/atom+xml")
    href = feed.get_attribute("href") or ""
    assert href == f"{stack.backend}/feeds/blog.atom?url=" + quote(stack.article(CUSTOM), safe="")
    atom = httpx.get(href)
    assert atom.status_code == 200 and "Comment number 0" in atom.text  # the thread's own feed

    hostile = stack.article(CUSTOM) + '?q="><script>window.__xss=1</script>&x=1#frag'
    page.goto(stack.blog + "/style.css")
    page.set_content('<div id="commentbox"></div>')
    page.add_script_tag(url=stack.backend + "/embed.js")
    page.evaluate("url => Commentbox.init('#commentbox', {site: 'blog', pageUrl: url, lang: 'de'})", hostile)
    feed = page.locator("#commentbox .cb-root[lang='de'] .cb-foot a")
    expect(feed).to_have_text("Kommentar-Feed (Atom)")
    query = parse_qs(urlsplit(feed.get_attribute("href") or "").query)
    assert query == {"url": [hostile.split("#")[0]]}  # one parameter, the whole address, no fragment
    assert page.evaluate("window.__xss || null") is None

    page.evaluate("Commentbox.init('#commentbox', {site: 'blog', pageId: 'post-42'})")
    feed = page.locator("#commentbox .cb-foot a")
    expect(feed).to_have_attribute("href", f"{stack.backend}/feeds/blog.atom?page_id=post-42")

    embed(page, stack, 'data-feed="off"')
    expect(widget(page).locator(".cb-count")).to_be_visible()
    expect(widget(page).locator(".cb-foot")).to_have_count(0)

"""Reading in a real browser: sort, paging, counts, permalinks, isolation from the host
page, themes, right-to-left, keyboard use, axe, hostile content and the SPA API."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from commentbox.domain import sites
from tests.e2e.conftest import PAGE_SIZE, Stack, post, screenshot, seed, status, widget
from tests.xss import PAYLOADS

pytestmark = pytest.mark.browser


def texts(page: Page) -> list[str]:
    return widget(page).locator(".cb-thread > .cb-comment > .cb-card .cb-text").all_inner_texts()


def test_sort_and_load_more(page: Page, stack: Stack):
    seed(stack, PAGE_SIZE + 2)
    page.goto(stack.article())
    root = widget(page)
    expect(root.locator(".cb-count")).to_have_text(f"{PAGE_SIZE + 2} responses to “Hello, world”")
    expect(root.locator(".cb-thread > .cb-comment")).to_have_count(PAGE_SIZE)
    root.locator(".cb-more").click()
    expect(root.locator(".cb-thread > .cb-comment")).to_have_count(PAGE_SIZE + 2)
    expect(root.locator(".cb-more")).to_have_count(0)
    assert texts(page)[-1] == "Comment number 11"

    root.locator(".cb-sort").select_option("newest")
    expect(root.locator(".cb-thread > .cb-comment").first.locator(".cb-text")).to_have_text(
        "Comment number 11"
    )
    page.reload()  # the choice is remembered
    expect(widget(page).locator(".cb-sort")).to_have_value("newest")
    assert texts(page)[0] == "Comment number 11"


def test_counts_on_the_index_come_in_one_request(page: Page, stack: Stack):
    seed(stack, 2)
    seed(stack, 1, path="/posts/second/")
    requests = []
    page.on("request", lambda r: "/api/v1/counts" in r.url and requests.append(r.url))
    page.goto(stack.blog + "/")
    expect(page.locator("[data-commentbox-count='/posts/hello/']")).to_have_text("2 comments")
    expect(page.locator("[data-commentbox-count='/posts/second/']")).to_have_text("1 comment")
    assert len(requests) == 1


def test_opening_a_permalink_scrolls_to_the_comment_and_highlights_it(page: Page, stack: Stack):
    ids = seed(stack, PAGE_SIZE + 2)
    page.goto(stack.article() + f"#comment-{ids[-1]}")  # on the second page: loaded on demand
    target = widget(page).locator(f"#comment-{ids[-1]}")
    expect(target).to_have_class("cb-comment cb-hl")
    expect(target).to_be_in_viewport()
    widget(page).locator(f"#comment-{ids[0]} .cb-permalink").click()
    expect(widget(page).locator(f"#comment-{ids[0]}")).to_have_class("cb-comment cb-hl")
    assert page.url.endswith(f"#comment-{ids[0]}")


HOSTILE_CSS = """
div, form, article, button, textarea, li, p { display: none !important; }
* { color: rgb(255, 0, 0) !important; font-size: 3px !important; visibility: hidden; }
.cb-root, .cb-comment, .cb-text { display: none !important; background: lime !important; }
"""


def test_hostile_host_css_cannot_break_the_widget_and_ours_does_not_leak(page: Page, stack: Stack):
    seed(stack, 1)
    page.goto(stack.article())
    widget(page)
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p class=\"cb-root\" id=probe>probe</p>')")
    probe_padding = page.locator("#probe").evaluate("e => getComputedStyle(e).paddingTop")
    assert probe_padding == "0px"  # our .cb-root padding stays inside the shadow root
    page.add_style_tag(content=HOSTILE_CSS)
    root = widget(page)
    expect(root.locator(".cb-comment .cb-text")).to_be_visible()
    box = root.locator(".cb-comment .cb-text").bounding_box()
    assert box and box["height"] > 15  # the page's 3px font does not shrink the widget
    style = root.locator(".cb-comment .cb-text p").evaluate(
        "e => [getComputedStyle(e).color, getComputedStyle(e).fontSize]"
    )
    assert style[0] != "rgb(255, 0, 0)" and style[1] == "16px"


def _background(page: Page) -> list[int]:
    value = widget(page).evaluate("e => getComputedStyle(e).backgroundColor")
    return [int(part) for part in value[value.index("(") + 1 : value.index(")")].split(",")[:3]]


def _discussion(stack: Stack, path: str) -> None:
    first = seed(stack, 2, path=path)
    httpx.post(
        stack.backend + "/api/v1/comments",
        json={
            "site": "blog",
            "url": stack.article(path),
            "parent": first[0],
            "body": "Agreed — and *thanks* for the [link](https://example.com).",
            "author": {"name": "Grace", "email": "grace@example.com", "website": "https://grace.example"},
        },
        headers={"Origin": stack.blog},
    ).raise_for_status()


def test_light_and_dark_themes_with_screenshots(page: Page, stack: Stack, tmp_path: Path):
    _discussion(stack, "/posts/second/")  # embedded with data-theme="auto"
    page.set_viewport_size({"width": 760, "height": 900})
    page.emulate_media(color_scheme="light")
    page.goto(stack.article("/posts/second/"))
    widget(page)
    assert sum(_background(page)) > 600
    screenshot(page.locator("#commentbox"), "widget-light.png", tmp_path)
    page.emulate_media(color_scheme="dark")  # "auto" follows the system
    expect(widget(page)).to_have_attribute("data-theme", "auto")
    assert sum(_background(page)) < 150
    text = widget(page).locator(".cb-text p").first.evaluate("e => getComputedStyle(e).color")
    assert text != "rgb(27, 31, 36)"
    screenshot(page.locator("#commentbox"), "widget-dark.png", tmp_path)
    page.emulate_media(color_scheme="light")
    page.set_viewport_size({"width": 375, "height": 900})  # a phone: the form and thread reflow
    assert widget(page).evaluate("e => e.getBoundingClientRect().width") <= 375
    screenshot(page.locator("#commentbox"), "widget-375.png", tmp_path)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_or_critical_violations(page: Page, stack: Stack, scheme: str):
    _discussion(stack, "/posts/second/")
    page.emulate_media(color_scheme=scheme)
    page.goto(stack.article("/posts/second/"))
    widget(page).locator(".cb-comment").first.wait_for()
    page.locator(".cb-reply").first.click()  # the form inside the thread, with its Cancel button
    results = Axe().run(page, context={"include": [["#commentbox"]]})
    violations = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert violations == []
    assert results.response["passes"], "axe ran its checks"


def test_right_to_left_in_arabic(page: Page, stack: Stack):
    _discussion(stack, "/posts/hello/")
    page.goto(stack.article())
    widget(page)
    page.evaluate("Commentbox.init('#commentbox', {lang: 'ar'})")
    root = page.locator("#commentbox .cb-root[lang='ar']")
    expect(root).to_have_attribute("dir", "rtl")
    expect(root.locator(".cb-count")).to_have_text("3 ردود على «Hello, world»")
    expect(root.locator(".cb-submit")).to_have_text("نشر التعليق")
    assert root.evaluate("e => getComputedStyle(e).direction") == "rtl"
    parent = root.locator(".cb-thread > .cb-comment").first
    parent_box = parent.locator("> .cb-card").bounding_box()
    reply_box = parent.locator(".cb-replies .cb-card").bounding_box()
    assert parent_box and reply_box
    assert (
        reply_box["x"] + reply_box["width"] < parent_box["x"] + parent_box["width"] - 10
    )  # indented from the right
    assert abs(reply_box["x"] - parent_box["x"]) < 2
    avatar = parent.locator("> .cb-card .cb-avatar").bounding_box()
    assert (
        avatar and avatar["x"] > parent_box["x"] + parent_box["width"] / 2
    )  # the avatar starts on the right


def test_keyboard_only_posting(page: Page, stack: Stack):
    page.goto(stack.article())
    widget(page)
    active = (
        "() => { const e = document.querySelector('#commentbox').shadowRoot.activeElement;"
        " return e && (e.id || e.className); }"
    )
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate(active) == "cb-body":
            break
    assert page.evaluate(active) == "cb-body"
    page.keyboard.type("Typed **without** a mouse")
    for text in ("Kay", "kay@example.com"):  # the name field, then the email field
        page.keyboard.press("Tab")
        page.keyboard.type(text)
    outline = page.locator("#cb-email").evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline == "solid"  # focus is visible
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate(active) == "cb-submit":
            break
    assert page.evaluate(active) == "cb-submit"
    page.keyboard.press("Enter")
    expect(status(page)).to_have_text("Your comment was published.")
    expect(widget(page).locator(".cb-comment .cb-text strong")).to_have_text("without")

    widget(page).locator(".cb-reply").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#cb-body")).to_be_focused()
    page.keyboard.press("Escape")  # cancels the reply: the form returns, focus goes back
    expect(widget(page).locator(".cb-replying")).to_be_hidden()
    expect(widget(page).locator(".cb-reply")).to_be_focused()


def test_hostile_payloads_posted_through_the_form_render_inert(page: Page, stack: Stack):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(stack.article())
    widget(page)
    for payload in PAYLOADS:
        page.fill("#cb-name", payload[:100])
        post(page, payload, name=payload[:100])
        expect(status(page)).to_have_text("Your comment was published.")
        status(page).evaluate("e => { e.textContent = ''; }")
    page.reload()
    root = widget(page)
    expect(root.locator(".cb-thread > .cb-comment")).to_have_count(PAGE_SIZE)
    root.locator(".cb-more").click()
    expect(root.locator(".cb-thread > .cb-comment")).to_have_count(len(PAYLOADS))
    page.wait_for_timeout(300)  # give any smuggled handler (onerror, ontoggle) its chance
    found = page.evaluate(
        """() => {
        const root = document.querySelector('#commentbox').shadowRoot;
        const all = [...root.querySelectorAll('*')];
        return {
          xss: window.__xss || null,
          scripts: all.filter(e => /^(SCRIPT|IFRAME|OBJECT|EMBED|STYLE)$/.test(e.tagName)).length,
          handlers: all.flatMap(e => [...e.attributes].filter(a => a.name.startsWith('on')).map(a => a.name)),
          styles: all.filter(e => e.hasAttribute('style')).length,
          urls: all.flatMap(e => ['href', 'src'].map(n => e.getAttribute(n)).filter(Boolean))
                   .filter(u => /^\\s*(javascript|data|vbscript):/i.test(u)),
        };
    }"""
    )
    assert found == {"xss": None, "scripts": 0, "handlers": [], "styles": 0, "urls": []}
    assert dialogs == []
    assert root.locator(".cb-text").get_by_text("<script>window.__xss = 1</script>").count() == 1


def test_single_page_sites_get_one_global_to_init_and_destroy(page: Page, stack: Stack):
    page.goto(stack.blog + "/style.css")  # any page of the blog's origin, without the widget
    page.set_content('<html lang="de"><body><div id="spa"></div></body></html>')
    before = set(page.evaluate("Object.keys(window)"))
    page.add_script_tag(url=stack.backend + "/embed.js")
    page.wait_for_function("!!window.Commentbox")
    added = set(page.evaluate("Object.keys(window)")) - before
    assert added == {"Commentbox"}
    page.evaluate("Commentbox.init(document.getElementById('spa'), {site: 'blog', pageId: 'post-42'})")
    root = page.locator("#spa .cb-root")
    expect(root).to_have_attribute("lang", "de")
    expect(root.locator(".cb-count")).to_have_text("Noch keine Kommentare")
    post(page, "Von der Einzelseiten-App")
    expect(status(page)).to_have_text("Dein Kommentar wurde veröffentlicht.")
    counts = httpx.get(stack.backend + "/api/v1/counts", params={"site": "blog", "page_id": "post-42"}).json()
    assert counts == {"counts": {"post-42": 1}}
    page.evaluate("Commentbox.destroy()")
    assert page.evaluate("document.getElementById('spa').shadowRoot.childElementCount") == 0
    assert page.evaluate("Object.isFrozen(window.Commentbox)")


def test_markdown_preview_is_rendered_by_the_server(page: Page, stack: Stack):
    page.goto(stack.article())
    root = widget(page)
    page.fill("#cb-body", "Some **bold** and [a link](javascript:alert(1))")
    root.locator(".cb-preview-toggle").click()
    preview = root.locator(".cb-form .cb-preview")
    expect(preview.locator("strong")).to_have_text("bold")
    expect(page.locator("#cb-body")).to_be_hidden()
    assert preview.locator("a").count() == 0  # the javascript: link stayed text
    root.locator(".cb-preview-toggle").click()  # back to writing, text intact
    expect(page.locator("#cb-body")).to_have_value("Some **bold** and [a link](javascript:alert(1))")


def test_site_owners_theme_with_custom_properties_and_parts(page: Page, stack: Stack):
    page.goto(stack.article())
    widget(page)
    page.add_style_tag(
        content="#commentbox { --commentbox-accent: rgb(0, 128, 0); --commentbox-font: monospace; }"
        " #commentbox::part(count) { text-transform: uppercase; }"
    )
    submit = widget(page).locator(".cb-submit")
    assert submit.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(0, 128, 0)"
    assert "monospace" in widget(page).evaluate("e => getComputedStyle(e).fontFamily")
    count = widget(page).locator(".cb-count")
    assert count.evaluate("e => getComputedStyle(e).textTransform") == "uppercase"


def test_the_demo_page_shows_a_working_widget_under_its_own_csp(page: Page, stack: Stack):
    sites.add_site(stack.ctx.db, "demo", origins=[stack.backend], name="Demo")
    sites.update_site(stack.ctx.db, "demo", min_post_seconds=0)  # scripted typing is instant
    problems = []
    page.on(
        "console", lambda m: m.type == "error" and "Failed to load" not in m.text and problems.append(m.text)
    )
    page.on("response", lambda r: r.status >= 400 and "favicon" not in r.url and problems.append(r.url))
    page.goto(stack.backend + "/")
    expect(page.locator("h1")).to_have_text("Hello from commentbox")
    post(page, "Trying it out")
    expect(status(page)).to_have_text("Your comment was published.")
    submit = page.locator("#commentbox .cb-submit")
    assert submit.evaluate("e => getComputedStyle(e).fontWeight") == "600"  # the stylesheet applied
    assert problems == []

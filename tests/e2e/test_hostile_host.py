"""The widget on host pages that make life hard for it, in Chromium.

Each host page is served by its own server (``host``, a third site beside the backend and
the example blog), with the headers and scripts a strict or careless site owner might add:
a strict Content-Security-Policy, Trusted Types, polluted built-ins, Subresource Integrity.
The widget must render, post and log no error on every one of them.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import ConsoleMessage, Page, expect
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from commentbox.domain import sites
from tests.e2e.conftest import Stack, post, running_stack, status, widget
from tests.fakes.server import ServerThread
from tests.xss import PAYLOADS

pytestmark = pytest.mark.browser

ARTICLE = "/posts/hostile/"


@dataclass
class HostPage:
    """What the next request for the article answers: extra head, the script tag, headers."""

    head: str = ""
    script_attributes: str = ""
    headers: dict[str, str] | None = None


@dataclass
class Host:
    stack: Stack
    url: str
    page: HostPage

    @property
    def article(self) -> str:
        return self.url + ARTICLE


def host_app(backend: str, current: Callable[[], HostPage]) -> Starlette:
    async def article(request: Request) -> Response:
        shown = current()
        return HTMLResponse(
            f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<link rel="icon" href="data:,">{shown.head}
<title>A hostile host</title></head><body><main><h1>A hostile host</h1>
<div id="commentbox"></div></main>
<script src="{backend}/embed.js" data-site="host" {shown.script_attributes}></script>
</body></html>""",
            headers=shown.headers or {},
        )

    return Starlette(routes=[Route(ARTICLE, article)])


@pytest.fixture
def host(database_url: str, tmp_path: Path) -> Iterator[Host]:
    with running_stack(database_url, tmp_path) as stack:
        holder = Host(stack, "", HostPage())
        with ServerThread(host_app(stack.backend, lambda: holder.page)) as server:
            holder.url = server.url
            sites.add_site(stack.ctx.db, "host", origins=[server.url], name="A hostile host")
            sites.update_site(stack.ctx.db, "host", min_post_seconds=0)
            yield holder


def watch(page: Page) -> list[str]:
    """Console errors, page errors and dialogs, as they happen."""
    problems: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"console: {message.text}")

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    return problems


def comment_on(host: Host, body: str, *, name: str, email: str) -> httpx.Response:
    """A comment through the real API, as a visitor of the host page would have posted it."""
    return httpx.post(
        host.stack.backend + "/api/v1/comments",
        json={"site": "host", "url": host.article, "body": body, "author": {"name": name, "email": email}},
        headers={"Origin": host.url},
    )


def posts_and_shows(page: Page, host: Host, body: str) -> None:
    page.goto(host.article)
    root = widget(page)
    post(page, body)
    expect(status(page)).to_have_text("Your comment was published.")
    expect(root.locator(".cb-comment", has_text=body)).to_be_visible()


def test_a_strict_content_security_policy_on_the_host_page(page: Page, host: Host):
    backend = host.stack.backend
    host.page = HostPage(
        headers={
            "Content-Security-Policy": (
                f"default-src 'none'; script-src 'self' {backend}; style-src 'self'; "
                f"connect-src {backend}; img-src {backend} data:; base-uri 'none'"
            )
        }
    )
    problems = watch(page)
    posts_and_shows(page, host, "Written under a strict CSP")
    assert problems == []


def test_trusted_types_required_by_the_host_page(page: Page, host: Host):
    host.page = HostPage(headers={"Content-Security-Policy": "require-trusted-types-for 'script'"})
    problems = watch(page)
    posts_and_shows(page, host, "Written under Trusted Types")
    assert problems == []


POLLUTION = """<script>
Object.prototype.polluted = "<img src=x onerror=alert(1)>";
Object.prototype.hidden = true;
Array.prototype.extra = function () { return "no"; };
window.define = function () { throw new Error("not an AMD page"); };
window.define.amd = true;
document.getElementById = function () { return null; };
</script>"""


def test_a_host_page_that_pollutes_built_ins_does_not_break_it(page: Page, host: Host):
    host.page = HostPage(head=POLLUTION)
    problems = watch(page)
    posts_and_shows(page, host, "Written among polluted prototypes")
    assert problems == []


def test_the_embed_script_loads_with_subresource_integrity(page: Page, host: Host):
    script = httpx.get(host.stack.backend + "/embed.js").content
    digest = base64.b64encode(hashlib.sha384(script).digest()).decode()
    host.page = HostPage(script_attributes=f'integrity="sha384-{digest}" crossorigin="anonymous"')
    problems = watch(page)
    posts_and_shows(page, host, "Written with a pinned script")
    assert problems == []

    host.page = HostPage(script_attributes='integrity="sha384-AAAA" crossorigin="anonymous"')
    page.goto(host.article)  # a tampered script never runs
    page.wait_for_timeout(500)
    assert page.locator("#commentbox .cb-root").count() == 0


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def test_a_thread_of_hostile_text_runs_nothing_and_asks_nothing_of_other_hosts(page: Page, host: Host):
    for n, payload in enumerate(PAYLOADS):
        response = comment_on(host, payload, name=payload[:80] or f"n{n}", email=f"x{n}@example.com")
        assert response.status_code in (201, 422), response.text
    origins = set()
    page.on(
        "request", lambda request: origins.add(urlsplit(request.url)._replace(path="", query="").geturl())
    )
    problems = watch(page)
    page.goto(host.article)
    root = widget(page)
    expect(root.locator(".cb-comment").first).to_be_visible()
    page.wait_for_timeout(500)  # give any smuggled handler its chance
    assert origins <= {host.url, host.stack.backend}, origins
    assert problems == []
    assert page.evaluate("() => window.__xss || null") is None


def test_combining_marks_and_a_very_long_word_stay_inside_the_widget(page: Page, host: Host):
    bodies = ["Z" + "\u0301" * 5000, "x" * 10_000]
    for n, body in enumerate(bodies):
        response = comment_on(host, body, name=f"Stretcher {n}", email=f"s{n}@example.com")
        assert response.status_code == 201, response.text
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(host.article)
    root = widget(page)
    expect(root.locator(".cb-comment")).to_have_count(2)
    container = page.locator("#commentbox").bounding_box()
    assert container is not None
    for comment in root.locator(".cb-comment").all():
        box = comment.bounding_box()
        assert box is not None
        assert box["x"] >= container["x"] - 1
        assert box["x"] + box["width"] <= container["x"] + container["width"] + 1
    marks = root.locator(".cb-comment", has_text="Stretcher 0").bounding_box()
    assert marks is not None and marks["height"] < 400  # the marks do not pile into a tower
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375

"""How fast the widget paints, and how big it is: the figures issue 3 asks for.

    python bench/widget_paint.py [--runs 9] [--comments 100]

Starts the real backend (uvicorn, SQLite in a temporary folder) as ``http://localhost:A``
and a one-article blog as ``http://127.0.0.1:B``, seeds a thread of ``--comments``
comments through the API (every fifth a reply), then opens the article in Debian's
Chromium ``--runs`` times. Each run measures, on the page's performance timeline, from a
``performance.mark`` placed right before the ``<script src=…/embed.js>`` tag to the first
animation frame after the comments are in the shadow root ("painted"): cold (a fresh
browser context, nothing cached) and warm (a reload in the same context: the browser
revalidates with ETags). Prints the medians, the spread, the resource timings of
``embed.js`` and ``/embed/thread``, and the gzipped sizes of the files browsers load.

A benchmark, not a test: it asserts nothing, and the machine is noisy (compare runs made
one after another).
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import sys
import tempfile
from pathlib import Path

import httpx
from playwright.sync_api import Browser, sync_playwright
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from commentbox.app import create_app  # noqa: E402
from commentbox.config import load_settings  # noqa: E402
from commentbox.domain import sites  # noqa: E402
from commentbox.store import migrate  # noqa: E402
from commentbox.store.db import Database  # noqa: E402
from tests.fakes.server import ServerThread  # noqa: E402  (a generic uvicorn-in-a-thread)

STATIC = ROOT / "commentbox" / "static"
ARTICLE = "/posts/bench/"
PAINTED = """
() => new Promise(resolve => {
  const tick = () => {
    const host = document.querySelector('#commentbox');
    const shown = host && host.shadowRoot && host.shadowRoot.querySelectorAll('.cb-comment').length;
    if (shown) {
      requestAnimationFrame(() => setTimeout(() => {
        performance.mark('cb-painted');
        const m = performance.measure('cb-paint', 'cb-tag', 'cb-painted');
        const res = name => performance.getEntriesByType('resource').find(r => r.name.includes(name));
        const js = res('/embed.js'), frag = res('/embed/thread');
        const tag = performance.getEntriesByName('cb-tag')[0].startTime;
        const at = r => r ? [Math.round(r.startTime - tag), Math.round(r.responseEnd - tag)] : null;
        const timeline = { js: at(js), fragment: at(frag), painted: Math.round(m.duration) };
        resolve({ paint: m.duration, shown, timeline,
                  js: js ? js.responseEnd - js.startTime : null,
                  fragment: frag ? frag.responseEnd - frag.startTime : null });
      }));
    } else requestAnimationFrame(tick);
  };
  tick();
})
"""


def blog(backend: str) -> Starlette:
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bench article</title></head>
<body><article><h1>Bench article</h1><p>Text.</p></article><div id="commentbox"></div>
<script>performance.mark('cb-tag')</script>
<script src="{backend}/embed.js" data-site="bench" async></script></body></html>"""

    async def article(request: object) -> HTMLResponse:
        return HTMLResponse(page)

    return Starlette(routes=[Route(ARTICLE, article)])


class _Deferred:
    app = None

    async def __call__(self, scope, receive, send):  # type: ignore[no-untyped-def]
        await self.app(scope, receive, send)  # type: ignore[misc]


def seed(backend: str, origin: str, count: int) -> None:
    ids: list[int] = []
    with httpx.Client(base_url=backend, headers={"Origin": origin}) as client:
        for n in range(count):
            parent = ids[-1] if n % 5 == 4 else None
            body = f"Comment {n}: some *Markdown* with a [link](https://example.com/{n}) and `code`.\n\n" * 2
            response = client.post(
                "/api/v1/comments",
                json={
                    "site": "bench",
                    "url": origin + ARTICLE,
                    "body": body,
                    "parent": parent,
                    "author": {"name": f"Reader {n}", "email": f"reader{n}@example.com"},
                },
            )
            if response.status_code != 201:
                raise SystemExit(f"seeding failed: {response.status_code} {response.text}")
            ids.append(response.json()["id"])


def measure(browser: Browser, url: str, runs: int) -> tuple[list[dict], list[dict]]:
    cold, warm = [], []
    for _ in range(runs):
        context = browser.new_context()
        page = context.new_page()
        page.goto(url)
        cold.append(page.evaluate(PAINTED))
        page.reload()
        warm.append(page.evaluate(PAINTED))
        context.close()
    return cold, warm


def summary(label: str, results: list[dict]) -> str:
    paints = sorted(r["paint"] for r in results)
    fragments = [r["fragment"] for r in results if r["fragment"] is not None]
    js = [r["js"] for r in results if r["js"] is not None]
    return (
        f"{label:5} median {statistics.median(paints):6.1f} ms  (min {paints[0]:.1f}, max {paints[-1]:.1f}); "
        f"embed.js {statistics.median(js):.1f} ms, /embed/thread {statistics.median(fragments):.1f} ms "
        f"(median resource times); comments shown {results[0]['shown']}"
    )


def sizes() -> list[str]:
    lines = []
    for name in ("embed.js", "count.js", "embed.css"):
        raw = (STATIC / name).read_bytes()
        lines.append(f"{name:10} {len(raw):6} bytes, {len(gzip.compress(raw, 9)):6} bytes gzipped")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description="Widget paint time and sizes")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--comments", type=int, default=100)
    args = parser.parse_args()
    load_before = f"{os.getloadavg()[0]:.1f}"
    with tempfile.TemporaryDirectory() as folder:
        database_url = f"sqlite:///{folder}/bench.sqlite3"
        db = Database(database_url)
        migrate.upgrade(db.engine)
        holder, blog_holder = _Deferred(), _Deferred()
        backend = ServerThread(holder, url_host="localhost")
        site = ServerThread(blog_holder)
        blog_holder.app = blog(backend.url)  # type: ignore[assignment]
        settings = load_settings(
            database_url=database_url,
            secret_key="bench-secret-key-long-enough",  # noqa: S106 (a throwaway benchmark key)
            public_url=backend.url,
            secret_file=Path(folder) / "secret",
            rate_limits="off",
        )
        holder.app = create_app(settings)  # type: ignore[assignment]
        sites.add_site(db, "bench", origins=[site.url])
        sites.update_site(db, "bench", min_post_seconds=0)  # seeding is not a person typing
        db.dispose()
        with backend, site:
            seed(backend.url, site.url, args.comments)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path="/usr/bin/chromium", args=["--disable-gpu", "--no-first-run"]
                )
                measure(browser, site.url + ARTICLE, 1)  # warm up the server and the cache
                cold, warm = measure(browser, site.url + ARTICLE, args.runs)
                browser.close()
    print(f"load average before/after: {load_before} / {os.getloadavg()[0]:.1f} (2 cores)")
    print(f"script tag → painted comments, {args.comments}-comment thread, {args.runs} runs, loopback:")
    print(summary("cold", cold))
    print(summary("warm", warm))
    print("\n".join(sizes()))
    print("first cold runs, ms after the tag ([request start, response end]):")
    for result in cold[:3]:
        print("  ", result["timeline"])
    return 0


if __name__ == "__main__":
    sys.exit(main())

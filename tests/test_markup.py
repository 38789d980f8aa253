import pytest

from commentbox.domain.markup import render_markdown
from tests.support import parse_tags

XSS_CORPUS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "![x](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src=//evil.example></iframe>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    "<details open ontoggle=alert(1)>",
    "[x](&#106;avascript:alert(1))",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    "`<script>` and ```\n<script>alert(1)</script>\n```",
    "<!-- <script>alert(1)</script> -->",
    '[a](https://ok.example "title" onmouseover=alert(1))',
    "<<script>script>alert(1)<</script>/script>",
]


def assert_inert(html: str) -> None:
    """Parse the HTML as a browser would and check what could run: tags, attributes, URLs."""
    for tag, attributes in parse_tags(html):
        assert tag not in {"script", "iframe", "svg", "math", "object", "embed", "style", "details"}, html
        for name, value in attributes:
            assert not name.startswith("on") and name != "style", html
            if name in {"href", "src"}:
                assert (value or "").strip().lower().startswith(("http:", "https:", "mailto:")), html


@pytest.mark.parametrize("payload", XSS_CORPUS)
@pytest.mark.parametrize("allow_images", [False, True])
def test_hostile_markdown_renders_inert(payload, allow_images):
    assert_inert(render_markdown(payload, allow_images=allow_images))


def test_links_get_nofollow_ugc_noopener_noreferrer():
    html = render_markdown("[site](https://ok.example) <https://auto.example>")
    assert html.count('rel="nofollow ugc noopener noreferrer"') == 2


def test_markdown_is_rendered_and_raw_html_is_shown_as_text():
    html = render_markdown("**bold** _it_ ~~old~~\n\n- a\n- b\n\n> quote\n\n`<b>x</b>`")
    for tag in ("<strong>bold</strong>", "<em>it</em>", "<s>old</s>", "<li>a</li>", "<blockquote>"):
        assert tag in html
    assert "<code>&lt;b&gt;x&lt;/b&gt;</code>" in html


def test_images_only_where_the_site_allows_them():
    assert "<img" not in render_markdown("![cat](https://img.example/cat.png)")
    assert '<img src="https://img.example/cat.png" alt="cat">' in render_markdown(
        "![cat](https://img.example/cat.png)", allow_images=True
    )

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from commentbox.domain import markup
from commentbox.domain.markup import render_markdown
from commentbox.errors import InvalidInput
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


# Properties of the sanitizer over generated input ----------------------------------------------

MARKDOWN_ALPHABET = st.sampled_from(
    [*"abc <>&\"'`*_~[]()!#>-+.:/=\n\t\\", "javascript:", "http://x.example", "<script>", "on"]
)
markdown_sources = st.lists(MARKDOWN_ALPHABET, max_size=200).map("".join)


def _render_or_refuse(source: str, allow_images: bool) -> str | None:
    try:
        return render_markdown(source, allow_images=allow_images)
    except InvalidInput:
        return None  # nested past the limit: refused, nothing rendered


@settings(max_examples=300, deadline=None, derandomize=True)
@given(source=markdown_sources, allow_images=st.booleans())
def test_sanitizing_the_output_again_changes_nothing(source, allow_images):
    html = _render_or_refuse(source, allow_images)
    assume(html is not None)
    assert markup._cleaner(allow_images).clean(html).strip() == html


@settings(max_examples=300, deadline=None, derandomize=True)
@given(source=markdown_sources, allow_images=st.booleans())
def test_the_output_holds_only_allow_listed_elements_and_attributes(source, allow_images):
    html = _render_or_refuse(source, allow_images)
    assume(html is not None)
    allowed_tags = markup._TEXT_TAGS | ({"img"} if allow_images else set())
    for tag, attributes in parse_tags(html):
        assert tag in allowed_tags, html
        allowed = markup._ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
        for name, value in attributes:
            assert name in allowed, html
            if name in {"href", "src"}:
                assert (value or "").split(":")[0].lower() in markup.URL_SCHEMES, html

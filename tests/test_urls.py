import pytest

from commentbox.domain.urls import InvalidURL, canonical_url, origin_of


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("HTTPS://Blog.Example/Posts/Hello", "https://blog.example/Posts/Hello"),
        ("https://blog.example:443/a", "https://blog.example/a"),
        ("http://blog.example:80/a", "http://blog.example/a"),
        ("http://blog.example:8080/a", "http://blog.example:8080/a"),
        ("https://blog.example/a#comment-3", "https://blog.example/a"),
        ("https://blog.example/a/", "https://blog.example/a"),
        ("https://blog.example", "https://blog.example/"),
        ("https://blog.example/", "https://blog.example/"),
        ("https://user:pw@blog.example/a", "https://blog.example/a"),
        ("https://blog.example/a/./b/../c//d/", "https://blog.example/a/c/d"),
        ("https://blog.example/%7Euser/caf%c3%a9", "https://blog.example/~user/caf%C3%A9"),
        ("https://blog.example/café", "https://blog.example/caf%C3%A9"),
        ("https://blog.example/a%2fb", "https://blog.example/a%2Fb"),
        ("https://blog.example/100%", "https://blog.example/100%25"),
        ("https://bücher.example/x", "https://xn--bcher-kva.example/x"),
        ("https://BÜCHER.example/x", "https://xn--bcher-kva.example/x"),
        ("https://blog.example./x", "https://blog.example/x"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
        ("https://blog.example/a?utm_source=x&fbclid=y&q=1", "https://blog.example/a"),
    ],
)
def test_equivalent_addresses_share_one_canonical_url(given, expected):
    assert canonical_url(given) == expected


def test_allow_listed_query_parameters_split_threads_but_tracking_never_does():
    keep = frozenset({"p", "utm_source"})
    assert canonical_url("https://blog.example/?p=42", keep) == "https://blog.example/?p=42"
    assert canonical_url("https://blog.example/?x=1&p=42&utm_source=tw&gclid=z", keep) == (
        "https://blog.example/?p=42"
    )
    assert canonical_url("https://blog.example/?p=42&p=43", keep) == "https://blog.example/?p=42&p=43"
    assert canonical_url("https://blog.example/?p=1") == "https://blog.example/"


@pytest.mark.parametrize(
    "bad",
    [
        "javascript:alert(1)",
        "data:text/html,hi",
        "ftp://blog.example/x",
        "//blog.example/x",
        "/relative/path",
        "http:///nohost",
        "http://exa mple.com/",
        "http://blog.example:99999/",
        "https://" + "a" * 2100 + ".example/",
    ],
)
def test_anything_but_an_absolute_http_url_is_refused(bad):
    with pytest.raises(InvalidURL):
        canonical_url(bad)


def test_origin_is_scheme_host_and_non_default_port():
    assert origin_of("HTTPS://Blog.Example:443/x?y#z") == "https://blog.example"
    assert origin_of("http://localhost:3000/") == "http://localhost:3000"

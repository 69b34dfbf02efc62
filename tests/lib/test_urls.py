import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.lib.urls import InvalidUrlError, canonicalize_url, host_of, remove_dot_segments


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("HTTP://WWW.Example.COM/a", "http://www.example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443", "https://example.com/"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("http://example.com/a#comments", "http://example.com/a"),
        ("http://example.com/a?utm_source=x&utm_medium=rss&id=7", "http://example.com/a?id=7"),
        ("http://example.com/a?fbclid=1&gclid=2&WT_mc=3", "http://example.com/a"),
        ("http://example.com/a??utm_source=x&id=1", "http://example.com/a?id=1"),
        ("http://example.com/a?b=2&a=1", "http://example.com/a?a=1&b=2"),
        ("http://example.com/a?rss", "http://example.com/a?rss"),  # a blank parameter can select a page
        ("http://example.com/a?ref=home&uid=9", "http://example.com/a?ref=home&uid=9"),
        ("http://example.com/a/./b/../c", "http://example.com/a/c"),
        ("http://example.com/%7euser/%2f", "http://example.com/~user/%2F"),
        ("http://example.com/100%/x", "http://example.com/100%25/x"),
        ("http://user:secret@example.com/a", "http://example.com/a"),
        (
            "https://aawsat.com/العالم/خبر",
            "https://aawsat.com/%D8%A7%D9%84%D8%B9%D8%A7%D9%84%D9%85/%D8%AE%D8%A8%D8%B1",
        ),
        ("https://aawsat.com/%d8%ae%d8%a8%d8%b1", "https://aawsat.com/%D8%AE%D8%A8%D8%B1"),
        ("http://مثال.إختبار/", "http://xn--mgbh0fb.xn--kgbechtv/"),
        ("  http://example.com/a\n", "http://example.com/a"),
        ("http://exa\tmple.com/a", "http://example.com/a"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
    ],
)
def test_canonicalize_url(raw, canonical):
    assert canonicalize_url(raw) == canonical


def test_canonical_form_is_a_fixed_point():
    once = canonicalize_url("HTTP://Example.com:80/a/../b/%7e?utm_x=1&z=%e2%82%ac&a")
    assert canonicalize_url(once) == once


def test_relative_url_resolves_against_base():
    assert (
        canonicalize_url("../b?utm_source=x", base="https://example.com/news/a/")
        == "https://example.com/news/b"
    )


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "not a url",
        "ftp://example.com/a",
        "javascript:alert(1)",
        "mailto:a@b.c",
        "http://",
        "http://x:99999/",
    ],
)
def test_invalid_urls_are_refused(raw):
    with pytest.raises(InvalidUrlError):
        canonicalize_url(raw)


@pytest.mark.parametrize(
    ("path", "expected"),
    [("/a/b/c/./../../g", "/a/g"), ("/../a", "/a"), ("/a/..", "/"), ("/a/.", "/a/"), ("", "/")],
)
def test_remove_dot_segments(path, expected):
    assert remove_dot_segments(path) == expected


def test_host_of_keeps_a_non_default_port():
    assert host_of("http://Example.com:8080/a") == "example.com:8080"


# text between delimiters, so never one of ? # & = /
_SEGMENT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters="?#&=/"),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(
    host=st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9-]{0,10}[A-Za-z0-9])?(\.[A-Za-z]{2,6}){1,2}", fullmatch=True),
    port=st.one_of(st.none(), st.integers(1, 65535)),
    segments=st.lists(st.one_of(_SEGMENT, st.sampled_from([".", "..", "%7e", "%2F", "%"])), max_size=5),
    query=st.lists(
        st.tuples(st.sampled_from(["id", "utm_source", "page", "q", "fbclid", "a b"]), _SEGMENT), max_size=4
    ),
    fragment=_SEGMENT,
)
def test_canonicalization_is_idempotent_and_drops_what_it_should(host, port, segments, query, fragment):
    url = f"https://{host}{f':{port}' if port else ''}/{'/'.join(segments)}?{'&'.join(f'{k}={v}' for k, v in query)}#{fragment}"
    try:
        once = canonicalize_url(url)
    except InvalidUrlError:
        return
    assert canonicalize_url(once) == once
    assert "#" not in once and "utm_source=" not in once and "fbclid=" not in once
    assert once.startswith(f"https://{host.lower()}")

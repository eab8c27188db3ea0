"""The capture URL: what is refused, and the normalization captures are deduplicated by."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comstack_core.errors import InvalidInput
from comstack_core.ingest import normalize_url
from comstack_core.ingest.urls import check_page_url, without_credentials


@pytest.mark.parametrize(
    ("url", "normalized"),
    [
        ("HTTPS://Docs.Example.COM/Guide/Install", "https://docs.example.com/Guide/Install"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("http://example.com:443/a", "http://example.com:443/a"),
        ("https://example.com/a#section-2", "https://example.com/a"),
        ("https://example.com/docs/", "https://example.com/docs"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/?", "https://example.com/"),
        ("https://example.com/a/./b/../c", "https://example.com/a/c"),
        ("https://example.com//a///b", "https://example.com/a/b"),
        ("https://example.com/%7euser/%e2%82%ac", "https://example.com/~user/%E2%82%AC"),
        ("https://example.com/a?utm_source=x&utm_MEDIUM=y&UTM_campaign=z", "https://example.com/a"),
        ("https://example.com/a?gclid=1&fbclid=2&mc_cid=3&_ga=4&msclkid=5&q=tents", "https://example.com/a?q=tents"),
        ("https://example.com/a?z=1&a=2&m=3", "https://example.com/a?a=2&m=3&z=1"),
        ("https://example.com/a?tag=b&x=1&tag=a", "https://example.com/a?tag=b&tag=a&x=1"),
        ("https://example.com/a?q=two%20words&empty=", "https://example.com/a?empty=&q=two%20words"),
        ("https://user:secret@example.com/a", "https://example.com/a"),
        ("https://example.com./a", "https://example.com/a"),
        ("https://[2001:DB8::1]:443/a", "https://[2001:db8::1]/a"),
    ],
)
def test_normalization_rule(url: str, normalized: str) -> None:
    assert normalize_url(url) == normalized


def test_the_same_page_shared_with_tracking_and_a_fragment_is_one_capture() -> None:
    shared = "https://Shop.Example.com:443/products/tent/?utm_source=newsletter&fbclid=IwAR0#reviews"
    assert normalize_url(shared) == normalize_url("https://shop.example.com/products/tent")
    # A different scheme or a different real parameter is a different capture.
    assert normalize_url("http://shop.example.com/products/tent") != normalize_url(shared)
    assert normalize_url("https://shop.example.com/products/tent?variant=2") != normalize_url(shared)


@pytest.mark.parametrize(
    "url",
    [
        "", "   ", "ftp://example.com/file", "javascript:alert(1)", "file:///etc/passwd", "/relative/path",
        "example.com/no-scheme", "https://", "https:///path-only", "https://exa mple.com/", "https://example.com/a\nb",
        "data:text/html,<p>x</p>", "https://example.com:99999/", "https://example.com:0/",
        "https://example.com/" + "a" * 2100,
    ],
)
def test_refused_urls(url: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        normalize_url(url)
    assert caught.value.code == "invalid_url"
    assert caught.value.message


def test_a_non_string_url_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        check_page_url(None)
    assert caught.value.code == "invalid_url"


def test_credentials_are_never_kept() -> None:
    assert without_credentials("https://ana:pw@example.com/a?b=1#c") == "https://example.com/a?b=1#c"
    assert without_credentials("https://example.com/a") == "https://example.com/a"


_segment = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), max_size=12)


@given(
    st.sampled_from(["http", "https", "HTTPS"]),
    st.sampled_from(["example.com", "Docs.Example.org", "127.0.0.1"]),
    st.sampled_from(["", ":443", ":80", ":8080"]),
    st.lists(_segment, max_size=5),
    st.dictionaries(st.sampled_from(["q", "utm_source", "page", "gclid", "z"]), st.text(max_size=5), max_size=4),
    st.sampled_from(["", "#top", "#"]),
)
def test_normalizing_twice_changes_nothing(
    scheme: str, host: str, port: str, segments: list[str], query: dict[str, str], fragment: str
) -> None:
    from urllib.parse import quote, urlencode

    path = "/" + "/".join(quote(s, safe="") for s in segments)
    url = f"{scheme}://{host}{port}{path}" + (f"?{urlencode(query)}" if query else "") + fragment
    once = normalize_url(url)
    assert normalize_url(once) == once
    assert "#" not in once and "utm_" not in once and "gclid" not in once

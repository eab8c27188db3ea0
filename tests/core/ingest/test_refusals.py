"""Bad input gets a clear refusal with its own code: not HTML, too large, no main content, bad URL."""

from __future__ import annotations

import pytest

from comstack_core.errors import DomainError, InvalidInput, PayloadTooLarge
from comstack_core.ingest import MAX_HTML_BYTES, CaptureRequest, extract_page, prepare_capture

URL = "https://help.example.com/articles/reset"
ARTICLE = (
    "<!doctype html><html lang='en'><head><title>Reset your password</title>"
    "<link rel='canonical' href='/articles/reset-password'></head><body>"
    "<nav><a href='/'>Home</a> <a href='/pricing'>Pricing</a></nav><main><article><h1>Reset your password</h1>"
    "<p>Open the sign-in page and choose Forgot password. We send a link that works for one hour.</p>"
    "<p>Follow the link and type a new password twice; it must have at least twelve characters.</p>"
    "</article></main></body></html>"
)


def refused(html: object, url: str = URL) -> DomainError:
    with pytest.raises(DomainError) as caught:
        extract_page(url, html)  # type: ignore[arg-type]
    if isinstance(html, str):
        # The capture step refuses the same input the same way, before anything could be stored.
        # (model_construct: the NUL case would otherwise stop at the request model's own check.)
        with pytest.raises(type(caught.value)) as again:
            prepare_capture(CaptureRequest.model_construct(url=url, html=html, title=None))
        assert again.value.code == caught.value.code
    return caught.value


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   \n\t",
        '{"title": "Reset your password", "body": "..."}',
        "Open the sign-in page and choose Forgot password.",
        "%PDF-1.7\n%âãÏÓ\n1 0 obj << /Type /Catalog >> endobj",
        "<html>\x00\x01\x02binary</html>",
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>News</title><item>'
        "<title>A</title><link>https://example.com/a</link></item></channel></rss>",
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>'
        "https://example.com/</loc></url></urlset>",
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><text>Logo</text></svg>',
        "\ufeff<!-- generated --><feed xmlns='http://www.w3.org/2005/Atom'><title>x</title></feed>",
        "<>",
    ],
)
def test_not_html(html: str) -> None:
    error = refused(html)
    assert isinstance(error, InvalidInput)
    assert error.code == "not_html"
    assert "HTML" in error.message


def test_html_must_be_a_string() -> None:
    assert refused(b"<html><body><p>bytes</p></body></html>").code == "not_html"
    assert refused(None).code == "not_html"


def test_html_over_the_limit_is_payload_too_large() -> None:
    # Bytes are counted in UTF-8, not characters: 'é' is two bytes.
    html = ARTICLE.replace("</body>", "<!--" + "é" * (MAX_HTML_BYTES // 2) + "--></body>")
    error = refused(html)
    assert isinstance(error, PayloadTooLarge)
    assert error.code == "html_too_large"
    assert error.details == {"size_bytes": len(html.encode()), "limit_bytes": MAX_HTML_BYTES}
    assert "1,048,576" in error.message


def test_html_at_the_limit_is_accepted() -> None:
    padding = MAX_HTML_BYTES - len(ARTICLE.encode()) - len("<!---->")
    html = ARTICLE.replace("</body>", "<!--" + "x" * padding + "--></body>")
    assert len(html.encode()) == MAX_HTML_BYTES
    assert extract_page(URL, html).title == "Reset your password"
    with pytest.raises(PayloadTooLarge):
        extract_page(URL, ARTICLE, max_bytes=len(ARTICLE.encode()) - 1)


@pytest.mark.parametrize(
    "body",
    [
        "",
        "<div id='root'></div><script>window.boot()</script><noscript>Enable JavaScript.</noscript>",
        "<header><nav><a href='/'>Home</a><a href='/docs'>Documentation</a><a href='/blog'>Blog</a></nav></header>"
        "<div class='cookie-banner'><p>We use cookies to improve your experience on our website.</p>"
        "<button>Accept</button></div><footer><p>© 2025 Example Ltd. All rights reserved.</p></footer>",
        "<img src='/a.png' alt=''><img src='/b.png' alt=''>",
    ],
)
def test_no_main_content(body: str) -> None:
    error = refused(f"<!doctype html><html><head><title>Loading…</title></head><body>{body}</body></html>")
    assert isinstance(error, InvalidInput)
    assert error.code == "empty_content"
    assert "Capture the page once it has fully loaded" in error.message


@pytest.mark.parametrize("url", ["ftp://example.com/a", "javascript:void(0)", "/articles/reset", ""])
def test_bad_url(url: str) -> None:
    error = refused(ARTICLE, url)
    assert error.code == "invalid_url"


def test_a_fragment_of_html_is_enough() -> None:
    draft = extract_page(URL, ARTICLE[ARTICLE.index("<main>") : ARTICLE.index("</body>")])
    assert draft.title == "Reset your password"
    assert "works for one hour" in draft.content


def test_prepared_capture() -> None:
    html = ARTICLE + "<!-- é -->"
    prepared = prepare_capture(
        CaptureRequest(url="https://bob:pw@Help.Example.com/articles/reset/?utm_source=x#top", html=html,
                       title="  Reset your\n password  | Help ")
    )
    assert prepared.url == "https://Help.Example.com/articles/reset/?utm_source=x#top"
    assert prepared.normalized_url == "https://help.example.com/articles/reset"
    assert prepared.canonical_url == "https://Help.Example.com/articles/reset-password"
    assert prepared.title == "Reset your password | Help"
    assert prepared.html == html
    assert prepared.html_bytes == len(html.encode())
    import hashlib

    assert prepared.html_sha256 == hashlib.sha256(html.encode()).hexdigest()
    # Without the content check an empty page is accepted (the caller extracts later).
    shell = "<html><body><div id='root'></div></body></html>"
    assert prepare_capture(CaptureRequest(url=URL, html=shell), check_content=False).html == shell

from __future__ import annotations

from pathlib import Path

from comstack_core.site import build_site, check_site
from comstack_core.site.markdown import MarkdownRenderer

from .conftest import BASE_URL

DOC = """# Title of guides/intro

Intro paragraph with **bold**, ~~gone~~ and `code`.

## Install steps

| Option | Default |
|--------|--------:|
| port   | 8787    |

```python
def hello():
    return "hi"
```

<script>alert("x")</script>

<p onclick="steal()">Raw <b>html</b> <a href="javascript:alert(1)">bad</a></p>

![diagram](https://cdn.example.com/d.png)

### Details
"""


def _build(tmp_path: Path, make_page, make_config, content: str, **kw):
    pages = [make_page("index"), make_page("guides/intro", content=content, **kw), make_page("guides/other")]
    build_site(make_config(), pages, tmp_path)
    return tmp_path / "guides/intro/index.html"


def test_markdown_features_render(tmp_path: Path, make_page, make_config, html):
    doc = html(_build(tmp_path, make_page, make_config, DOC))
    article = doc.css_first("main article")
    # The layout's h1 is the only one; the duplicate title heading in the body is dropped.
    assert [h.text(strip=True) for h in doc.css("h1")] == ["Title of guides/intro"]
    table = article.css_first("table")
    assert [th.text(strip=True) for th in table.css("th")] == ["Option", "Default"]
    assert table.css_first("td + td").attributes["style"] == "text-align:right"
    assert article.css_first("s").text() == "gone"
    # Heading anchors.
    h2 = article.css_first("h2")
    assert h2.attributes["id"] == "install-steps"
    assert h2.css_first("a.header-anchor").attributes["href"] == "#install-steps"
    assert article.css_first("h3").attributes["id"] == "details"


def test_code_is_highlighted_with_classes_not_inline_styles(tmp_path: Path, make_page, make_config, html):
    doc = html(_build(tmp_path, make_page, make_config, DOC))
    pre = doc.css_first("pre.hl")
    assert pre.css_first("code").attributes["class"] == "language-python"
    assert pre.css_first("span.k").text() == "def"  # Pygments keyword class
    assert not pre.css("[style]")
    css = next((tmp_path / "assets").glob("site.*.css")).read_text()
    assert "pre.hl .k{" in css


def test_raw_html_in_markdown_is_sanitized(tmp_path: Path, make_page, make_config, html):
    path = _build(tmp_path, make_page, make_config, DOC)
    article = html(path).css_first("main article")
    assert not article.css("script")
    assert "alert" not in article.html
    p = next(p for p in article.css("p") if "Raw" in p.text())
    assert "onclick" not in p.attributes
    assert p.css_first("b").text() == "html"
    assert "href" not in p.css_first("a").attributes
    img = article.css_first("img")
    assert img.attributes["loading"] == "lazy"
    assert img.attributes["alt"] == "diagram"


def test_internal_links_resolve_in_every_spelling(tmp_path: Path, make_page, make_config, html):
    content = (
        "[a](/guides/other) [b](guides/other) [c](other) [d](guides/other.md) [e](/guides/other/#x) "
        "[f](/sites/acme/guides/other/) [g](https://example.com/x) [h](#local) [i](/guides/missing)"
    )
    doc = html(_build(tmp_path, make_page, make_config, content))
    hrefs = [a.attributes["href"] for a in doc.css("main .cs-body a")]
    assert hrefs == [
        "../../guides/other/",
        "../../guides/other/",
        "../../guides/other/",
        "../../guides/other/",
        "../../guides/other/#x",
        "../../guides/other/",
        "https://example.com/x",
        "#local",
        "../../guides/missing/",
    ]
    # The one broken link is reported by its real target.
    assert check_site(tmp_path, BASE_URL) == ["guides/intro/index.html: broken link ../../guides/missing/"]


def test_links_prefer_the_readers_language_then_fall_back(tmp_path: Path, make_page, make_config, html):
    pages = [
        make_page("index"),
        make_page("guides/a"),
        make_page("guides/b"),
        make_page("guides/a", "es-MX"),
        make_page(
            "guias/inicio", "es-MX", canonical_slug="guides/start", content="[a](/guides/a) [b](/guides/b)"
        ),
    ]
    build_site(make_config(), pages, tmp_path)
    doc = html(tmp_path / "es/guias/inicio/index.html")
    assert [a.attributes["href"] for a in doc.css("main .cs-body a")] == [
        "../../../es/guides/a/",
        "../../../guides/b/",
    ]
    assert check_site(tmp_path, BASE_URL) == []


def test_body_headings_are_demoted_when_they_use_h1(make_page):
    out = MarkdownRenderer().render("# Part one\n\ntext\n\n## Sub\n", "Page title")
    assert "<h1" not in out.html
    assert '<h2 id="part-one">' in out.html and '<h3 id="sub">' in out.html


def test_excerpt_is_prose_only():
    out = MarkdownRenderer().render("# Big\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nFirst *real* words.\n", "T")
    assert out.excerpt == "First real words."

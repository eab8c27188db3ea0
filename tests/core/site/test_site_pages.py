"""Custom pages, head metadata (hreflang, canonical, Open Graph) and JSON-LD."""

from __future__ import annotations

import json
from pathlib import Path

from comstack_core.site import build_site, check_site

from .conftest import BASE_URL

BODY = (
    '<section class="hero"><h1 data-t-key="hero.title">Pricing</h1>'
    "<p data-t-key='hero.sub'>Simple <em>plans</em></p>"
    '<p data-t-key="untranslated">Stays</p>'
    '<script>if (1 < 2) { document.body.dataset.x = "y"; }</script></section>'
)


def _custom(make_page, language: str = "en", strings: dict[str, str] | None = None, body: str = BODY):
    return make_page(
        "pricing",
        language,
        page_type="custom",
        content="",
        body_html=body,
        translatable_strings=strings or {},
        doc_template_id="custom-page",
        schema_org_type="WebPage",
    )


def test_custom_page_markers_are_filled_and_scripts_kept(tmp_path: Path, make_page, make_config, html):
    strings = {"hero.title": "Precios <b>hoy</b>", "hero.sub": "Planes simples"}
    build_site(make_config(), [make_page("index"), _custom(make_page, "es-MX", strings)], tmp_path)
    doc = html(tmp_path / "es/pricing/index.html")
    article = doc.css_first("main article")
    assert article.css_first('[data-t-key="hero.title"]').text() == "Precios <b>hoy</b>"  # text, not markup
    assert article.css_first('[data-t-key="hero.title"] b') is None
    assert article.css_first('[data-t-key="hero.sub"]').text() == "Planes simples"
    assert article.css_first('[data-t-key="untranslated"]').text() == "Stays"
    assert "if (1 < 2)" in article.css_first("script").text()
    # The body has its own h1, so the shell does not add a second one.
    assert len(doc.css("h1")) == 1
    assert doc.css_first("header.cs-header") is not None and doc.css_first("footer") is not None


def test_custom_body_without_markers_ships_byte_for_byte(tmp_path: Path, make_page, make_config):
    body = "<div   class=x><p>Odd  <i>markup</b></div><script>a<b</script>"
    build_site(make_config(), [make_page("index"), _custom(make_page, body=body)], tmp_path)
    assert body in (tmp_path / "pricing/index.html").read_text()


def test_custom_page_without_h1_gets_the_title(tmp_path: Path, make_page, make_config, html):
    build_site(make_config(), [make_page("index"), _custom(make_page, body="<p>Hi</p>")], tmp_path)
    assert [h.text() for h in html(tmp_path / "pricing/index.html").css("h1")] == ["Title of pricing"]


def test_hreflang_alternates_are_reciprocal(tmp_path: Path, make_page, make_config, html):
    pages = [
        make_page("index"),
        make_page("index", "es-MX"),
        make_page("guides/intro"),
        make_page("guias/intro", "es-MX", canonical_slug="guides/intro"),
        make_page("only-en"),
    ]
    build_site(make_config(), pages, tmp_path)
    en_url, es_url = BASE_URL + "guides/intro/", BASE_URL + "es/guias/intro/"
    expected = {"en": en_url, "es-MX": es_url, "x-default": en_url}
    for name, url, lang in (
        ("guides/intro/index.html", en_url, "en"),
        ("es/guias/intro/index.html", es_url, "es-MX"),
    ):
        doc = html(tmp_path / name)
        alts = {
            n.attributes["hreflang"]: n.attributes["href"] for n in doc.css('link[rel="alternate"][hreflang]')
        }
        assert alts == expected, name
        assert doc.css_first("html").attributes["lang"] == lang
        assert doc.css_first('link[rel="canonical"]').attributes["href"] == url
        og = {m.attributes["property"]: m.attributes["content"] for m in doc.css("meta[property]")}
        assert og["og:url"] == url
        assert og["og:title"] == doc.css_first("h1").text()
        assert og["og:type"] == "article"
        assert og["og:locale"] == ("en" if lang == "en" else "es_MX")
        assert og["og:description"].startswith("Description of")
    # A page with no other language variant has no alternates at all.
    assert not html(tmp_path / "only-en/index.html").css('link[rel="alternate"][hreflang]')
    assert check_site(tmp_path, BASE_URL) == []


def _json_ld(doc) -> dict:
    return json.loads(doc.css_first('script[type="application/ld+json"]').text())


def test_json_ld_for_a_product(tmp_path: Path, make_page, make_config, html):
    product = make_page(
        "products/widget",
        title="Widget </script><script>alert(1)</script>",
        schema_org_type="Product",
        schema_org_fields={
            "sku": "sku",
            "price": "offers.price",
            "currency": "offers.priceCurrency",
            "brand": "brand",
            "in_stock": "offers.availability",
        },
        metadata={
            "sku": "W-1",
            "price": 19.5,
            "currency": "EUR",
            "brand": "Acme",
            "in_stock": True,
            "other": 1,
        },
    )
    build_site(make_config(), [make_page("index"), product], tmp_path)
    doc = html(tmp_path / "products/widget/index.html")
    # JSON-LD, the inline theme starter and the site script: the title could not break out.
    kinds = sorted(s.attributes.get("type") or ("src" if "src" in s.attributes else "inline") for s in doc.css("script"))
    assert kinds == ["application/ld+json", "inline", "src"]
    data = _json_ld(doc)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Product"
    assert data["name"].startswith("Widget </script>")
    assert data["sku"] == "W-1"
    assert data["brand"] == {"@type": "Brand", "name": "Acme"}
    assert data["offers"]["@type"] == "Offer"
    assert data["offers"]["price"] == 19.5
    assert data["offers"]["priceCurrency"] == "EUR"
    assert data["offers"]["availability"] == "https://schema.org/InStock"
    assert "other" not in data


def test_json_ld_for_a_faq_page(tmp_path: Path, make_page, make_config, html):
    faq = make_page(
        "faq/billing",
        schema_org_type="FAQPage",
        schema_org_fields={"questions": "mainEntity"},
        metadata={"questions": [{"question": "Can I pay yearly?", "answer": "Yes, with 2 months free."}]},
    )
    build_site(make_config(), [make_page("index"), faq], tmp_path)
    data = _json_ld(html(tmp_path / "faq/billing/index.html"))
    assert data["@type"] == "FAQPage"
    assert data["mainEntity"] == [
        {
            "@type": "Question",
            "name": "Can I pay yearly?",
            "acceptedAnswer": {"@type": "Answer", "text": "Yes, with 2 months free."},
        }
    ]


def test_head_is_lighthouse_friendly(tmp_path: Path, make_page, make_config, html):
    build_site(make_config(), [make_page("index"), make_page("a")], tmp_path)
    doc = html(tmp_path / "a/index.html")
    assert doc.css_first('meta[name="viewport"]') is not None
    assert doc.css_first("title").text() == "Title of a · Acme Docs"
    for script in doc.css("script[src]"):
        assert "defer" in script.attributes
    assert doc.css_first("a.cs-skip").attributes["href"] == "#cs-main"
    assert doc.css_first("main#cs-main article") is not None
    assert doc.css_first("header") is not None and doc.css_first("footer") is not None
    assert len(doc.css('link[rel="stylesheet"]')) == 1
    assert not doc.css("style") and not doc.css("[style]")

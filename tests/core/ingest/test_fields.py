"""Template suggestion and field filling from JSON-LD, microdata and Open Graph."""

from __future__ import annotations

import json
from typing import Any

import pytest

from comstack_core.errors import InvalidInput
from comstack_core.ingest import extract_page
from comstack_core.ingest.fields import convert, fit
from comstack_core.rules.templates import BUILTIN_DOC_TEMPLATES
from comstack_core.schemas import DocTemplateView, FieldDef

URL = "https://example.com/pages/item"
BODY = (
    "<main><article><h1>Trail kettle</h1><p>A light kettle for camp stoves that boils a litre in four minutes "
    "and packs inside a standard pot.</p><p>It has a folding handle, a lid that locks, and a spout that pours "
    "without dripping on the stove.</p></article></main>"
)


def page(head: str = "", body: str = BODY) -> str:
    return f"<!doctype html><html lang='en'><head><title>Trail kettle</title>{head}</head><body>{body}</body></html>"


def json_ld(*items: Any) -> str:
    return "".join(f'<script type="application/ld+json">{json.dumps(item)}</script>' for item in items)


def test_product_from_json_ld_with_an_offer_list_and_aggregate_offer() -> None:
    product = {
        "@context": "https://schema.org", "@type": "Product", "name": "Trail kettle", "sku": "TK-1",
        "brand": "Campfire", "offers": {"@type": "AggregateOffer", "lowPrice": "1.299,00", "priceCurrency": "SEK",
                                        "availability": "https://schema.org/LimitedAvailability"},
    }
    draft = extract_page(URL, page(json_ld(product)))
    assert draft.suggested_template.id == draft.doc_template_id == "product"
    assert draft.fields == {"sku": "TK-1", "price": 1299, "currency": "SEK", "brand": "Campfire", "in_stock": True}
    assert set(draft.field_sources.values()) == {"json-ld"}
    assert "JSON-LD declares Product" in draft.suggested_template.reason


def test_open_graph_product_tags_fill_the_product_template() -> None:
    og = (
        '<meta property="og:type" content="product"><meta property="product:price:amount" content="24.50">'
        '<meta property="product:price:currency" content="EUR"><meta property="product:availability" content="out of stock">'
        '<meta property="product:brand" content="Campfire"><meta property="product:retailer_item_id" content="TK-1">'
    )
    draft = extract_page(URL, page(og))
    assert draft.suggested_template.id == "product"
    assert draft.fields == {"sku": "TK-1", "price": 24.5, "currency": "EUR", "brand": "Campfire", "in_stock": False}
    assert set(draft.field_sources.values()) == {"opengraph"}
    assert draft.metadata.open_graph["og:type"] == "product"


def test_json_ld_wins_over_open_graph_and_open_graph_fills_the_gaps() -> None:
    product = {"@type": "Product", "name": "Trail kettle", "offers": {"price": 30, "priceCurrency": "USD"}}
    og = '<meta property="og:type" content="product"><meta property="product:price:amount" content="24.50">' \
         '<meta property="product:brand" content="Campfire">'
    draft = extract_page(URL, page(json_ld(product) + og))
    assert (draft.fields["price"], draft.field_sources["price"]) == (30, "json-ld")
    assert (draft.fields["brand"], draft.field_sources["brand"]) == ("Campfire", "opengraph")


def test_faq_questions_from_a_graph_with_html_answers() -> None:
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": "Example"},
        {"@type": ["WebPage", "FAQPage"], "mainEntity": [
            {"@type": "Question", "name": "Does it fit a 1 L pot?", "acceptedAnswer": {"@type": "Answer",
             "text": "<p>Yes, with the <b>handle</b> folded.</p>"}},
            {"@type": "Question", "name": "Unanswered?"},
        ]},
    ]}
    draft = extract_page(URL, page(json_ld(graph)))
    assert draft.suggested_template.id == "faq"
    assert draft.fields == {"questions": [{"question": "Does it fit a 1 L pot?", "answer": "Yes, with the handle folded."}]}
    assert draft.metadata.json_ld_types == ["WebSite", "WebPage", "FAQPage"]


def test_an_invalid_json_ld_block_is_skipped_with_a_note_and_the_others_still_count() -> None:
    html = page('<script type="application/ld+json">{ "@type": "FAQPage", oops }</script>'
                + json_ld({"@type": "TechArticle", "keywords": "kettle, stove", "dateModified": "2024-05-06T10:00:00+02:00"}))
    draft = extract_page(URL, html)
    assert draft.suggested_template.id == "docs"
    assert draft.fields == {"keywords": ["kettle", "stove"], "updated": "2024-05-06"}
    assert any("JSON-LD block is not valid JSON" in note for note in draft.notes)


def test_microdata_faq() -> None:
    body = (
        "<main><h1>Kettle questions</h1><div itemscope itemtype='https://schema.org/FAQPage'>"
        "<div itemprop='mainEntity' itemscope itemtype='https://schema.org/Question'><h2 itemprop='name'>Is it "
        "dishwasher safe?</h2><div itemprop='acceptedAnswer' itemscope itemtype='https://schema.org/Answer'>"
        "<p itemprop='text'>No, wash it by hand so the coating on the base lasts for many years.</p></div></div>"
        "</div></main>"
    )
    draft = extract_page(URL, page(body=body))
    assert draft.suggested_template.id == "faq"
    assert draft.fields["questions"][0]["question"] == "Is it dishwasher safe?"
    assert draft.field_sources == {"questions": "microdata"}
    assert draft.metadata.microdata_types == ["FAQPage"]


def test_no_structured_data_suggests_docs_with_the_reason() -> None:
    draft = extract_page(URL, page())
    assert draft.suggested_template.id == "docs"
    assert "none declared" in draft.suggested_template.reason and "default" in draft.suggested_template.reason


def test_a_requested_template_is_filled_and_the_suggestion_kept() -> None:
    product = {"@type": "Product", "sku": "TK-1", "offers": {"price": 30}}
    draft = extract_page(URL, page(json_ld(product)), template_id="docs")
    assert draft.doc_template_id == "docs" and draft.fields == {}
    assert draft.suggested_template.id == "product"
    with pytest.raises(InvalidInput) as caught:
        extract_page(URL, page(), template_id="custom-page")
    assert caught.value.code == "unknown_template" and "docs, blog, product, faq" in caught.value.message


def test_a_projects_own_template_is_suggested_from_its_schema_org_type() -> None:
    recipe = DocTemplateView(
        id="recipe", name="Recipe", description="", card_template_id="default", schema_org_type="Recipe",
        slug_instructions="", builtin=False, deleted=False,
        fields=[FieldDef(name="servings", type="number", schema_org="recipeYield"),
                FieldDef(name="ingredients", type="array", schema_org="recipeIngredient"),
                FieldDef(name="vegan", type="boolean", schema_org="suitableForDiet")],
    )
    item = {"@type": "Recipe", "recipeYield": "4 servings", "recipeIngredient": ["400 g peas", "1 leek"]}
    draft = extract_page(URL, page(json_ld(item)), templates=[*BUILTIN_DOC_TEMPLATES, recipe])
    assert draft.suggested_template.id == "recipe"
    assert draft.fields == {"servings": 4, "ingredients": ["400 g peas", "1 leek"]}
    # Only the project's templates are considered.
    only_docs = [t for t in BUILTIN_DOC_TEMPLATES if t["id"] == "docs"]
    assert extract_page(URL, page(json_ld(item)), templates=only_docs).suggested_template.id == "docs"


def test_article_types_go_to_blog_when_they_have_an_author_and_a_date() -> None:
    news = {"@type": "NewsArticle", "author": [{"@type": "Person", "name": "Ana"}, {"@type": "Person", "name": "Bo"}],
            "datePublished": "2025-01-21", "keywords": ["water"]}
    draft = extract_page(URL, page(json_ld(news)))
    assert draft.suggested_template.id == "blog"
    assert draft.fields == {"author": "Ana, Bo", "published": "2025-01-21", "tags": ["water"]}
    bare = extract_page(URL, page(json_ld({"@type": "Article", "headline": "Kettles"})))
    assert bare.suggested_template.id == "docs"


@pytest.mark.parametrize("depth", [800, 5000])
def test_deep_json_ld_is_cut_or_skipped_never_followed(depth: int) -> None:
    nested = '{"@type": "Thing", "about": ' * depth + "{}" + "}" * depth
    ld = '{"@type": "TechArticle", "keywords": "kettle", "about": ' + nested + "}"
    draft = extract_page(URL, page(f'<script type="application/ld+json">{ld}</script>'))
    assert draft.title == "Trail kettle"
    if depth < 1000:  # read, and cut at a few levels
        assert draft.fields == {"keywords": ["kettle"]}
    else:
        assert draft.fields == {} and any("nested too deeply" in note for note in draft.notes)


@pytest.mark.parametrize(
    ("value", "field_type", "expected"),
    [
        ("59,90 €", "number", 59.9), ("$1,299.00", "number", 1299.0), ("1.299,50", "number", 1299.5),
        ("1,299", "number", 1299), ("12", "number", 12), ("free", "number", None), (True, "number", None),
        ("https://schema.org/InStock", "boolean", True), ("http://schema.org/OutOfStock", "boolean", False),
        ("PreOrder", "boolean", False), ("maybe", "boolean", None),
        ("2024-03-02T09:30:00Z", "date", "2024-03-02"), ("2024-03-02", "date", "2024-03-02"),
        ("March 2, 2024", "date", None), ("a, b,, c", "array", ["a", "b", "c"]),
        ({"@type": "Brand", "name": "Campfire"}, "string", "Campfire"), (["Ana", "Bo", "Ana"], "string", "Ana, Bo"),
        ("<b>Bold</b> claim", "string", "Bold claim"), ("", "string", None),
    ],
)
def test_conversions(value: Any, field_type: str, expected: Any) -> None:
    assert convert(value, field_type) == expected


def test_type_fit() -> None:
    assert fit("FAQPage", "FAQPage") == 3
    assert fit("APIReference", "TechArticle") == 2
    assert fit("NewsArticle", "BlogPosting") == 1
    assert fit("Article", "TechArticle") == 1
    assert fit("Product", "FAQPage") == 0
    assert fit("WebPage", "FAQPage") == 0

"""Extraction quality over the corpus in corpus/: each page's title, language, kept sentences,
boilerplate removed, absolute links, images and template fields (bench/ingest.py reports the shares)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from comstack_core.ingest import ProposedDraft, extract_page, markdown_text
from comstack_core.site.markdown import MarkdownRenderer

CORPUS = Path(__file__).parent / "corpus"
PAGES: list[dict[str, Any]] = tomllib.loads((CORPUS / "expected.toml").read_text(encoding="utf-8"))["page"]
TARGET = 0.9


def squash(text: str) -> str:
    return " ".join(text.split())


def extract(page: dict[str, Any]) -> ProposedDraft:
    return extract_page(page["url"], (CORPUS / page["file"]).read_text(encoding="utf-8"), page["captured"])


def body_links(markdown: str) -> list[str]:
    links = []
    for token in MarkdownIt("commonmark").enable("table").parse(markdown):
        for child in token.children or []:
            if child.type == "link_open":
                links.append(str(child.attrs["href"]))
            elif child.type == "image":
                links.append(str(child.attrs["src"]))
    return links


def test_the_corpus_has_the_kinds_of_page_asked_for() -> None:
    assert len(PAGES) >= 15
    assert len({p["file"] for p in PAGES}) == len(PAGES)
    assert all((CORPUS / p["file"]).is_file() for p in PAGES)
    assert {"es", "fr", "de-DE", "pt-BR", "it"} <= {p["language"] for p in PAGES}
    assert {"docs", "blog", "faq", "product"} <= {p["template"] for p in PAGES}
    for page in PAGES:
        assert len(page["keep"]) >= 3 and len(page["drop"]) >= 3, page["file"]


@pytest.mark.parametrize("page", PAGES, ids=[p["file"] for p in PAGES])
def test_page(page: dict[str, Any]) -> None:
    draft = extract(page)
    text = squash(markdown_text(draft.content))
    assert draft.title == page["title"]
    assert draft.language == page["language"]
    assert draft.suggested_template.id == page["template"], draft.suggested_template.reason
    missing = [s for s in page["keep"] if squash(s) not in text]
    left = [s for s in page["drop"] if squash(s) in text]
    assert not missing, f"main-content sentences lost: {missing}"
    assert not left, f"boilerplate left in the body: {left}"
    for name, value in page.get("fields", {}).items():
        assert draft.fields.get(name) == value, name
    links = body_links(draft.content)
    relative = [link for link in links if not link.startswith(("https://", "http://"))]
    assert not relative, f"links not made absolute: {relative}"
    for link in page.get("links", []):
        assert link in links
    images = {(image.url, image.alt) for image in draft.images}
    for url, alt in page.get("images", []):
        assert (url, alt) in images
    # The title is the page's h1 on the site; the body does not say it again.
    assert not draft.content.lstrip().startswith(f"# {draft.title}\n")
    assert draft.metadata.source_url == page["url"]


def test_shares_over_the_corpus_meet_the_targets() -> None:
    kept = removed = keep = drop = 0
    for page in PAGES:
        text = squash(markdown_text(extract(page).content))
        keep += len(page["keep"])
        drop += len(page["drop"])
        kept += sum(squash(s) in text for s in page["keep"])
        removed += sum(squash(s) not in text for s in page["drop"])
    assert kept / keep >= TARGET
    assert removed / drop >= TARGET


def test_the_body_renders_as_the_site_renders_markdown() -> None:
    """Tables, code blocks, lists and links come out of the site's own Markdown renderer as HTML."""
    renderer = MarkdownRenderer()
    page = next(p for p in PAGES if p["file"] == "api-reference-tables-code.html")
    draft = extract(page)
    html = renderer.render(draft.content, draft.title).html
    assert html.count("<table>") == 2
    assert html.count("<pre") == 3
    assert '<a href="https://docs.parcelwise.test/en/2.3/reference/track.html#label"' in html
    draft = extract(next(p for p in PAGES if p["file"] == "changelog.html"))
    lists = renderer.render(draft.content, draft.title).html
    assert lists.count("<ul>") == 4 and "<strong>Offline drafts.</strong>" in lists

"""Slug suggestions: from the URL path or the title, always valid, made free against the project's slugs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comstack_core.ingest import free_slug, suggest_slug
from comstack_core.rules.slugs import MAX_SLUG_LENGTH, validate_slug


@pytest.mark.parametrize(
    ("url", "title", "slug"),
    [
        ("https://help.example.com/en/articles/Reset-Password.html", None, "articles/reset-password"),
        ("https://docs.example.com/guides/install/", None, "guides/install"),
        ("https://example.com/es-mx/ayuda/cómo-pagar", None, "ayuda/como-pagar"),
        ("https://example.com/a/b/c/d/e", None, "c/d/e"),
        ("https://example.com/blog/2024/09/night-shift/index.php", None, "2024/09/night-shift"),
        ("https://example.com/", "Welcome to Northwind", "welcome-to-northwind"),
        ("https://example.com/index.html", "Über uns", "uber-uns"),
        ("https://example.com/p/12345", "Grafting season, and the apple tree", "p/grafting-season-and-the-apple-tree"),
        ("https://example.com/p/12345", None, "p/12345"),
        ("https://wiki.example.com/pages/viewpage.action?pageId=918273", "On-call runbook", "pages/on-call-runbook"),
        ("https://example.com/index.php?p=12", "Opening hours", "opening-hours"),
        ("https://example.com/index.php?p=12", None, "imported-page"),
        ("https://example.com/", None, "imported-page"),
        ("https://example.com/%E2%9C%93/", "Done", "done"),
        ("https://example.com/en", None, "en"),
    ],
)
def test_suggestions(url: str, title: str | None, slug: str) -> None:
    assert suggest_slug(url, title) == slug


def test_long_segments_are_cut_at_a_word() -> None:
    slug = suggest_slug("https://example.com/" + "-".join(["word"] * 40))
    assert len(slug) <= 60 and slug.endswith("word") and "--" not in slug


def test_free_slug() -> None:
    assert free_slug("guides/install", set()) == "guides/install"
    assert free_slug("guides/install", {"guides/install"}) == "guides/install-2"
    assert free_slug("guides/install", {"guides/install", "guides/install-2", "guides/install-3"}) == "guides/install-4"
    long = "a/" + "b" * (MAX_SLUG_LENGTH - 2)
    freed = free_slug(long, {long})
    assert len(freed) <= MAX_SLUG_LENGTH and freed.endswith("-2") and validate_slug(freed) == freed


@given(st.text(max_size=300), st.one_of(st.none(), st.text(max_size=200)))
def test_any_url_path_and_title_give_a_valid_slug(path: str, title: str | None) -> None:
    from urllib.parse import quote

    slug = suggest_slug("https://example.com/" + quote(path, safe="/"), title)
    assert validate_slug(slug) == slug


@given(st.sets(st.sampled_from(["faq", "faq-2", "faq-3", "faq-5", "guides/a"])))
def test_free_slug_is_never_taken(taken: set[str]) -> None:
    freed = free_slug("faq", taken)
    assert freed not in taken and validate_slug(freed) == freed

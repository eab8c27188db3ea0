from __future__ import annotations

from pathlib import Path

import pytest

from comstack_core.site import SiteBuildError, build_site, check_site
from comstack_core.site.urls import build_index

from .conftest import BASE_URL


def test_default_locale_has_no_prefix_and_others_use_the_short_code(tmp_path: Path, make_page, make_config):
    pages = [
        make_page("index"),
        make_page("guides/intro"),
        make_page("index", "es-MX"),
        make_page("guides/intro", "es-MX"),
    ]
    build_site(make_config(), pages, tmp_path)
    for name in ("index.html", "guides/intro/index.html", "es/index.html", "es/guides/intro/index.html"):
        assert (tmp_path / name).is_file(), name
    # Markdown copies: the URL without its trailing slash + .md; a home page's copy is index.md.
    for name in ("index.md", "guides/intro.md", "es/index.md", "es/guides/intro.md"):
        assert (tmp_path / name).is_file(), name
    assert not (tmp_path / "es-MX").exists()
    assert not (tmp_path / "index").exists()
    assert check_site(tmp_path, BASE_URL) == []


def test_page_urls_use_one_directory_form(make_page, make_config):
    index = build_index(make_config(), [make_page("index"), make_page("a/b"), make_page("a/b", "es-MX")])
    assert [(e.page.language, e.path, e.html_file, e.md_file) for e in index.entries] == [
        ("en", "a/b/", "a/b/index.html", "a/b.md"),
        ("en", "", "index.html", "index.md"),
        ("es-MX", "es/a/b/", "es/a/b/index.html", "es/a/b.md"),
    ]
    assert index.absolute("es/a/b/") == BASE_URL + "es/a/b/"


def test_locales_sharing_a_short_code_fall_back_to_full_tags(make_page, make_config):
    config = make_config(locales=["en", "pt-BR", "pt-PT"])
    index = build_index(config, [make_page("x", "pt-BR"), make_page("x", "pt-PT")])
    assert sorted(e.path for e in index.entries) == ["pt-br/x/", "pt-pt/x/"]


@pytest.mark.parametrize("slug", ["../etc", "a/../../b", "a//b", "a/./b", "%2e%2e/x", "a\\b", "", "a/"])
def test_unsafe_slugs_are_refused(tmp_path: Path, make_page, make_config, slug: str):
    with pytest.raises(SiteBuildError):
        build_site(make_config(), [make_page(slug)], tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("language", ["../x", "en/us", "", "e"])
def test_unsafe_language_tags_are_refused(tmp_path: Path, make_page, make_config, language: str):
    with pytest.raises(SiteBuildError, match="invalid language tag"):
        build_site(make_config(), [make_page("index", language)], tmp_path)


def test_two_pages_on_one_url_are_refused(tmp_path: Path, make_page, make_config):
    # A default-locale page 'es/intro' would overwrite the Spanish 'intro'.
    pages = [make_page("es/intro"), make_page("intro", "es-MX")]
    with pytest.raises(SiteBuildError) as refused:
        build_site(make_config(), pages, tmp_path)
    # Named by slug and language, as a person knows them, with the URL they both claim.
    assert str(refused.value) == (
        "pages 'es/intro' (en) and 'intro' (es-MX) both claim the URL /es/intro/; rename or delete one of them"
    )


def test_base_url_must_be_absolute(tmp_path: Path, make_page, make_config):
    with pytest.raises(SiteBuildError):
        build_site(make_config(base_url="/sites/acme/"), [make_page("index")], tmp_path)


def test_links_are_relative_so_the_site_works_at_any_mount_point(
    tmp_path: Path, make_page, make_config, html
):
    pages = [make_page("index"), make_page("guides/intro", content="[Home](/) and [me](/guides/intro)")]
    build_site(make_config(), pages, tmp_path)
    doc = html(tmp_path / "guides/intro/index.html")
    hrefs = [a.attributes["href"] for a in doc.css("article .cs-body a")]
    assert hrefs == ["../../", "../../guides/intro/"]
    assert doc.css_first('link[rel="stylesheet"]').attributes["href"].startswith("../../assets/site.")
    # Only the consumers that need it get absolute URLs.
    assert doc.css_first('link[rel="canonical"]').attributes["href"] == BASE_URL + "guides/intro/"

"""Site-wide files: llms.txt, llms-full.txt, Markdown copies, sitemap, robots, search index, 404."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from comstack_core.site import build_site, check_site
from comstack_core.site.search import CODES

from .conftest import BASE_URL

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def _site(tmp_path: Path, make_page, make_config):
    pages = [
        make_page("index", title="Welcome", description="Acme Docs helps you ship sites."),
        make_page(
            "guides/intro", title="Intro [new]", content="# Intro [new]\n\nStart here: install the CLI.\n"
        ),
        make_page("guides/setup", title="Setup", description="", content="Configure the *server* now."),
        make_page("reference/api", title="API", content="Every endpoint."),
        make_page("guides/intro", "es-MX", title="Introducción", content="Empieza aquí."),
        make_page(
            "pricing", page_type="custom", content="", body_html="<h1>Plans</h1><p>Cheap</p>", title="Pricing"
        ),
    ]
    groups = [
        {
            "id": "g",
            "title": {"en": "Guides", "es-MX": "Guías"},
            "icon": "menu_book",
            "page_slugs": ["guides/intro", "guides/setup", "pricing"],
        },
    ]
    config = make_config(sidebar_groups=groups)
    build_site(config, pages, tmp_path)
    return config


def test_llms_txt_lists_knowledge_pages_only(tmp_path: Path, make_page, make_config):
    _site(tmp_path, make_page, make_config)
    text = (tmp_path / "llms.txt").read_text()
    lines = text.splitlines()
    assert lines[0] == "# Acme Docs"
    assert lines[2] == "> Acme Docs helps you ship sites."
    assert "## Guides" in lines
    assert (
        f"- [Intro \\[new\\]]({BASE_URL}guides/intro.md): Description of guides/intro for readers." in lines
    )
    assert f"- [Setup]({BASE_URL}guides/setup.md)" in lines  # no description, no colon
    assert f"- [API]({BASE_URL}reference/api.md): Description of reference/api for readers." in lines
    assert "Pricing" not in text and "pricing" not in text
    assert f"- [es-MX]({BASE_URL}es/llms.txt)" in lines
    es = (tmp_path / "es/llms.txt").read_text()
    assert "## Guías" in es and f"({BASE_URL}es/guides/intro.md)" in es


def test_llms_full_and_markdown_copies(tmp_path: Path, make_page, make_config):
    _site(tmp_path, make_page, make_config)
    full = (tmp_path / "llms-full.txt").read_text()
    assert "Start here: install the CLI." in full and "Every endpoint." in full
    assert "Cheap" not in full and "Empieza" not in full
    assert (tmp_path / "guides/intro.md").read_text() == "# Intro [new]\n\nStart here: install the CLI.\n"
    assert (tmp_path / "guides/setup.md").read_text().startswith("# Setup\n\nConfigure the *server* now.")
    assert not (tmp_path / "pricing.md").exists()


@pytest.mark.parametrize(
    "content",
    [
        "Plain text.\n",
        "Plain text.",
        "\n\nLeading lines.\n\n\n",
        "# Own title\n\nText.\n",
        "  \n# Own title after a blank line\n",
        "#NotAHeading\n",
        "",
        "\n\n",
        "Two lines.\nNo end",
    ],
)
def test_llms_full_holds_each_page_markdown_copy_under_its_address(
    tmp_path: Path, make_page, make_config, content: str
):
    """llms-full.txt joins each page's text without copying it where it can: whatever the text's newlines,
    each section is the page's address and its Markdown copy, as served on its own."""
    pages = [make_page("a", content=content), make_page("b", title="B", description="", content=content)]
    build_site(make_config(), pages, tmp_path)
    full = (tmp_path / "llms-full.txt").read_text()
    sections = [f"\n<!-- {BASE_URL}{slug}/ -->\n\n" + (tmp_path / f"{slug}.md").read_text() for slug in "ab"]
    assert full == "# Acme Docs\n" + "".join(sections)


def test_sitemap_is_valid_xml_with_alternates(tmp_path: Path, make_page, make_config):
    _site(tmp_path, make_page, make_config)
    root = ET.fromstring((tmp_path / "sitemap.xml").read_bytes())
    assert root.tag == f"{SM}urlset"
    urls = {u.find(f"{SM}loc").text: u for u in root.findall(f"{SM}url")}
    assert set(urls) == {
        BASE_URL,
        BASE_URL + "guides/intro/",
        BASE_URL + "guides/setup/",
        BASE_URL + "reference/api/",
        BASE_URL + "es/guides/intro/",
        BASE_URL + "pricing/",
    }
    alts = {
        a.get("hreflang"): a.get("href") for a in urls[BASE_URL + "es/guides/intro/"].findall(f"{XHTML}link")
    }
    assert alts == {
        "en": BASE_URL + "guides/intro/",
        "es-MX": BASE_URL + "es/guides/intro/",
        "x-default": BASE_URL + "guides/intro/",
    }
    assert urls[BASE_URL + "pricing/"].find(f"{SM}lastmod").text == "2025-03-01"
    assert (tmp_path / "robots.txt").read_text().strip().endswith(f"Sitemap: {BASE_URL}sitemap.xml")


def test_search_index_per_locale(tmp_path: Path, make_page, make_config):
    _site(tmp_path, make_page, make_config)
    en = json.loads((tmp_path / "search/en.json").read_text())
    # A small site: one term shard and one document shard.
    assert en == {"k": "0", "n": 5, "p": 16}  # the empty key: search/en/t.json
    docs = json.loads((tmp_path / "search/en/d-0.json").read_text())
    by_url = {row[1]: row for row in docs}
    assert set(by_url) == {"", "guides/intro/", "guides/setup/", "reference/api/", "pricing/"}
    assert by_url["guides/intro/"] == ["Intro [new]", "guides/intro/", "Description of guides/intro for readers.", []]
    assert by_url["guides/setup/"][2] == "Configure the server now."  # no description: the excerpt
    assert by_url["pricing/"][2] == "Description of pricing for readers."
    terms = json.loads((tmp_path / "search/en/t.json").read_text())
    number = [row[1] for row in docs].index("guides/intro/")
    # "intro" is only in the title (section 0) and the description (section 1) of guides/intro: code letter
    # 33 (bits 32 and 1), after the document's distance from -1 unless that is 1.
    def step(doc: int) -> str:
        return f"{doc + 1:x}" if doc else ""

    assert terms["intro"] == step(number) + CODES[33]
    assert terms["cheap"] == step([row[1] for row in docs].index("pricing/")) + CODES[1]
    assert json.loads((tmp_path / "search/es-MX/d-0.json").read_text())[0][1] == "es/guides/intro/"
    assert "empieza" in json.loads((tmp_path / "search/es-MX/t.json").read_text())
    # Every page points the search script at its locale's index.
    page = (tmp_path / "es/guides/intro/index.html").read_text()
    assert 'data-index="search/es-MX.json"' in page
    script = next((tmp_path / "assets").glob("site.*.js"))
    assert f'src="../../../assets/{script.name}"' in page


def test_404_page_and_clean_check(tmp_path: Path, make_page, make_config, html):
    config = _site(tmp_path, make_page, make_config)
    doc = html(tmp_path / "404.html")
    assert doc.css_first("h1").text() == "Page not found"
    # Served at any depth, so its links carry the site's base path.
    assert doc.css_first('link[rel="stylesheet"]').attributes["href"].startswith("/sites/acme/assets/")
    assert check_site(tmp_path, config.base_url) == []


def test_site_without_a_home_page_gets_one(tmp_path: Path, make_page, make_config, html):
    build_site(make_config(), [make_page("guides/intro")], tmp_path)
    assert html(tmp_path / "index.html").css_first("h1").text() == "Acme Docs"
    assert check_site(tmp_path, BASE_URL) == []

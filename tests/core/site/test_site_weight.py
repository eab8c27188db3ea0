"""What a reader downloads: a typical page (HTML, CSS and script, gzip) stays under 50 KB before images, and
searching a 5,000-page site never needs more than 300 KB of its index."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path
from typing import Any

import pytest

from comstack_core.site import build_site
from comstack_core.site.search import TermIndex, doc_row, doc_shards, meta_json, page_terms, shard_name

from .conftest import ARTIFACTS
from .test_site_reader import LONG

sync_api = pytest.importorskip("playwright.sync_api")

PAGE_BUDGET = 50_000
SEARCH_BUDGET = 300_000


def test_a_typical_page_weighs_under_50_kb(tmp_path: Path, make_page: Any, make_config: Any) -> None:
    pages = [make_page("index")]
    pages += [make_page(f"guides/p{i}", title=f"Guide {i}", content=f"Text {i}.\n") for i in range(40)]
    pages.append(make_page("reference/config", title="Configuration reference", content=LONG))
    groups = [
        {"id": "g", "title": {"en": "Guides"}, "icon": "menu_book", "page_slugs": [f"guides/p{i}" for i in range(40)]},
        {"id": "r", "title": {"en": "Reference"}, "icon": "code", "page_slugs": ["reference/config"]},
    ]  # fmt: skip
    build_site(make_config(sidebar_groups=groups), pages, tmp_path)
    css = next((tmp_path / "assets").glob("site.*.css")).read_bytes()
    js = next((tmp_path / "assets").glob("site.*.js")).read_bytes()
    for page in ("reference/config/index.html", "guides/p20/index.html", "index.html"):
        html = (tmp_path / page).read_bytes()
        weight = sum(len(gzip.compress(data)) for data in (html, css, js))
        assert weight < PAGE_BUDGET, (
            page,
            len(gzip.compress(html)),
            len(gzip.compress(css)),
            len(gzip.compress(js)),
        )


def _zipf_site(n: int, seed: int = 7) -> tuple[list[str], list[str], list[str]]:
    """n documents of about 300 words from a 20,000-word vocabulary with Zipf frequencies, as in real text:
    a few words are everywhere and most are rare. Returns (vocabulary by rank, page_terms, document rows)."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocabulary = sorted({"".join(rng.choices(letters, k=rng.randint(3, 10))) for _ in range(21_000)})[:20_000]
    rng.shuffle(vocabulary)
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]

    def words(k: int) -> str:
        return " ".join(rng.choices(vocabulary, weights, k=k))

    terms, rows = [], []
    for i in range(n):
        title, description = words(4).title(), words(12)
        headings = [words(3) for _ in range(4)]
        sections = [words(40)] + [f"{h} {words(60)}" for h in headings]
        terms.append(page_terms(title, description, sections))
        toc = [(2, h.replace(" ", "-"), h) for h in headings]
        rows.append(doc_row(title, f"docs/p{i}/", description, toc))
    return vocabulary, terms, rows


@pytest.mark.timeout(600)  # builds a 5,000-page search index and drives a browser; slow on a busy machine
def test_searching_5000_pages_downloads_under_300_kb(
    browser: Any, served: tuple[Path, str], make_page: Any, make_config: Any
) -> None:
    out, base_url = served
    build_site(make_config(base_url=base_url), [make_page("index")], out)
    # The index of a 5,000-page site, made by the builder's own functions, in place of the small one.
    vocabulary, terms, rows = _zipf_site(5000)
    index = TermIndex.of(terms)
    for name, data in {**doc_shards("en", rows), "search/en.json": meta_json(index, len(rows))}.items():
        (out / name).write_bytes(data)
    for key in index.shards:
        (out / shard_name("en", key)).write_bytes(index.shard_json(key))
    files = [p for p in (out / "search").rglob("*.json")]
    total = sum(p.stat().st_size for p in files)
    assert total > 3 * SEARCH_BUDGET  # the whole index would be far over the budget
    common, middle, rare = vocabulary[0], vocabulary[300], vocabulary[15_000]
    queries = [
        common,
        middle,
        rare,
        f"{common} {middle}",
        f"{middle} {rare}",
        common[:2],
        common[:3],
        middle[:4],
    ]
    report = {}
    for query in queries:
        page = browser.new_page()
        fetched: dict[str, int] = {}
        page.on(
            "response",
            lambda r, seen=fetched: seen.update({r.url: len(r.body())}) if "/search/" in r.url else None,
        )
        page.goto(base_url)
        page.keyboard.press("/")
        page.get_by_role("combobox").fill(query)
        sync_api.expect(page.locator(".cs-status")).not_to_be_empty()
        page.wait_for_load_state("networkidle")
        report[query] = (sum(fetched.values()), len(fetched), page.locator(".cs-status").inner_text())
        page.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "search-downloads.json").write_text(
        json.dumps({"index_bytes": total, "queries": report}, indent=1)
    )
    for query, (size, _requests, status) in report.items():
        assert size <= SEARCH_BUDGET, (query, size)
        if query != common[:2]:  # a two-letter prefix of thousands of terms matches that exact word only
            assert status.endswith(("results", "1 result")) and "No results" not in status, (query, status)

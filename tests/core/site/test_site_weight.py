"""What a reader downloads: a typical page (HTML, CSS and script, gzip) stays under 50 KB before images, and
searching a 5,000-page site (in a browser) or a 50,000-page one (sized in Python) never needs more than
300 KB of its index."""

from __future__ import annotations

import gzip
import json
import random
from itertools import accumulate
from pathlib import Path
from typing import Any

import pytest

from comstack_core.site import build_site
from comstack_core.site.search import (
    DOCS_PER_SHARD,
    TermIndex,
    doc_row,
    doc_shard_name,
    doc_shards,
    listed_keys,
    meta_json,
    page_terms,
    shard_name,
    terms_of,
)

from . import search_script
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


def _zipf_site(n: int, seed: int = 7, texts: bool = False) -> tuple[list[str], list[str], list[str]]:
    """n documents of about 300 words from a 20,000-word vocabulary with Zipf frequencies, as in real text:
    a few words are everywhere and most are rare. Returns (vocabulary by rank, page_terms, document rows).

    Each page's terms are made from its words directly: what page_terms makes of its texts (with `texts`,
    which is slower), without splitting and folding words that are already terms."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocabulary = sorted({"".join(rng.choices(letters, k=rng.randint(3, 10))) for _ in range(21_000)})[:20_000]
    rng.shuffle(vocabulary)
    cumulative = list(accumulate(1 / (rank + 1) for rank in range(len(vocabulary))))

    def code(bits: int) -> str:  # page_terms' code for a word in these of sections 0 to 5
        text = ["ww" if bits >> s & 1 else "" for s in range(6)]
        return page_terms(text[0], text[1], ["", *text[2:]]).partition("\t")[2]

    codes = [code(bits) for bits in range(64)]
    terms, rows = [], []
    for i in range(n):
        # Title, description, four headings, the introduction and four sections of 60 words, in that order.
        drawn = rng.choices(vocabulary, cum_weights=cumulative, k=4 + 12 + 4 * 3 + 40 + 4 * 60)
        title, description = drawn[:4], drawn[4:16]
        headings = [drawn[16 + 3 * k : 19 + 3 * k] for k in range(4)]
        parts = [(0, title), (1, description), (1, drawn[28:68])]
        parts += [(k + 2, headings[k] + drawn[68 + 60 * k : 128 + 60 * k]) for k in range(4)]
        if texts:
            sections = [" ".join(words) for _, words in parts[2:]]
            terms.append(page_terms(" ".join(title).title(), " ".join(description), sections))
        else:
            where: dict[str, int] = {}
            for section, words in parts:
                for word in words:
                    where[word] = where.get(word, 0) | 1 << section
            ordered = sorted(where)
            terms.append(" ".join(ordered) + "\t" + " ".join(codes[where[w]] for w in ordered))
        toc = [(2, "-".join(h), " ".join(h)) for h in headings]
        rows.append(doc_row(" ".join(title).title(), f"docs/p{i}/", " ".join(description), toc))
    return vocabulary, terms, rows


def test_the_generated_pages_are_what_page_terms_makes() -> None:
    assert _zipf_site(300) == _zipf_site(300, texts=True)


def _queries(vocabulary: list[str]) -> list[str]:
    """A common, a middling and a rare word, pairs of them, and prefixes as a reader types them."""
    common, middle, rare = vocabulary[0], vocabulary[300], vocabulary[15_000]
    return [
        common,
        middle,
        rare,
        f"{common} {middle}",
        f"{middle} {rare}",
        common[:2],
        common[:3],
        middle[:4],
    ]


def _expected(index: TermIndex, docs: int, query: str) -> tuple[set[str], int]:
    """The files the script fetches for a query (search_script's model of it) and its number of results."""
    listed = listed_keys(json.loads(meta_json(index, docs))["k"])
    found = search_script.find(index.postings, listed, index.key_of, terms_of(query))
    names = {"search/en.json", *(shard_name("en", k) for k in found.term_keys)}
    names |= {doc_shard_name("en", doc // DOCS_PER_SHARD) for doc, _score, _secs in found.top}
    return names, found.total


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
    report = {}
    for query in _queries(vocabulary):
        page = browser.new_page()
        fetched: list[str] = []
        page.on("request", lambda r, seen=fetched: seen.append(r.url) if "/search/" in r.url else None)
        page.goto(base_url)
        page.keyboard.press("/")
        page.get_by_role("combobox").fill(query)
        sync_api.expect(page.locator(".cs-status")).not_to_be_empty()
        page.wait_for_load_state("networkidle")
        names = {url.removeprefix(base_url) for url in fetched}
        size = sum((out / name).stat().st_size for name in names)  # raw bytes, as the server sends them
        report[query] = (size, len(names), page.locator(".cs-status").inner_text())
        page.close()
        # What the browser fetched is what the model of the script says: the 50,000-page test uses it.
        expected, results = _expected(index, len(rows), query)
        assert names == expected, query
        shown = "1 result" if results == 1 else f"{results} results" if results else "No results"
        assert report[query][2].startswith(shown), (query, report[query][2])
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "search-downloads.json").write_text(
        json.dumps({"index_bytes": total, "queries": report}, indent=1)
    )
    two_letters = _queries(vocabulary)[0][:2]
    for query, (size, _requests, status) in report.items():
        assert size <= SEARCH_BUDGET, (query, size)
        if query != two_letters:  # a two-letter prefix of thousands of terms may match that exact word only
            assert status.endswith(("results", "1 result")) and "No results" not in status, (query, status)


@pytest.mark.timeout(600)  # 50,000 pages' index: about 20 s on a quiet machine, far more on a busy one
def test_searching_50000_pages_downloads_under_300_kb() -> None:
    """The same queries over ten times the pages, sized in Python with the model of the script that the
    5,000-page test holds to the browser's downloads."""
    vocabulary, terms, rows = _zipf_site(50_000)
    index = TermIndex.of(terms)
    files = {name: len(data) for name, data in doc_shards("en", rows).items()}
    files["search/en.json"] = len(meta_json(index, len(rows)))
    keys = {shard_name("en", key): key for key in index.shards}
    report = {}
    for query in _queries(vocabulary):
        names, results = _expected(index, len(rows), query)
        size = sum(files[n] if n in files else len(index.shard_json(keys[n])) for n in names)
        report[query] = (size, len(names), results)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "search-downloads-50000.json").write_text(json.dumps({"queries": report}, indent=1))
    two_letters = _queries(vocabulary)[0][:2]
    for query, (size, _files, results) in report.items():
        assert size <= SEARCH_BUDGET, (query, size)
        assert results > 0 or query == two_letters, query

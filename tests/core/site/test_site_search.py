"""Search results in a real browser are those the script's rules give over what the pages hold, read from the
format before the current one (search_script): the same pages, in the same order, the same count and the
same headings, for a word on every page, words on some, rarer ones in late sections, and prefixes."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from comstack_core.site import build_site, search
from comstack_core.site.search import (
    TermIndex,
    doc_row,
    doc_shards,
    listed_keys,
    meta_json,
    page_terms,
    shard_name,
)

from . import search_script

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

HEADINGS = 9
SHARES = {"alpha": 0.4, "alphabet": 0.1, "alpine": 0.2, "beta": 0.3, "zulu": 0.03}  # of pages


def _pages(n: int) -> list[dict[str, set[int]]]:
    """Each page's words and their sections: "acme" on every page, somewhere; the others less often."""
    rng = random.Random(3)
    sections = list(range(HEADINGS + 2))  # the title, the description and introduction, then each heading's
    pages = []
    for _ in range(n):
        where = {"acme": set(rng.sample(sections, rng.choice([1, 1, 2, 3, 4, 6])))}
        for word, share in SHARES.items():
            if rng.random() >= share:
                continue
            if word == "zulu" and rng.random() < 0.7:  # in a late section only: written out, not a code bit
                where[word] = {rng.randint(6, HEADINGS + 1)}
            else:
                where[word] = set(rng.sample(sections, rng.randint(1, 4)))
        pages.append(where)
    return pages


def _terms(where: dict[str, set[int]]) -> str:
    def text(section: int) -> str:
        return " ".join(w for w, sections in where.items() if section in sections)

    return page_terms(text(0), "", [text(s) for s in range(1, HEADINGS + 2)])


QUERIES = ["acme", "alpha", "alp", "acme beta", "zulu", "acme zulu", "alphabet beta", "alpine acme alpha"]


@pytest.mark.timeout(300)
def test_results_and_their_order_are_the_scripts_rules_over_the_pages(
    browser: Any, served: tuple[Path, str], make_page: Any, make_config: Any, monkeypatch: Any
) -> None:
    out, base_url = served
    build_site(make_config(base_url=base_url), [make_page("index")], out)
    pages = _pages(600)
    monkeypatch.setattr(search, "SHARD_BYTES", 1500)  # several shards, some holding a single word
    index = TermIndex.of([_terms(where) for where in pages])
    listing = meta_json(index, len(pages))
    assert len(index.shards) > 3 and any(index.exact_only(k) for k in index.shards)
    headings = [f"Part {k}" for k in range(1, HEADINGS + 1)]
    rows = [
        doc_row(f"Page {i}", "", "", [(2, f"part-{k}", h) for k, h in enumerate(headings, 1)])
        for i in range(len(pages))
    ]
    for name, data in {**doc_shards("en", rows), "search/en.json": listing}.items():
        (out / name).write_bytes(data)
    for key in index.shards:
        (out / shard_name("en", key)).write_bytes(index.shard_json(key))
    old = search_script.old_postings(pages)
    keys = listed_keys(json.loads(listing)["k"])
    page = browser.new_page()
    page.goto(base_url)
    page.keyboard.press("/")
    box = page.get_by_role("combobox")
    for query in QUERIES:
        found = search_script.find(old, keys, index.key_of, query.split(), read=search_script.old_read)
        assert found.total > 0, query
        box.fill("")  # the status empties, so the next one is this query's
        expect(page.locator(".cs-status")).to_have_text("")
        box.fill(query)
        status = f"{found.total} results" if found.total > 1 else "1 result"
        expect(page.locator(".cs-status")).to_have_text(status)
        shown = page.locator(".cs-group").evaluate_all(
            "groups => groups.map(g => [g.querySelector('.cs-page strong').textContent,"
            " Array.from(g.querySelectorAll('.cs-sec'), a => a.textContent)])"
        )
        # The headings of the sections the words share, at most three (no heading holds a word itself).
        assert shown == [
            [f"Page {doc}", [headings[s - 2] for s in secs if s >= 2][:3]] for doc, _score, secs in found.top
        ], query
    page.close()

"""The reader ranks a deployment built before postings were written densely (served until the next publish)
as it ranks the same site built now."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from comstack_core.reader.build import load
from comstack_core.reader.ranking import rank
from comstack_core.site import SiteConfig, SitePage, build_site
from comstack_core.site.search import listed_keys, shard_name

from ..site.conftest import _config, _page
from ..site.search_script import postings


def _plain(encoded: str) -> str:
    """The same postings in the earlier format: "<doc or step>[.0][.<section>...][*]", comma-separated (read
    by the tests' own model of the script, not by the reader's)."""
    out, prev = [], -1
    for doc, sections, more in postings(encoded):
        head = ".0" if 0 in sections else ""
        rest = "*" if more else "".join(f".{s:x}" for s in sorted(sections) if s)
        out.append(f"{doc if prev < 0 else doc - prev:x}{head}{rest}")
        prev = doc
    return ",".join(out)


def _as_before(root: Path, locale: str) -> None:
    """Rewrite a locale's search files as the builder wrote them before."""
    listing = json.loads((root / "search" / f"{locale}.json").read_text())
    rows: list[dict[str, Any]] = []
    for key, exact in listed_keys(listing["k"]):
        name = shard_name(locale, key)
        terms = json.loads((root / name).read_text())
        (root / name).write_text(json.dumps({t: _plain(p) for t, p in terms.items()}))
        rows.append({"u": name, "k": key, **({"x": 1} if exact else {})})
    rows.append({"u": f"search/{locale}/d-0.json", "n": listing["n"], "p": listing["p"]})
    (root / "search" / f"{locale}.json").write_text(json.dumps(rows))


# Eight sections, so some terms are in sections past the fifth (written out rather than as code bits).
LONG = "\n\n".join(
    f"## Section {n}\n\nWords that fill the page, area {n}." + (" The retention of backups." if n in (2, 7) else "")
    for n in range(1, 9)
)


def _site() -> tuple[SiteConfig, list[SitePage]]:
    pages = [_page("index", title="Acme documentation", description="Everything about Acme.")]
    pages += [_page(f"guides/p{i}", title=f"Guide {i}", content=f"Settings for area {i}.\n") for i in range(30)]
    pages.append(_page("reference/config", title="Configuration reference", content=LONG))
    return _config(), pages


def test_a_deployment_in_the_earlier_format_ranks_alike(tmp_path: Path) -> None:
    build_site(*_site(), tmp_path)
    queries = ["settings", "retention backups", "sett", "area 7", "words fill"]
    now = load(tmp_path).locales["en"]
    expected = [[(m.doc.path, m.score, m.words, m.section) for m in rank(now, q, 10)] for q in queries]
    assert all(expected) and any(m[3] is not None for found in expected for m in found)
    _as_before(tmp_path, "en")
    before = load(tmp_path).locales["en"]
    assert before.plain and not now.plain
    assert before.postings != now.postings and len(before.docs) == len(now.docs)
    assert [[(m.doc.path, m.score, m.words, m.section) for m in rank(before, q, 10)] for q in queries] == expected

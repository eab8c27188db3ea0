"""Extraction quality over the ingestion corpus: the share of expected sentences kept and of boilerplate removed.

    .venv/bin/python bench/ingest.py [--corpus DIR] [--json FILE] [--verbose]

Each page of ``tests/core/ingest/corpus/`` is run through ``extract_page`` (the function the ingest
routes and MCP tools call) with the URL and title a browser would send. A sentence is kept when it is
in the Markdown body's plain text (link text without URLs, code as written); a boilerplate sentence
is removed when it is not. Title, language, suggested template and template fields are counted too,
and the time each extraction took. Targets: 90 % kept, 90 % removed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

from comstack_core.errors import DomainError
from comstack_core.ingest import MAX_HTML_BYTES, ProposedDraft, extract_page, markdown_text

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "core" / "ingest" / "corpus"
TARGET = 0.9


def squash(text: str) -> str:
    return " ".join(text.split())


def measure(corpus: Path) -> dict[str, Any]:
    pages = tomllib.loads((corpus / "expected.toml").read_text(encoding="utf-8"))["page"]
    # The first extraction loads the language model (about half a second); keep it out of the figures.
    extract_page("https://warm.test/", "<html><body><p>" + "Warm up the language model once. " * 5 + "</p></body></html>")
    rows = []
    for page in pages:
        html = (corpus / page["file"]).read_text(encoding="utf-8")
        started = time.perf_counter()
        draft: ProposedDraft | None = None
        failure: str | None = None
        try:
            draft = extract_page(page["url"], html, page["captured"])
        except DomainError as error:  # a refused page keeps nothing and counts as removing nothing
            failure = f"{error.code}: {error.message}"
        elapsed = time.perf_counter() - started
        text = squash(markdown_text(draft.content)) if draft else ""
        kept = [s for s in page["keep"] if squash(s) in text]
        left = [s for s in page["drop"] if squash(s) in text] if draft else list(page["drop"])
        fields = page.get("fields", {})
        rows.append(
            {
                "file": page["file"],
                "holdout": bool(page.get("holdout")),
                "kind": page["kind"],
                "error": failure,
                "ms": round(elapsed * 1000, 1),
                "keep": len(page["keep"]),
                "kept": len(kept),
                "missing": [s for s in page["keep"] if s not in kept],
                "drop": len(page["drop"]),
                "removed": len(page["drop"]) - len(left),
                "left": left,
                "title_ok": bool(draft and draft.title == page["title"]),
                "title": draft.title if draft else None,
                "language_ok": bool(draft and draft.language == page["language"]),
                "language": draft.language if draft else None,
                "template_ok": bool(draft and draft.suggested_template.id == page["template"]),
                "template": draft.suggested_template.id if draft else None,
                "fields_ok": bool(draft and all(draft.fields.get(k) == v for k, v in fields.items())),
            }
        )
    times = [r["ms"] for r in rows]
    return {
        "ms_at_the_limit": _largest_page(corpus),
        **_shares(rows),
        "held_out": _shares([r for r in rows if r["holdout"]]),
        "titles_right": sum(r["title_ok"] for r in rows),
        "languages_right": sum(r["language_ok"] for r in rows),
        "templates_right": sum(r["template_ok"] for r in rows),
        "fields_right": sum(r["fields_ok"] for r in rows),
        "ms_median": statistics.median(times),
        "ms_max": max(times),
        "rows": rows,
    }


def _largest_page(corpus: Path) -> float:
    """Milliseconds for a page just under the 1 MB limit: the docs page's article repeated."""
    page = (corpus / "docs-install.html").read_text(encoding="utf-8")
    article = page[page.index("<article>") : page.index("</article>") + len("</article>")]
    copies: list[str] = []
    size = len(page.encode())
    while size + len(article.encode()) + 64 < MAX_HTML_BYTES:
        copies.append(article.replace("Installing the Northwind CLI", f"Part {len(copies) + 1}"))
        size += len(copies[-1].encode())
    html = page.replace("</main>", "".join(copies) + "</main>")
    started = time.perf_counter()
    extract_page("https://docs.northwind.test/guides/install", html)
    return round((time.perf_counter() - started) * 1000, 1)


def _shares(rows: list[dict[str, Any]]) -> dict[str, Any]:
    keep = sum(r["keep"] for r in rows)
    drop = sum(r["drop"] for r in rows)
    return {
        "pages": len(rows),
        "kept_share": sum(r["kept"] for r in rows) / keep if keep else 1.0,
        "removed_share": sum(r["removed"] for r in rows) / drop if drop else 1.0,
        "sentences_expected": keep,
        "boilerplate_sentences": drop,
    }


def report(result: dict[str, Any], verbose: bool) -> None:
    print(f"{'page':34} {'kept':>6} {'removed':>8} {'ms':>7}  title lang tmpl fields")
    for r in result["rows"]:
        marks = " ".join("ok " if r[k] else "NO " for k in ("title_ok", "language_ok", "template_ok", "fields_ok"))
        print(f"{r['file']:34} {r['kept']:>2}/{r['keep']:<3} {r['removed']:>3}/{r['drop']:<4} {r['ms']:>7}  {marks}")
        if r["error"]:
            print(f"    refused: {r['error']}")
        if verbose:
            for sentence in r["missing"]:
                print(f"    missing: {sentence}")
            for sentence in r["left"]:
                print(f"    left in: {sentence}")
            if not r["title_ok"]:
                print(f"    title:   {r['title']!r}")
            if not r["language_ok"]:
                print(f"    language: {r['language']!r}")
            if not r["template_ok"]:
                print(f"    template: {r['template']!r}")
    n = result["pages"]
    print(
        f"\n{n} pages: kept {result['kept_share']:.1%} of {result['sentences_expected']} expected sentences, "
        f"removed {result['removed_share']:.1%} of {result['boilerplate_sentences']} boilerplate sentences "
        f"(targets {TARGET:.0%} / {TARGET:.0%}); titles {result['titles_right']}/{n}, languages "
        f"{result['languages_right']}/{n}, templates {result['templates_right']}/{n}, fields {result['fields_right']}/{n}; "
        f"extraction median {result['ms_median']:.0f} ms, max {result['ms_max']:.0f} ms; a page at the 1 MB "
        f"limit {result['ms_at_the_limit']:.0f} ms."
    )
    held = result["held_out"]
    if held["pages"]:
        print(
            f"Held-out pages only ({held['pages']}, written after the cleaning rules; see expected.toml): kept "
            f"{held['kept_share']:.1%} of {held['sentences_expected']}, removed {held['removed_share']:.1%} "
            f"of {held['boilerplate_sentences']}."
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--json", type=Path, help="write the figures (and every page's row) to this file")
    parser.add_argument("--verbose", action="store_true", help="list the missing and left-in sentences")
    args = parser.parse_args()
    result = measure(args.corpus)
    report(result, args.verbose)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0 if result["kept_share"] >= TARGET and result["removed_share"] >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())

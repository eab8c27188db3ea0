"""A real MkDocs project no one here wrote: the documentation of pymdown-extensions, from its sdist on PyPI.

Downloaded by the test at a pinned version into a git-ignored cache (skipped without network on a
developer machine; a failure under CI). Its text is never committed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from collections import Counter
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt

from comstack_core.importer import ImportPlan, read_tree

VERSION = "10.16"
CACHE = Path(__file__).resolve().parents[3] / "test-artifacts" / "pymdown-extensions"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _source() -> Path:
    root = CACHE / f"pymdown_extensions-{VERSION}"
    if (root / "mkdocs.yml").is_file():
        return root
    CACHE.mkdir(parents=True, exist_ok=True)
    sdist = CACHE / f"pymdown_extensions-{VERSION}.tar.gz"
    if not sdist.is_file():
        done = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "--quiet",
             f"pymdown-extensions=={VERSION}", "-d", str(CACHE)],
            capture_output=True, text=True, timeout=300,
        )
        if done.returncode != 0 or not sdist.is_file():
            message = f"could not download pymdown-extensions {VERSION}: {done.stderr[-500:]}"
            if IN_CI:
                pytest.fail(message)
            pytest.skip(message)
    with tarfile.open(sdist) as tf:
        tf.extractall(CACHE, filter="data")
    return root


@pytest.fixture(scope="module")
def project() -> Path:
    return _source()


@pytest.fixture(scope="module")
def plan(project: Path) -> ImportPlan:
    return read_tree(project)


class _AnyTag(yaml.SafeLoader):
    pass


_AnyTag.add_multi_constructor("", lambda loader, suffix, node: None)


def _nav_files(items: list[object]) -> list[list[str]]:
    """Each top-level section's files in order, as mkdocs.yml lists them (top-level pages: one list)."""
    def flat(entries: list[object]) -> list[str]:
        out: list[str] = []
        for entry in entries:
            value = next(iter(entry.values())) if isinstance(entry, dict) else entry
            if isinstance(value, list):
                out += flat(value)
            elif isinstance(value, str) and "://" not in value:
                out.append(value)
        return out

    return [flat(next(iter(e.values()))) for e in items if isinstance(e, dict) and isinstance(next(iter(e.values())), list)]


def test_every_page_is_planned(project: Path, plan: ImportPlan) -> None:
    docs = project / "docs/src/markdown"
    expected = sorted(
        p.relative_to(project).as_posix() for p in docs.rglob("*.md")
        if not any(part.startswith(".") for part in p.relative_to(docs).parts)
    )
    assert len(expected) > 40
    assert sorted(p.source_path for p in plan.pages) == expected
    assert plan.kind == "mkdocs" and plan.site_name == "PyMdown Extensions Documentation"
    assert plan.failed == []
    assert len({(p.slug, p.language) for p in plan.pages}) == len(plan.pages)


def test_navigation_order_is_the_mkdocs_nav(project: Path, plan: ImportPlan) -> None:
    config = yaml.load((project / "mkdocs.yml").read_text(), Loader=_AnyTag)
    sections = [e for e in config["nav"] if isinstance(e, dict)]
    source_of = {p.slug: p.source_path.removeprefix("docs/src/markdown/") for p in plan.pages}
    assert [g.title for g in plan.groups] == [next(iter(s)) for s in sections]
    assert [[source_of[s] for s in g.page_slugs] for g in plan.groups] == _nav_files(config["nav"])


def test_every_relative_link_is_resolved_or_reported(plan: ImportPlan) -> None:
    md = MarkdownIt("commonmark")
    slugs = {p.slug for p in plan.pages}
    reports = {f.path: f for f in plan.files}
    resolved = 0
    for page in plan.pages:
        reported = {n.message for n in reports[page.source_path].notes if n.kind in ("link", "image")}
        for token in md.parse(page.content):
            for child in token.children or []:
                href = str(child.attrGet("href") or child.attrGet("src") or "")
                if not href or href.startswith(("http:", "https:", "mailto:", "#", "image:")):
                    continue
                if href.startswith("/") and not href.startswith("//"):
                    path = href.split("#")[0].strip("/")
                    assert (path or "index") in slugs, (page.source_path, href)
                    resolved += 1
                else:
                    assert any(repr(href) in m for m in reported), (page.source_path, href)
    assert resolved > 100


def test_conversions_and_reports(plan: ImportPlan) -> None:
    converted: Counter[str] = Counter()
    unsupported: Counter[str] = Counter()
    for report in plan.files:
        for note in report.notes:
            if note.kind == "converted":
                converted[note.code] += 1
            elif note.kind in ("unsupported", "image"):
                unsupported[note.code] += 1
    # The docs are written with pymdown blocks, admonitions, tabs and snippets: all converted.
    for code in ("admonition", "tabs", "snippet", "html", "keys", "caption", "attr_list", "inline_hilite"):
        assert converted[code] > 0, code
    # What has no equivalent is reported, line by line: icons, math, custom blocks, a snippet from the
    # repository root that the sdist lacks, and images the docs name but the sdist does not ship.
    assert set(unsupported) <= {"icon", "math", "block", "snippet", "image_missing"}
    assert unsupported["icon"] > 0 and unsupported["block"] > 0
    assert plan.images and all(i.used_by for i in plan.images)
    tab = next(p for p in plan.pages if p.slug == "extensions/blocks/plugins/tab")
    assert "> [!CAUTION]\n> **Using `pymdownx.blocks.tab` with `pymdownx.tabbed`**" in tab.content
    assert "/// tab" in tab.content  # inside its code examples, untouched
    assert "**Tab 1 title**\n\nTab 1 content" in tab.content

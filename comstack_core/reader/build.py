"""One deployment's reader data, loaded from the files it serves: pages, search postings, dates, sections.

A deployment directory is never written while it is served (a publish builds into another slot and
swaps ``current``), so what is loaded here stays true for as long as that build is served.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from bisect import bisect_left
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..site.search import doc_shard_name, listed_keys, shard_name

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML_NS = "{http://www.w3.org/1999/xhtml}"
_LLMS_ITEM = re.compile(r"^- \[.*?\]\((?P<url>[^)\s]+)\)")


@dataclass(frozen=True)
class Doc:
    """A live page as the search index lists it."""

    number: int  # position in its locale's index (the postings' document number)
    locale: str
    title: str
    path: str  # site path: 'guides/intro/', '' for the home page
    summary: str
    headings: tuple[tuple[str, str], ...]  # (anchor, text), in page order


@dataclass
class LocaleIndex:
    locale: str
    docs: list[Doc]
    postings: dict[str, str]  # term -> encoded postings (comstack_core.site.search)
    terms: list[str] = field(default_factory=list)  # sorted, for prefix look-ups
    plain: bool = False  # postings in the earlier format: comma-separated, codes spelled out
    decoded: Any = None  # ranking.DecodedCache, made by the first search

    def matching(self, prefix: str) -> list[str]:
        """Terms that start with ``prefix``, in order."""
        out = []
        for n in range(bisect_left(self.terms, prefix), len(self.terms)):
            if not self.terms[n].startswith(prefix):
                break
            out.append(self.terms[n])
        return out


@dataclass
class LiveBuild:
    root: Path
    locales: dict[str, LocaleIndex]
    by_path: dict[str, Doc]
    dates: dict[str, str]  # path -> last-updated date (YYYY-MM-DD), from the sitemap
    alternates: dict[str, list[tuple[str, str]]]  # path -> [(hreflang, absolute URL)]
    sections: dict[str, str]  # path -> its sidebar group in llms.txt
    base_url: str  # the URL the build was made for (its sitemap's), to map URLs back to paths
    markdown: dict[str, tuple[str, str]] = field(default_factory=dict)  # path -> (file, text), bounded
    answers: OrderedDict[tuple[str, ...], Any] = field(default_factory=OrderedDict)  # recent searches, bounded

    def doc_for(self, path: str) -> Doc | None:
        return self.by_path.get(path)

    def read_markdown(self, doc: Doc) -> str | None:
        """The page's Markdown copy, or None for a custom page (which has none)."""
        found = self.markdown_copy(doc)
        return found[1] if found is not None else None

    def markdown_copy(self, doc: Doc) -> tuple[str, str] | None:
        """(file name, Markdown) of the page's copy, or None for a custom page."""
        cached = self.markdown.get(doc.path)
        if cached is not None:
            return cached
        for name in markdown_files(doc.path):
            try:
                text = (self.root / name).read_text(encoding="utf-8")
            except (FileNotFoundError, NotADirectoryError):
                continue
            if len(self.markdown) >= MARKDOWN_CACHE:
                self.markdown.pop(next(iter(self.markdown)), None)
            self.markdown[doc.path] = (name, text)
            return name, text
        return None

    def answer(self, key: tuple[str, ...]) -> Any:
        found = self.answers.get(key)
        if found is not None:
            self.answers.move_to_end(key)
        return found

    def remember(self, key: tuple[str, ...], answer: Any) -> None:
        self.answers[key] = answer
        while len(self.answers) > ANSWERS_KEPT:
            self.answers.popitem(last=False)

    def read_html(self, doc: Doc) -> str | None:
        try:
            return (self.root / doc.path / "index.html").read_text(encoding="utf-8")
        except OSError:
            return None

    def llms_txt(self) -> str | None:
        try:
            return (self.root / "llms.txt").read_text(encoding="utf-8")
        except OSError:
            return None


ANSWERS_KEPT = 1024  # search answers kept per build: a burst of readers asking alike costs one search
MARKDOWN_CACHE = 512  # Markdown copies kept per build: enough for the pages a burst of searches shows


def markdown_files(path: str) -> tuple[str, ...]:
    """Where a page path's Markdown copy can be, by the site's URL rules: 'guides/intro/' -> 'guides/intro.md';
    a home ('' or a locale's 'es/') -> 'index.md' / 'es/index.md'. A path is one page (the builder refuses two
    pages on one URL), so at most one of the two exists."""
    if path == "":
        return ("index.md",)
    return (path.rstrip("/") + ".md", path + "index.md")


def load(root: Path) -> LiveBuild:
    """Read a deployment directory (blocking: call it in a thread)."""
    locales: dict[str, LocaleIndex] = {}
    search = root / "search"
    names = sorted(n for n in os.listdir(search) if n.endswith(".json")) if search.is_dir() else []
    by_path: dict[str, Doc] = {}
    for name in names:
        locale = name[: -len(".json")]
        index = _load_locale(root, locale)
        locales[locale] = index
        for doc in index.docs:
            by_path.setdefault(doc.path, doc)
    dates, alternates, base = _sitemap(root, by_path)
    return LiveBuild(root, locales, by_path, dates, alternates, _sections(root, base, by_path), base)


def _read_json(path: Path) -> Any:
    return json.loads(path.read_bytes())


def _load_locale(root: Path, locale: str) -> LocaleIndex:
    meta = _read_json(root / "search" / f"{locale}.json")
    # A deployment built before the shard list named only keys lists rows of {"u": file, "k": key} and then
    # {"n": documents, "p": per shard}; it stays served until the next publish.
    plain = isinstance(meta, list)
    if plain:
        names = [str(row["u"]) for row in meta if "k" in row]
        meta = next((row for row in meta if "n" in row), {"n": 0, "p": 1})
    else:
        names = [shard_name(locale, key) for key, _exact in listed_keys(meta["k"])]
    postings: dict[str, str] = {}
    for name in names:
        shard = _read_json(root / name)
        assert isinstance(shard, dict)
        postings.update(shard)
    docs: list[Doc] = []
    per, count = int(meta["p"]), int(meta["n"])
    for n in range((count + per - 1) // per):
        for item in _read_json(root / doc_shard_name(locale, n)):
            title, path, summary, toc = item
            docs.append(Doc(len(docs), locale, title, path, summary, tuple((a, t) for a, t in toc)))
    return LocaleIndex(locale, docs, postings, sorted(postings), plain=plain)


def _sitemap(root: Path, by_path: dict[str, Doc]) -> tuple[dict[str, str], dict[str, list[tuple[str, str]]], str]:
    """Dates and alternates per path, and the base URL the build was made for."""
    dates: dict[str, str] = {}
    alternates: dict[str, list[tuple[str, str]]] = {}
    files = [root / "sitemap.xml"]
    rows: list[ET.Element] = []
    while files:
        name = files.pop()
        try:
            tree = ET.parse(name)  # our own builder's output, not a reader's input
        except (OSError, ET.ParseError):
            continue
        top = tree.getroot()
        if top.tag == SITEMAP_NS + "sitemapindex":
            for part in top.iter(SITEMAP_NS + "loc"):
                files.append(root / (part.text or "").rsplit("/", 1)[-1])
        else:
            rows.extend(top.iter(SITEMAP_NS + "url"))
    base = ""
    for row in rows:
        loc = row.findtext(SITEMAP_NS + "loc") or ""
        if not base:
            base = _base_of(loc, by_path)
        if not base or not loc.startswith(base):
            continue
        page = loc[len(base):]
        dates[page] = row.findtext(SITEMAP_NS + "lastmod") or ""
        alts = [(link.get("hreflang", ""), link.get("href", "")) for link in row.iter(XHTML_NS + "link")]
        if alts:
            alternates[page] = alts
    return dates, alternates, base


def _base_of(loc: str, by_path: dict[str, Doc]) -> str:
    # The longest page path that ends the URL tells where the site's root is ('' matches any URL last).
    for path in sorted(by_path, key=len, reverse=True):
        if loc.endswith("/" + path) or (path == "" and loc.endswith("/")):
            return loc[: len(loc) - len(path)]
    return ""


def _sections(root: Path, base: str, by_path: dict[str, Doc]) -> dict[str, str]:
    """path -> the llms.txt heading it is listed under (its sidebar group), for every locale's llms.txt."""
    out: dict[str, str] = {}
    homes = ["", *sorted({d.path.split("/", 1)[0] + "/" for d in by_path.values() if "/" in d.path})]
    for home in homes:
        try:
            text = (root / home / "llms.txt").read_text(encoding="utf-8")
        except OSError:
            continue
        section = ""
        for line in text.splitlines():
            if line.startswith("## "):
                section = line[3:].strip()
                continue
            m = _LLMS_ITEM.match(line)
            if m and base and m.group("url").startswith(base):
                rel = m.group("url")[len(base):]
                path = rel[: -len(".md")] + "/" if rel.endswith(".md") else rel
                if path.endswith("index/"):
                    path = path[: -len("index/")]
                out.setdefault(path, section)
    return out

"""check_site: the gate before a deploy. Broken internal links and invalid output are reported."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

from selectolax.lexbor import LexborHTMLParser

from .search import doc_shard_name, listed_keys, shard_name
from .urls import is_external

_SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ESCAPED = "\0escaped"
_LINKS = "a[href], link[href], script[src], img[src], source[src], iframe[src]"
_HREF_TAGS = frozenset({"a", "link"})


class _Site:
    def __init__(self, out_dir: Path, base_url: str, files: set[str] | None = None) -> None:
        self.out_dir = out_dir
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        parts = urlsplit(self.base_url)
        self.base_path = parts.path or "/"
        # Each link's verdict by what it depends on (``_LinksFrom``): a site's pages mostly repeat the
        # same links (navigation, the sidebar, cross links), so most are resolved once, not once a page.
        self._verdicts: dict[tuple[str | None, str], bool] = {}
        if files is not None:
            self.files = files
            return
        self.files = set()
        for dirpath, _dirs, names in os.walk(out_dir):
            rel_dir = os.path.relpath(dirpath, out_dir)
            for name in names:
                self.files.add(name if rel_dir == "." else f"{rel_dir}/{name}".replace(os.sep, "/"))

    def site_path(self, page_file: str, url: str) -> str | None:
        """The site-relative path a link from `page_file` points at; None when it is not ours.

        Absolute URLs under base_url, paths under the base path and relative URLs are ours; a
        relative URL that climbs above the site root comes back as ESCAPED (always broken).
        """
        if url.startswith(self.base_url):
            return unquote(urlsplit(url).path)[len(self.base_path) :]
        if not url or is_external(url):
            return None  # fragment-only, protocol-relative, or another scheme/host
        if url.startswith("/") and not url.startswith(self.base_path):
            return None  # another application on the same host
        path = url.split("#", 1)[0].split("?", 1)[0]
        if path.startswith("/"):
            return unquote(_resolve("", path[len(self.base_path) :]))
        return unquote(_resolve(page_file, path or "."))  # a bare "?query" means this directory

    def link_ok(self, page: _LinksFrom, url: str) -> bool:
        """Whether a link from ``page`` to ``url`` is fine: not ours, or pointing at a file."""
        key = page.key(url)
        ok = self._verdicts.get(key)
        if ok is None:
            target = self.site_path(page.page_file, url)
            ok = self._verdicts[key] = target is None or self.exists(target)
        return ok

    def exists(self, site_path: str) -> bool:
        if site_path == ESCAPED:
            return False
        if site_path == "" or site_path.endswith("/"):
            return site_path + "index.html" in self.files
        return site_path in self.files or site_path + "/index.html" in self.files


class _LinksFrom:
    """What the verdict of a link from one page depends on (``key``), with the page's side worked out
    once for all its links. An absolute URL, a path from the root, a fragment or another scheme: the URL
    alone (None for the directory). A relative URL: the URL after its leading ``../`` segments and what
    they leave of the page's directory, since resolving is a walk from there (so all the pages of a
    section share "../../guide/"); one that climbs above the root at once: the URL and the page's whole
    directory."""

    __slots__ = ("bases", "directory", "page_file")

    def __init__(self, page_file: str) -> None:
        self.page_file = page_file
        segments = page_file.split("/")[:-1]
        self.directory = "/".join(segments)
        # What k leading "../" leave of the directory, for k = 0 .. its depth.
        self.bases = ["/".join(segments[: len(segments) - k]) for k in range(len(segments) + 1)]

    def key(self, url: str) -> tuple[str | None, str]:
        if url.startswith("../"):
            climb = 1
            while url.startswith("../", 3 * climb):
                climb += 1
            if climb < len(self.bases):
                return self.bases[climb], url[3 * climb :]
            return self.directory, url
        if url.startswith("/") or is_external(url):
            return None, url
        return self.directory, url


def _resolve(page_file: str, path: str) -> str:
    """`path` relative to the directory of `page_file`, dot segments removed (RFC 3986 §5.2.4) by
    hand: urllib's urljoin was half of the gate's time on a large site. ESCAPED if it climbs out."""
    segments = page_file.split("/")[:-1]
    parts = path.split("/")
    for part in parts[:-1]:
        if part == "..":
            if not segments:
                return ESCAPED
            segments.pop()
        elif part and part != ".":  # empty segments are dropped, as urljoin drops them
            segments.append(part)
    last = parts[-1]
    if last == "..":
        if not segments:
            return ESCAPED
        segments.pop()
        last = ""
    elif last == ".":
        last = ""
    segments.append(last)
    return "/".join(segments)


def _check_html(site: _Site, name: str, problems: list[str]) -> None:
    raw = (site.out_dir / name).read_bytes()
    if not raw.strip():
        problems.append(f"{name}: empty HTML file")
        return
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        problems.append(f"{name}: not valid UTF-8")
        return
    tree = LexborHTMLParser(text)
    title = tree.css_first("head > title")
    if title is None or not title.text(strip=True):
        problems.append(f"{name}: missing <title>")
    if tree.body is None or tree.css_first("html") is None:
        problems.append(f"{name}: unparseable HTML")
        return
    seen: set[str] = set()
    page = _LinksFrom(name)
    for node in tree.css(_LINKS):  # one pass over the tree for every kind of link
        attrs = node.attrs
        if node.tag == "link" and attrs.get("rel") == "mcp":
            continue  # the site's MCP server: the server answers it, it is no file of the build
        url = (attrs.get("href") if node.tag in _HREF_TAGS else attrs.get("src")) or ""
        url = url.strip()
        if url in seen:
            continue
        seen.add(url)
        if not site.link_ok(page, url):
            problems.append(f"{name}: broken link {url}")
    for n, node in enumerate(tree.css('script[type="application/ld+json"]'), 1):
        try:
            data = json.loads(node.text(deep=True))
        except ValueError as exc:
            problems.append(f"{name}: invalid JSON-LD #{n}: {exc}")
            continue
        if not isinstance(data, dict) or "@type" not in data or "@context" not in data:
            problems.append(f"{name}: JSON-LD #{n} lacks @context/@type")


def _check_json(site: _Site, name: str, problems: list[str]) -> None:
    try:
        data = json.loads((site.out_dir / name).read_bytes())
    except ValueError as exc:
        problems.append(f"{name}: invalid JSON: {exc}")
        return
    if name.startswith("search/"):
        _check_search(site, name, data, problems)


def _check_search(site: _Site, name: str, data: object, problems: list[str]) -> None:
    """The search index (search.py): the shard list's files exist, document rows point at pages,
    term shards map terms to postings."""
    if name.count("/") == 1:  # search/<locale>.json: the list of shards
        if not (isinstance(data, dict) and isinstance(data.get("k"), str) and isinstance(data.get("n"), int)):
            problems.append(f"{name}: search index is not a {{k, n, p}} list of shards")
            return
        locale = name[len("search/") : -len(".json")]
        shards = [shard_name(locale, key) for key, _exact in listed_keys(data["k"])]
        per = int(data.get("p") or 1)
        shards += [doc_shard_name(locale, n) for n in range((data["n"] + per - 1) // per)]
        problems.extend(f"{name}: missing shard {shard}" for shard in shards if not site.exists(shard))
    elif name.rsplit("/", 1)[-1].startswith("d-"):
        if not isinstance(data, list) or not all(isinstance(r, list) and len(r) == 4 for r in data):
            problems.append(f"{name}: document shard is not a list of [title, path, summary, headings]")
            return
        for row in data:
            if not site.exists(str(row[1])):
                problems.append(f"{name}: broken link {row[1]}")
    elif not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        problems.append(f"{name}: term shard is not an object of postings")


def _check_sitemap(site: _Site, name: str, problems: list[str]) -> None:
    try:
        root = ET.fromstring((site.out_dir / name).read_bytes())
    except ET.ParseError as exc:
        problems.append(f"{name}: invalid XML: {exc}")
        return
    if root.tag not in (f"{_SM}urlset", f"{_SM}sitemapindex"):
        problems.append(f"{name}: root element is {root.tag}, not a sitemap")
        return
    for loc in root.iter(f"{_SM}loc"):
        url = (loc.text or "").strip()
        target = site.site_path("", url) if url.startswith(site.base_url) else None
        if target is None:
            problems.append(f"{name}: URL outside the site {url}")
        elif not site.exists(target):
            problems.append(f"{name}: broken link {url}")


def _check(site: _Site, name: str, problems: list[str]) -> None:
    if name.endswith(".html"):
        _check_html(site, name, problems)
    elif name.endswith(".json") and name.startswith(("search/", "nav/")):
        _check_json(site, name, problems)
    elif name.startswith("sitemap") and name.endswith(".xml") and "/" not in name:
        _check_sitemap(site, name, problems)


def check_site(out_dir: Path, base_url: str) -> list[str]:
    """Problems found in a built site, one human-readable line each; [] means it may ship."""
    site = _Site(Path(out_dir), base_url)
    problems: list[str] = []
    if "index.html" not in site.files and not any(f.endswith("/index.html") for f in site.files):
        problems.append("site has no pages")
    for name in sorted(site.files):
        _check(site, name, problems)
    return problems


def check_files(out_dir: Path, base_url: str, names: list[str], files: set[str]) -> list[str]:
    """Problems in `names` only, for a site known to hold exactly `files` (what the builder says it
    wrote: listing a large site's directories costs more than checking a few pages)."""
    site = _Site(Path(out_dir), base_url, files)
    problems: list[str] = []
    for name in sorted(set(names)):
        _check(site, name, problems)
    return problems

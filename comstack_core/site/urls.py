"""URL rules of the site, in one place.

* Every page is a directory URL with a trailing slash, written as ``<dir>/index.html``:
  default-locale ``guides/intro`` -> ``/guides/intro/`` (``guides/intro/index.html``),
  ``index`` -> ``/`` (``index.html``).
* Other locales live under the short language code: ``es-MX`` ``guides/intro`` -> ``/es/guides/intro/``,
  its home -> ``/es/``. If two non-default locales share a short code, both use their full
  lower-case tag (``pt-br``, ``pt-pt``) so no tree overwrites another.
* The Markdown copy of a page is its URL without the trailing slash plus ``.md``
  (``/guides/intro/`` -> ``/guides/intro.md``); a locale home's copy is ``<prefix>/index.md``.
* Links inside pages are relative (``../../guides/intro/``) so one build works both under
  ``/sites/<project>/`` and at the root of a custom domain. Absolute URLs (base_url + path) are used
  where the consumer needs them: canonical, hreflang, Open Graph, sitemap, robots.txt, llms.txt.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlsplit

from .model import SiteBuildError, SiteConfig, SitePage, UrlCollision

_SEGMENT = re.compile(r"[A-Za-z0-9_-]+")
_SLUG = re.compile(r"[A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)*")  # segments as above, one pass per slug
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_LANGUAGE = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*")


def check_slug(slug: str) -> str:
    # The builder writes files named after slugs, so it re-checks what the page service validated:
    # one bad slug ('..', '%2e', a backslash) must never write outside out_dir.
    if len(slug) > 400 or not _SLUG.fullmatch(slug):
        raise SiteBuildError(f"unsafe page slug {slug!r}")
    return slug


def normalize_base_url(base_url: str) -> str:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SiteBuildError(f"base_url must be an absolute http(s) URL, got {base_url!r}")
    return base_url if base_url.endswith("/") else base_url + "/"


def locale_prefixes(config: SiteConfig, languages: set[str]) -> dict[str, str]:
    """Locale -> URL prefix ('' for the default locale, else 'es/')."""
    return prefixes_for(config.default_locale, set(config.locales) | languages)


def prefixes_for(default_locale: str, locales: set[str]) -> dict[str, str]:
    for loc in {default_locale, *locales}:
        # Tags name files too (search/<tag>.json), so they must be plain BCP-47 shapes.
        if not _LANGUAGE.fullmatch(loc):
            raise SiteBuildError(f"invalid language tag {loc!r}")
    others = sorted(locales - {default_locale})
    shorts: dict[str, list[str]] = {}
    for loc in others:
        shorts.setdefault(loc.split("-")[0].lower(), []).append(loc)
    prefixes = {default_locale: ""}
    for short, locs in shorts.items():
        for loc in locs:
            prefix = short if len(locs) == 1 else loc.lower()
            if not _SEGMENT.fullmatch(prefix):
                raise SiteBuildError(f"locale {loc!r} cannot be used in a URL")
            prefixes[loc] = prefix + "/"
    return prefixes


def page_path(prefix: str, slug: str) -> str:
    """The URL path of a page relative to the site root ('', 'es/', 'guides/intro/', 'es/guides/intro/')."""
    return prefix if slug == "index" else f"{prefix}{slug}/"


def markdown_file(prefix: str, slug: str) -> str:
    """The file of a knowledge page's Markdown copy ('guides/intro.md'; a locale home: 'es/index.md')."""
    return f"{prefix}{slug}.md"


def claimants(prefixes: dict[str, str], language: str, slug: str, *, custom: bool) -> list[tuple[str, str, bool]]:
    """Every other (language, slug) whose page would be written to one of this page's files, with whether
    only its Markdown copy would clash (so only a knowledge page there is a clash). Two pages may not claim
    one public URL: a default-locale ``es/precios`` and an ``es`` page ``precios`` are both /es/precios/."""
    prefix = prefixes.get(language, "")
    found: list[tuple[str, str, bool]] = []
    for other, other_prefix in prefixes.items():
        path = page_path(prefix, slug)
        if path.startswith(other_prefix):
            rest = path[len(other_prefix) :].rstrip("/")
            if rest != "index":  # no page lives at <prefix>index/: the slug 'index' is the prefix itself
                found.append((other, rest or "index", False))
        md = markdown_file(prefix, slug)
        if not custom and md.startswith(other_prefix):
            found.append((other, md[len(other_prefix) : -len(".md")], True))
    return [
        (lang, other_slug, md_only)
        for lang, other_slug, md_only in found
        if (lang, other_slug) != (language, slug) and _SLUG.fullmatch(other_slug)
    ]


@dataclass(eq=False)  # identity semantics: entries are compared and hashed as objects
class Entry:
    """One page and where it lives in the output."""

    page: SitePage
    path: str  # URL path relative to the site root: '' (home), 'es/', 'guides/intro/'
    html_file: str  # 'guides/intro/index.html'
    md_file: str | None  # 'guides/intro.md' (knowledge pages only)
    prefix: str  # locale prefix: '' or 'es/'

    @property
    def depth(self) -> int:
        return self.path.count("/")

    @property
    def root(self) -> str:
        """Relative URL from this page to the site root."""
        return "../" * self.depth


def is_external(href: str) -> bool:
    """Fragment-only, protocol-relative or scheme URLs: never rewritten, never recorded."""
    return not href or href.startswith(("#", "//")) or _SCHEME.match(href) is not None


def rel(root: str, path: str) -> str:
    """A relative href to site path `path` from a page whose root is `root`."""
    return (root + path) or "./"


@dataclass
class SiteIndex:
    config: SiteConfig
    base_url: str
    prefixes: dict[str, str]
    entries: list[Entry] = field(default_factory=list)
    by_slug: dict[tuple[str, str], Entry] = field(default_factory=dict)
    by_canonical: dict[tuple[str, str], Entry] = field(default_factory=dict)
    by_path: dict[str, Entry] = field(default_factory=dict)
    variants: dict[str, list[Entry]] = field(default_factory=dict)  # canonical slug -> one per language

    @cached_property
    def base_path(self) -> str:
        return urlsplit(self.base_url).path or "/"

    def absolute(self, path: str) -> str:
        return self.base_url + path

    def home_path(self, language: str) -> str:
        return self.prefixes.get(language, "")

    def find(self, language: str, slug: str) -> Entry | None:
        """The page a slug means for a reader of `language`: same language first, then default."""
        for lang in (language, self.config.default_locale):
            hit = self.by_slug.get((lang, slug)) or self.by_canonical.get((lang, slug))
            if hit is not None:
                return hit
        return None

    def resolve_href(self, entry: Entry, href: str) -> str | None:
        """Rewrite a link written in a page's Markdown; None means leave it exactly as written.

        `/guides/intro`, `guides/intro`, `guides/intro.md`, `/es/guides/intro/` and (relative to
        the page) `../intro` all reach the page when it exists. An internal link to a missing page
        still becomes a site URL, so the pre-deploy check reports it by its real target.
        """
        if is_external(href):
            return None
        parts = urlsplit(href)
        raw = parts.path
        if not raw:
            return None
        suffix = (("?" + parts.query) if parts.query else "") + (
            ("#" + parts.fragment) if parts.fragment else ""
        )
        rooted = raw.startswith("/")
        path = raw
        if rooted and self.base_path != "/" and path.startswith(self.base_path):
            path = path[len(self.base_path) :]
        target = self._page_for(entry, path, rooted)
        if target is not None:
            return rel(entry.root, target.path) + suffix
        if not rooted:
            return None  # a relative link to something that is not a page: the author's business
        clean = path.strip("/")
        if clean and "." not in clean.rsplit("/", 1)[-1]:
            clean += "/"  # looks like a page: use the directory URL form the site uses
        return rel(entry.root, clean) + suffix

    def _page_for(self, entry: Entry, path: str, rooted: bool) -> Entry | None:
        slug = _slug_of(path)
        lang = entry.page.language
        if slug is not None:
            if slug == "":
                return self.by_path.get(self.home_path(lang)) or self.by_path.get("")
            hit = self.find(lang, slug) or self.by_path.get(slug + "/")
            if hit is not None:
                return hit
        if rooted:
            return None
        here = posixpath.dirname(entry.page.slug) if entry.page.slug != "index" else ""
        joined = posixpath.normpath(posixpath.join(here, path))
        if joined.startswith(".."):
            return None
        slug = _slug_of(joined)
        if slug is None:
            return None
        return self.find(lang, slug or "index")


def _slug_of(path: str) -> str | None:
    """'/guides/intro.md' -> 'guides/intro'; '' for the home page; None when it is not a page URL."""
    p = path.strip("/")
    for tail in ("/index.html", "/index.md"):
        if p.endswith(tail):
            p = p[: -len(tail)]
    if p in ("index.html", "index.md", "index", "."):
        return ""
    for ext in (".html", ".md"):
        if p.endswith(ext):
            p = p[: -len(ext)]
    if p and not _SLUG.fullmatch(p):
        return None
    return p


def build_index(config: SiteConfig, pages: list[SitePage]) -> SiteIndex:
    base_url = normalize_base_url(config.base_url)
    if config.default_locale not in config.locales:
        raise SiteBuildError(f"default locale {config.default_locale!r} is not in locales")
    prefixes = locale_prefixes(config, {p.language for p in pages})
    index = SiteIndex(config=config, base_url=base_url, prefixes=prefixes)
    owners: dict[str, SitePage] = {}
    # Sorted so that every derived choice (variant order, duplicate winner) is stable across builds.
    for page in sorted(pages, key=lambda p: (p.language, p.slug, p.id)):
        check_slug(page.slug)
        prefix = prefixes[page.language]
        path = page_path(prefix, page.slug)
        md_file = None if page.is_custom else markdown_file(prefix, page.slug)
        entry = Entry(page=page, path=path, html_file=path + "index.html", md_file=md_file, prefix=prefix)
        for f in (entry.html_file, md_file):
            if f is None:
                continue
            if f in owners:
                raise UrlCollision(owners[f], page, "/" + (path if f == entry.html_file else f))
            owners[f] = page
        index.entries.append(entry)
        index.by_slug[(page.language, page.slug)] = entry
        index.by_canonical.setdefault((page.language, page.canonical_slug or page.slug), entry)
        index.by_path[path] = entry
        group = index.variants.setdefault(page.canonical_slug or page.slug, [])
        if all(e.page.language != page.language for e in group):
            group.append(entry)
    return index

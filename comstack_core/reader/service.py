"""The public reader use cases of a published site: find the site, search it, read and list its pages.

They are public (a site is public), so they take no principal: the site itself is the boundary. Each
answer is read from the deployment served at the moment of the call, loaded once per deployment and
kept while it is served (``BuildCache``), so a burst of readers costs the parsing of one index.
"""

from __future__ import annotations

import asyncio
import os
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sqlmodel import col, select

from ..errors import InvalidInput, NotFound
from ..models import Domain, Project
from ..publishing import deploy
from ..publishing.build import STATE_FILE
from ..publishing.build_input import site_url
from ..rules.reader_mcp import reader_enabled
from ..schemas.reader import (
    ReaderAlternate,
    ReaderHit,
    ReaderPage,
    ReaderPageItem,
    ReaderPageList,
    ReaderPageListQuery,
    ReaderPageRef,
    ReaderSearchQuery,
    ReaderSearchResult,
)
from ..services.base import Context, Service
from ..site.search import terms_of
from . import build as builds
from .build import Doc, LiveBuild, LocaleIndex
from .ranking import rank
from .snippets import excerpt
from .text import page_text

BUILDS_KEPT = 32  # deployments kept loaded (one per site being read, plus a revert's neighbour)


@dataclass(frozen=True)
class ReaderSite:
    """A published site as one request found it: its project and the deployment served right then."""

    project_id: str
    name: str
    slug: str
    default_locale: str
    root: Path  # the served deployment directory
    base_url: str  # the site's address as the reader used it, ending in '/'

    @property
    def mcp_url(self) -> str:
        return self.base_url + "mcp"


class BuildCache:
    """Loaded deployments by the identity of their build record, which every build replaces (never rewrites):
    while that identity holds, the directory holds the same build."""

    def __init__(self, size: int = BUILDS_KEPT) -> None:
        self.size = size
        self._builds: OrderedDict[tuple[object, ...], LiveBuild] = OrderedDict()
        self._lock = asyncio.Lock()

    @staticmethod
    def key(root: Path) -> tuple[object, ...] | None:
        try:
            st = os.stat(root / STATE_FILE)
        except OSError:
            return None
        return str(root), st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size

    async def get(self, root: Path) -> LiveBuild:
        key = self.key(root)
        if key is None:  # no build record (a hand-made directory): nothing to key a copy by
            return await asyncio.to_thread(builds.load, root)
        found = self._builds.get(key)
        if found is not None:
            self._builds.move_to_end(key)
            return found
        async with self._lock:  # one load per deployment, however many readers arrive at once
            found = self._builds.get(key)
            if found is None:
                found = await asyncio.to_thread(builds.load, root)
                self._builds[key] = found
                while len(self._builds) > self.size:
                    self._builds.popitem(last=False)
            return found


class ReaderService(Service):
    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.builds = BuildCache()

    async def open_site(self, *, slug: str | None = None, host: str | None = None) -> ReaderSite:
        """The site at ``/sites/{slug}/`` or on the verified custom domain ``host``, as served right now."""
        async with self.db.read() as session:
            if host is not None:
                statement = select(Project).join(Domain, col(Domain.project_id) == col(Project.id)).where(
                    Domain.hostname == host.lower().rstrip("."), col(Domain.verified).is_(True))
            else:
                statement = select(Project).where(Project.slug == (slug or ""))
            project = (await session.exec(statement)).first()
        where = f"https://{host}/" if host is not None else f"/sites/{slug}/"
        if project is None:
            raise NotFound(f"No published site at {where}.", code="site_not_found")
        if not reader_enabled(project.settings):
            raise NotFound(f"The site at {where} does not offer an MCP server: its owners turned it off.",
                           code="reader_mcp_off")
        root = deploy.served_dir(self.ctx.settings.sites_dir, project.id)
        if root is None:
            raise NotFound(f"No published site at {where}: nothing is published yet.", code="site_not_found")
        base = f"https://{host}/" if host is not None else site_url(self.ctx.settings.public_url, project)
        return ReaderSite(project.id, project.name, project.slug, project.default_locale, root, base)

    async def search(self, site: ReaderSite, query: ReaderSearchQuery) -> ReaderSearchResult:
        live = await self.builds.get(site.root)
        index = _locale(site, live, query.locale)
        words = terms_of(query.query)
        # Same words, same answer while this build is served (the build's cache goes with it).
        key = (site.base_url, index.locale, " ".join(words), str(query.limit))
        known = live.answer(key)
        if isinstance(known, ReaderSearchResult):
            return known.model_copy(update={"query": query.query})
        hits = []
        for match in rank(index, query.query, query.limit):
            doc = match.doc
            heading = doc.headings[match.section] if match.section is not None and match.section < len(
                doc.headings) else None
            markdown = live.read_markdown(doc)
            snippet = excerpt(markdown, words, heading[1] if heading else None) if markdown is not None else doc.summary
            url = site.base_url + doc.path + (f"#{heading[0]}" if heading else "")
            hits.append(ReaderHit(title=doc.title, url=url, heading=heading[1] if heading else None,
                                  snippet=snippet, locale=doc.locale))
        answer = ReaderSearchResult(query=query.query, locale=index.locale, hits=hits)
        live.remember(key, answer)
        return answer

    async def get_page(self, site: ReaderSite, ref: ReaderPageRef) -> ReaderPage:
        live = await self.builds.get(site.root)
        path = site_path(ref.url, site.base_url, live.base_url)
        doc = live.doc_for(path) if path is not None else None
        if doc is None:
            raise NotFound(f"No live page at {ref.url!r} on this site. Use search or list-pages for the URLs of "
                           "its pages.", code="page_not_found")
        copy = live.markdown_copy(doc)
        if copy is not None:
            md_url: str | None = site.base_url + copy[0]
            markdown = copy[1]
        else:  # a custom page: its own HTML, read as text
            md_url = None
            html = live.read_html(doc) or ""
            markdown = await asyncio.to_thread(page_text, html) or doc.summary
        own = site.base_url + doc.path
        alternates = [
            ReaderAlternate(locale=lang, url=_rebase(url, live.base_url, site.base_url))
            for lang, url in live.alternates.get(doc.path, [])
            if _rebase(url, live.base_url, site.base_url) != own and lang != "x-default"
        ]
        return ReaderPage(title=doc.title, url=own, markdown_url=md_url, locale=doc.locale,
                          last_updated=live.dates.get(doc.path) or None, alternates=alternates, markdown=markdown)

    async def list_pages(self, site: ReaderSite, query: ReaderPageListQuery) -> ReaderPageList:
        live = await self.builds.get(site.root)
        index = _locale(site, live, query.locale)
        docs = index.docs[query.offset: query.offset + query.limit]
        end = query.offset + len(docs)
        pages = [ReaderPageItem(title=d.title, url=site.base_url + d.path, section=live.sections.get(d.path),
                                summary=d.summary) for d in docs]
        return ReaderPageList(locale=index.locale, total=len(index.docs), pages=pages,
                              next_offset=end if end < len(index.docs) else None)

    async def pages(self, site: ReaderSite) -> list[Doc]:
        """Every live page of the site, every language, in index order (for resource listings)."""
        live = await self.builds.get(site.root)
        return [doc for index in live.locales.values() for doc in index.docs]

    async def llms_txt(self, site: ReaderSite) -> str:
        live = await self.builds.get(site.root)
        text = live.llms_txt()
        if text is None:
            raise NotFound("This site has no llms.txt.", code="not_found")
        return text.replace(live.base_url, site.base_url) if live.base_url else text


def _locale(site: ReaderSite, live: LiveBuild, asked: str | None) -> LocaleIndex:
    if not live.locales:
        raise NotFound("This site has no pages to search yet.", code="page_not_found")
    if asked is None:
        return live.locales.get(site.default_locale) or next(iter(live.locales.values()))
    wanted = asked.lower()
    for name, index in live.locales.items():
        if name.lower() == wanted:
            return index
    for name, index in live.locales.items():
        if name.lower().split("-")[0] == wanted.split("-")[0]:
            return index
    raise InvalidInput(f"This site has no pages in {asked!r}; its languages are: {', '.join(sorted(live.locales))}.",
                       code="locale_not_on_site")


def _rebase(url: str, built: str, served: str) -> str:
    return served + url[len(built):] if built and url.startswith(built) else url


def site_path(url: str, *base_urls: str) -> str | None:
    """The site path ('guides/intro/', '' for home) a URL or path names, by the site's URL rules; None when it
    cannot name a page. Absolute URLs of this site (either base), ``/sites/<slug>/...`` paths, bare paths,
    Markdown copies ('guides/intro.md') and 'index.html' all work."""
    for base in base_urls:
        if base and url.startswith(base):
            url = "/" + url[len(base):]
            break
    parts = urlsplit(url)
    path = unquote(parts.path)
    for base in base_urls:
        prefix = urlsplit(base).path
        if prefix not in ("", "/") and path.startswith(prefix):
            path = "/" + path[len(prefix):]
            break
    path = path.strip("/")
    if any(p in ("", ".", "..") or p.startswith(".") for p in path.split("/") if path):
        return None
    for tail in ("index.html", "index.md"):
        if path == tail or path.endswith("/" + tail):
            path = path[: -len(tail)].rstrip("/")
    for ext in (".html", ".md"):
        if path.endswith(ext):
            path = path[: -len(ext)]
    return path + "/" if path else ""

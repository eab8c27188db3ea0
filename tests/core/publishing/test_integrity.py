"""Integrity of a published two-locale demo site, checked independently of the builder's own gate: links
(check_site and a crawl over HTTP from the home page), strict HTML parsing, reciprocal hreflang, sitemap,
llms.txt, internal pages never written, ETag/304, the site's 404 page and custom domains."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urldefrag, urljoin

import html5lib
import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser

from comstack_core import Core, Principal
from comstack_core.demo import seed_demo
from comstack_core.schemas import (
    DomainCreate,
    PageCreate,
    PageRef,
    PageStatusUpdate,
    SettingsUpdate,
    TranslationSubmit,
)
from comstack_core.site import check_site

from .harness import publish_and_run, served_dir

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
SECRET = "TOPSECRET-RUNBOOK-42"
TRANSLATED = {
    "guides/getting-started": ("Primeros pasos con ComStack", "# Primeros pasos\n\nCrea un proyecto.\n"),
    "reference/roles": ("Roles y permisos de un proyecto", "# Roles\n\nLectores, editores y gestores.\n"),
}


@dataclass
class Site:
    core: Core
    project_id: str
    slug: str
    base: str  # absolute URL of the site root
    root: Path  # the served directory

    def url_of(self, rel: str) -> str:
        return self.base + rel

    def file_of(self, url: str) -> Path:
        rel = url[len(self.base) :]
        return self.root / (rel + "index.html" if rel == "" or rel.endswith("/") else rel)


@pytest.fixture
async def site(core: Core, client: httpx.AsyncClient, tmp_path: Path) -> Site:
    system = Principal.system()
    demo = await seed_demo(core, tmp_path / "demo")
    pid, name = demo.project_id, demo.project_name
    slug = (await core.projects.get_project(system, pid)).slug
    await core.project_settings.update_settings(
        system, pid, SettingsUpdate(knowledge_locales=["en", "es"], custom_page_locales=["en", "es"])
    )
    await core.editing.create_page(
        system,
        pid,
        PageCreate(
            slug="internal/runbook",
            title="On-call runbook",
            description="For the team only.",
            content=f"# Runbook\n\nThe door code is {SECRET}.\n",
            audience="internal",
        ),
    )
    await core.pages.set_page_status(
        system, pid, PageRef(slug="internal/runbook"), PageStatusUpdate(status="ready", project_name=name)
    )
    first = await publish_and_run(core, system, pid, name)
    assert first.status == "succeeded", first.error

    for task in await core.translations.list_translation_tasks(system, pid, limit=100):
        if task.source_slug in TRANSLATED:
            title, content = TRANSLATED[task.source_slug]
            await core.translations.submit_translation(
                system,
                pid,
                TranslationSubmit(
                    task_id=task.id,
                    title=title,
                    description="Una página de la demo, traducida.",
                    content=content,
                ),
            )
        elif task.source_slug == "index":
            await core.translations.submit_translation(
                system,
                pid,
                TranslationSubmit(
                    task_id=task.id,
                    title="Página de inicio de la demo",
                    description="La página de inicio.",
                    strings={
                        "hero.title": "Tu conocimiento, en todas partes",
                        "hero.lead": "Una sola fuente.",
                    },
                ),
            )
        elif task.source_slug == "internal/runbook":
            await core.translations.submit_translation(
                system,
                pid,
                TranslationSubmit(
                    task_id=task.id, title="Manual de guardia", content=f"El código es {SECRET}-ES."
                ),
            )
    second = await publish_and_run(core, system, pid, name)
    assert second.status == "succeeded", second.error
    assert second.counts.pages == 13 + 3  # 12 knowledge + home, and three Spanish pages; never the runbook
    return Site(core, pid, slug, f"http://testserver/sites/{slug}/", served_dir(core, pid))


def html_files(site: Site) -> list[Path]:
    return sorted(site.root.rglob("*.html"))


def alternates(html: str) -> dict[str, str]:
    tree = LexborHTMLParser(html)
    return {
        n.attributes["hreflang"]: n.attributes["href"]
        for n in tree.css('head link[rel="alternate"][hreflang]')
    }


def canonical(html: str) -> str:
    node = LexborHTMLParser(html).css_first('head link[rel="canonical"]')
    assert node is not None
    return str(node.attributes["href"])


async def test_site_files(site: Site) -> None:
    # The builder's own gate finds nothing.
    assert check_site(site.root, site.base) == []

    # Every HTML file parses without a single error under html5lib's strict mode.
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    for path in html_files(site):
        try:
            parser.parse(path.read_bytes())
        except html5lib.html5parser.ParseError as error:
            pytest.fail(f"{path.relative_to(site.root)}: {error}")

    # hreflang pairs are reciprocal: every variant lists the same set, itself included.
    pages = {canonical(p.read_text()): p for p in html_files(site) if p.name == "index.html"}
    translated = 0
    for url, path in pages.items():
        alts = alternates(path.read_text())
        if not alts:
            continue
        translated += 1
        assert url in alts.values(), f"{url} does not list itself"
        for lang, other in alts.items():
            if lang == "x-default":
                continue
            assert other in pages, f"{url}: hreflang {lang} points at {other}, which is not a page"
            assert alternates(pages[other].read_text()) == alts, f"{url} and {other} disagree"
    assert translated == 6  # three pages in two languages

    # sitemap.xml: valid, one <url> per page, alternates matching the pages' own.
    tree = ET.parse(site.root / "sitemap.xml").getroot()
    assert tree.tag == f"{SM}urlset"
    locs = [u.findtext(f"{SM}loc") for u in tree.iter(f"{SM}url")]
    assert len(locs) == len(set(locs)) and set(locs) == set(pages)
    for entry in tree.iter(f"{SM}url"):
        links = {link.get("hreflang"): link.get("href") for link in entry.iter(f"{XHTML}link")}
        assert links == alternates(pages[entry.findtext(f"{SM}loc")].read_text())

    # llms.txt lists the knowledge pages with their descriptions, never the custom page.
    llms = (site.root / "llms.txt").read_text()
    assert "[Getting started with ComStack](" in llms and "Create a project, write your first page" in llms
    assert "ComStack demo home page" not in llms and "Your knowledge, everywhere" not in llms
    es_llms = (site.root / "es" / "llms.txt").read_text()
    assert "[Primeros pasos con ComStack](" in es_llms and "Página de inicio" not in es_llms
    assert "Your knowledge, everywhere" not in (site.root / "llms-full.txt").read_text()
    assert f"{site.base}guides/getting-started.md" in llms

    # Internal-audience pages (and their translations) are never written, anywhere.
    for path in site.root.rglob("*"):
        assert "runbook" not in path.as_posix()
        if path.is_file():
            data = path.read_bytes()
            assert SECRET.encode() not in data and b"On-call runbook" not in data, path
    for shard in (site.root / "search").glob("*/t*.json"):  # nor are its words in any search index
        assert not {"topsecret", "runbook"} & set(json.loads(shard.read_text())), shard


async def test_site_over_http(site: Site, client: httpx.AsyncClient) -> None:
    # An independent crawl from the home page: every internal URL the site references answers 200.
    seen_html: set[str] = set()
    fetched: dict[str, int] = {}
    queue = deque([site.base])
    while queue:
        url = queue.popleft()
        if url in fetched:
            continue
        response = await client.get(url)
        if response.status_code == 308:  # a directory URL written without its slash (custom page HTML)
            target = urljoin(url, response.headers["location"])
            fetched[url] = (await client.get(target)).status_code
            queue.append(target)
            continue
        fetched[url] = response.status_code
        if response.status_code != 200 or not response.headers["content-type"].startswith("text/html"):
            continue
        seen_html.add(url)
        tree = LexborHTMLParser(response.text)
        # The site's MCP server (<link rel="mcp">) takes POSTs only: GET is a 405 by the transport's rules.
        refs = [n.attributes.get("href") for n in tree.css("a[href], link[href]") if n.attributes.get("rel") != "mcp"]
        refs += [n.attributes.get("src") for n in tree.css("script[src], img[src]")]
        for script in tree.css("script[data-index]"):  # the search index and nav the script loads
            refs += [site.base + script.attributes["data-index"], site.base + script.attributes["data-nav"]]
        for ref in refs:
            if not ref:
                continue
            target = urldefrag(urljoin(url, ref))[0]
            if target.startswith(site.base) and target not in fetched:
                queue.append(target)
    broken = {u: s for u, s in fetched.items() if s != 200}
    assert broken == {}, broken
    on_disk = {
        site.base + p.parent.relative_to(site.root).as_posix().removeprefix(".") + "/"
        for p in site.root.rglob("index.html")
    }
    on_disk = {u.replace(site.base + "/", site.base) for u in on_disk}
    assert seen_html == on_disk, "pages not reachable from the home page: " + str(on_disk - seen_html)
    assert any(u.endswith(".css") for u in fetched) and any(u.endswith("search/en.json") for u in fetched)

    # Conditional GET.
    page = await client.get(site.base + "guides/approving/")
    etag = page.headers["etag"]
    assert page.headers["cache-control"] == "no-cache"
    again = await client.get(site.base + "guides/approving/", headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    other = await client.get(site.base + "guides/approving/", headers={"if-none-match": '"nope"'})
    assert other.status_code == 200 and other.content == page.content
    css = next(u for u in fetched if u.endswith(".css"))
    assert "immutable" in (await client.get(css)).headers["cache-control"]

    # The site's own 404 page; the builder's state file and other dotfiles are never served.
    missing = await client.get(site.base + "no/such/page/")
    assert missing.status_code == 404 and missing.content == (site.root / "404.html").read_bytes()
    assert (await client.get(site.base + ".build-state.json")).status_code == 404
    assert (await client.get(site.base + "../../comstack.db")).status_code == 404

    # A verified custom domain serves the same site at its root, by Host.
    system = Principal.system()
    domain = await site.core.members.add_domain(
        system, site.project_id, DomainCreate(hostname="docs.example.com")
    )
    unverified = await client.get("/", headers={"host": "docs.example.com"})
    assert "Your knowledge, everywhere" not in unverified.text
    await site.core.members.verify_domain(system, site.project_id, domain.id)
    home = await client.get("/", headers={"host": "docs.example.com"})
    assert home.status_code == 200 and "Your knowledge, everywhere" in home.text
    es = await client.get("/es/guides/getting-started/", headers={"host": "Docs.Example.com."})
    assert es.status_code == 200 and "Primeros pasos" in es.text
    gone = await client.get("/nothing-here/", headers={"host": "docs.example.com"})
    assert gone.status_code == 404 and gone.content == (site.root / "404.html").read_bytes()

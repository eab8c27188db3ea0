from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from selectolax.lexbor import LexborHTMLParser

from comstack_core.site import SiteConfig, SitePage

from ...conftest import ARTIFACTS as ROOT_ARTIFACTS

BASE_URL = "http://127.0.0.1:8787/sites/acme/"


def _page(slug: str, language: str = "en", **kw: Any) -> SitePage:
    data: dict[str, Any] = {
        "id": f"{language}:{slug}",
        "slug": slug,
        "language": language,
        "title": f"Title of {slug}",
        "description": f"Description of {slug} for readers.",
        "page_type": "knowledge",
        "content": f"Body of {slug}.\n",
        "body_html": None,
        "translatable_strings": {},
        "canonical_slug": slug,
        "doc_template_id": "docs",
        "schema_org_type": "TechArticle",
        "schema_org_fields": {},
        "metadata": {},
        "updated_at": datetime(2025, 3, 1, 12, 0, tzinfo=UTC),
    }
    data.update(kw)
    return SitePage(**data)


def _config(**kw: Any) -> SiteConfig:
    data: dict[str, Any] = {
        "project_name": "Acme Docs",
        "project_slug": "acme",
        "base_url": BASE_URL,
        "default_locale": "en",
        "locales": ["en", "es-MX"],
        "theme": {},
        "sidebar_groups": [],
        "header_nav": [],
    }
    data.update(kw)
    return SiteConfig(**data)


@pytest.fixture
def make_page() -> Callable[..., SitePage]:
    return _page


@pytest.fixture
def make_config() -> Callable[..., SiteConfig]:
    return _config


@pytest.fixture
def html() -> Callable[[Path], LexborHTMLParser]:
    def parse(path: Path) -> LexborHTMLParser:
        return LexborHTMLParser(path.read_text("utf-8"))

    return parse


# -- a built site in a real browser --------------------------------------------------------------------------
ARTIFACTS = ROOT_ARTIFACTS / "site"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A directory served over real HTTP under /sites/acme/, like the server does (without its CSP)."""
    root = tmp_path / "www"
    site = root / "sites" / "acme"
    site.mkdir(parents=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site, f"http://127.0.0.1:{server.server_address[1]}/sites/acme/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def browser() -> Iterator[Any]:
    """System Chromium through Playwright (browser downloads are not possible here)."""
    from playwright import sync_api

    candidates = [
        os.environ.get("CHROMIUM_PATH"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
        None,
    ]
    with sync_api.sync_playwright() as p:
        for path in dict.fromkeys(c for c in candidates if c is None or os.path.exists(c)):
            try:
                b = p.chromium.launch(executable_path=path) if path else p.chromium.launch()
            except Exception:
                continue
            yield b
            b.close()
            return
        if os.environ.get("CI"):
            pytest.fail("no Chromium for Playwright; .ci/run installs it (apt-get install chromium)")
        pytest.skip("no Chromium available for Playwright")

"""Static site builder: pure (no database, no HTTP).

The publishing service fills `SiteConfig` and `SitePage` records, calls `build_site` into a
directory holding an earlier build (passing that build's `BuildState`), gates the result with
`check_site` (or `check_files` for what an incremental build wrote), then swaps the directory in.
Files are replaced, never rewritten in place (files.py), so deployments may share them by hard
links. URL rules are in urls.py; what is written:

    <page>/index.html, <page>.md      every page (Markdown copy for knowledge pages only)
    <prefix>/...                      non-default locales under their short language code
    assets/site.<hash>.css|js         the one stylesheet and the one deferred script
    assets/material-symbols-*         sidebar icon font and its Apache-2.0 licence
    search/<locale>.json              search index: the list of its shards (search.py)
    search/<locale>/t-*.json, d-*.json  term shards (postings by term prefix) and document shards
    nav/<locale>.json                 each sidebar group's full page list (the page shows a window)
    sitemap.xml, robots.txt, 404.html, llms.txt, llms-full.txt (+ <prefix>/llms*.txt per locale)
"""

from __future__ import annotations

from .builder import build_site
from .check import check_files, check_site
from .model import BuildResult, BuildState, SiteBuildError, SiteConfig, SitePage

__all__ = [
    "BuildResult",
    "BuildState",
    "SiteBuildError",
    "SiteConfig",
    "SitePage",
    "build_site",
    "check_files",
    "check_site",
]

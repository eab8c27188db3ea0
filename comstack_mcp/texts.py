"""The guide texts shipped as package data (``comstack_mcp/guides/*.md``), plus generated ones."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from . import error_catalog

GUIDE_FILES = {
    "workflow": "guide.md",
    "publishing": "publishing-guide.md",
    "cookbook": "cookbook.md",
    "faq": "faq.md",
    "lighthouse": "lighthouse.md",
}


@cache
def _read(name: str) -> str:
    return files("comstack_mcp").joinpath("guides", name).read_text(encoding="utf-8")


def guide(topic: str) -> str:
    if topic == "errors":
        return error_catalog.render_markdown()
    return _read(GUIDE_FILES[topic])


INSTRUCTIONS = """\
ComStack is a headless CMS: projects hold knowledge pages (Markdown) and custom HTML pages; you edit \
drafts, approve them, and a manager publishes them to the project's website (and llms.txt, and the \
voice agent). Every project tool takes project_id (list-my-projects); destructive tools also take \
project_name, the project's exact name, as a safety echo.

The standard loop:
1. get-project-state: name, site_url, pages by status with next_action, templates, locales, navigation.
2. Find the page by slug + language (pages_by_status, list-pages or search-docs); read it with \
get-page-content and keep its version.
3. Edit the draft: create-page / update-page (pass base_version) for knowledge pages, upload-custom-page \
for custom HTML pages. The live site does not change while you edit.
4. Approve: set-page-status status=ready (fill any missing required template fields first).
5. Publish (managers): publish returns a manifest; show it to the user and get their explicit yes; \
then publish-confirm, then poll publish-status until it succeeds or fails.

Errors come back as results with isError and a code plus a next step: fix the call rather than \
retrying it unchanged. Read comstack://guide (or get-guide) before the first edit.
"""

"""What a page shows around its content: breadcrumbs, previous/next, page actions, the home page's hero
and group cards. Each takes only what the page's context hash covers (render.context_hash), so an
incremental build re-renders a page whenever one of these changes."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import quote

from .nav import CARD_TITLES, LocaleNav, neighbours
from .urls import Entry, SiteIndex, rel


def crumbs(nav: LocaleNav, entry: Entry, root: str, t: dict[str, str]) -> list[dict[str, str | None]]:
    """Home › group › page for a page in a sidebar group, Home › page for another page; none on a home page."""
    if entry.page.slug == "index":
        return []
    out: list[dict[str, str | None]] = [{"label": t["home_crumb"], "href": rel(root, nav.home)}]
    where = nav.group_of.get(entry.html_file)
    if where is not None:
        out.append({"label": nav.groups[where[0]].label, "href": None})
    out.append({"label": entry.page.title, "href": None})
    return out


def pager(nav: LocaleNav, entry: Entry, root: str) -> dict[str, Any]:
    prev, nxt = neighbours(nav, entry)
    return {
        "prev": None if prev is None else {"title": prev.page.title, "href": rel(root, prev.path)},
        "next": None if nxt is None else {"title": nxt.page.title, "href": rel(root, nxt.path)},
    }


def ask_links(index: SiteIndex, entry: Entry, t: dict[str, str]) -> dict[str, str]:
    """ "Open in ChatGPT / Claude": a prompt that names the page's Markdown copy, as Mintlify does."""
    if entry.md_file is None:
        return {}
    prompt = quote(t["ask"].replace("{url}", index.absolute(entry.md_file)), safe="")
    return {
        "ask_chatgpt": f"https://chatgpt.com/?hints=search&q={prompt}",
        "ask_claude": f"https://claude.ai/new?q={prompt}",
    }


def connect_links(index: SiteIndex) -> dict[str, str | None]:
    """ "Connect to Claude Code / Cursor": the site's MCP server (its /mcp) as a command and an install link."""
    if not index.config.mcp:
        return {"mcp_url": None, "claude_command": None, "cursor_install": None}
    url = index.absolute("mcp")
    name = index.config.project_slug
    config = base64.b64encode(json.dumps({"url": url}, separators=(",", ":")).encode()).decode()
    return {
        "mcp_url": url,
        "claude_command": f"claude mcp add --transport http {name} {url}",
        "cursor_install": f"cursor://anysphere.cursor-deeplink/mcp/install?name={quote(name)}&config={quote(config)}",
    }


def hero(nav: LocaleNav, root: str, title: str, lead: str, t: dict[str, str]) -> dict[str, Any]:
    """A generated hero: the title, the lead, "Get started" (the first page of the first group) and the
    second group as a second button."""
    buttons = []
    if nav.groups:
        buttons.append({"label": t["get_started"], "href": rel(root, nav.groups[0].entries[0].path)})
    if len(nav.groups) > 1:
        buttons.append({"label": nav.groups[1].label, "href": rel(root, nav.groups[1].entries[0].path)})
    return {"title": title, "lead": lead, "buttons": buttons}


def cards(nav: LocaleNav, root: str, t: dict[str, str]) -> list[dict[str, Any]]:
    """A card per sidebar group: icon, title, its first pages' titles; it links to its first page."""
    out = []
    for g in nav.groups:
        titles = [e.page.title for e in g.entries[:CARD_TITLES]]
        more = len(g.entries) - len(titles)
        text = " · ".join(titles) + (
            f" · {t['pages'].replace('{n}', str(len(g.entries)))}" if more > 0 else ""
        )
        out.append({"href": rel(root, g.entries[0].path), "icon": g.icon, "label": g.label, "text": text})
    return out

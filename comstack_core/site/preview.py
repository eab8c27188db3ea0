"""A page's draft (or live) version as a minimal standalone HTML document, for a person to look at.

Knowledge pages go through the site's own Markdown pipeline (``MarkdownRenderer``: the same headings,
callouts, code highlighting and sanitizing of raw HTML as the published page). Custom pages: the body
exactly as written (scripts included), as the site shell ships it.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape

from ..images.refs import with_urls
from ..schemas import PageView
from .markdown import MarkdownRenderer
from .render import callout_titles

_STYLE = (
    "body{font:16px/1.6 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#1f2328}"
    ".cs-preview-bar{font-size:.85rem;color:#59636e;border-bottom:1px solid #d1d9e0;margin-bottom:1.5rem}"
    "pre{overflow:auto;background:#f6f8fa;padding:.75rem}img{max-width:100%}"
)


@lru_cache(maxsize=1)
def _renderer() -> MarkdownRenderer:
    return MarkdownRenderer()  # one configured parser per process, as the builder keeps


def render_preview(page: PageView) -> str:
    status = f"Preview of the {page.variant} version · {page.slug} ({page.language}) · status {page.status}"
    if page.page_type == "custom":
        # A custom page brings its own headings; title and description stay in the preview bar.
        bar = f"{escape(status)}<br><strong>{escape(page.title)}</strong> — {escape(page.description)}"
        main = page.body_source or ""
    else:
        bar = escape(status)
        # image:img_... references show the uploaded image, as the site will.
        content = with_urls(page.content, {i.id: i.url for i in page.images if i.url})
        body = _renderer().render(content, page.title, None, callout_titles(page.language)).html
        main = f"<header><h1>{escape(page.title)}</h1>\n<p>{escape(page.description)}</p></header>\n{body}"
    return (
        f'<!doctype html>\n<html lang="{escape(page.language)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex">\n'
        f"<title>{escape(page.title)}</title>\n"
        f'<meta name="description" content="{escape(page.description)}">\n'
        f"<style>{_STYLE}</style>\n</head>\n<body>\n"
        f'<div class="cs-preview-bar">{bar}</div>\n'
        f"<main>\n{main}\n</main>\n</body>\n</html>\n"
    )

"""A page's draft (or live) version as a minimal standalone HTML document, for a person to look at.

Knowledge pages: Markdown through markdown-it-py, raw HTML in it sanitized by nh3, as on the site.
Custom pages: the body exactly as written (scripts included), like the site shell would ship it.
"""

from __future__ import annotations

from html import escape

import nh3
from markdown_it import MarkdownIt
from starlette.responses import HTMLResponse

from comstack_core.images.refs import with_urls
from comstack_core.schemas import PageView

_STYLE = (
    "body{font:16px/1.6 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#1f2328}"
    ".cs-preview-bar{font-size:.85rem;color:#59636e;border-bottom:1px solid #d1d9e0;margin-bottom:1.5rem}"
    "pre{overflow:auto;background:#f6f8fa;padding:.75rem}img{max-width:100%}"
)

# The preview is served from the API's own origin: a sandbox without allow-same-origin gives a
# custom page's scripts an opaque origin, so they run but cannot reach the API or its credentials.
PREVIEW_HEADERS = {
    "Content-Security-Policy": "sandbox allow-scripts allow-popups allow-forms",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}


def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def render_markdown(source: str) -> str:
    return nh3.clean(_markdown().render(source), url_schemes={"http", "https", "mailto", "tel"})


def render_preview(page: PageView) -> str:
    status = f"Preview of the {page.variant} version · {page.slug} ({page.language}) · status {page.status}"
    if page.page_type == "custom":
        # A custom page brings its own headings; title and description stay in the preview bar.
        bar = f"{escape(status)}<br><strong>{escape(page.title)}</strong> — {escape(page.description)}"
        main = page.body_source or ""
    else:
        bar = escape(status)
        main = (
            f"<header><h1>{escape(page.title)}</h1>\n<p>{escape(page.description)}</p></header>\n"
            # image:img_... references show the uploaded image, as the site will.
            + render_markdown(with_urls(page.content, {i.id: i.url for i in page.images if i.url}))
        )
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


def preview_response(page: PageView) -> HTMLResponse:
    return HTMLResponse(render_preview(page), headers=PREVIEW_HEADERS)

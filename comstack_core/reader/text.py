"""The readable text of a custom page (HTML of its own, no Markdown copy), as Markdown."""

from __future__ import annotations

import trafilatura


def page_text(html: str) -> str:
    if not html:
        return ""
    return trafilatura.extract(html, output_format="markdown", include_links=True, favor_recall=True) or ""

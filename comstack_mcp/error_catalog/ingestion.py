"""Error codes of ingestion: captured web pages turned into drafts."""

from __future__ import annotations

from .entry import ErrorInfo as _E

CODES: dict[str, _E] = {
    "invalid_url": _E("The captured page's URL is not an http(s) URL.", "Send the page's full http(s) URL."),
    "not_html": _E("The captured content is not an HTML page.", "Send the page's HTML (document.documentElement.outerHTML)."),
    "empty_content": _E("No main content was found in the page.",
                        "Capture the page once its content has loaded, or write the page by hand."),
    "html_too_large": _E("The captured HTML is bigger than allowed (1 MB).",
                         "Capture a smaller page, or copy the article's HTML only."),
    "capture_not_found": _E("No capture with that id in this project (captures belong to the project they were sent to).",
                            "Send the page to capture (or ingest-html) again in this project and use its capture_id."),
    "no_template": _E("The project has no doc template for knowledge pages to ingest into.",
                      "A manager can enable a knowledge template (e.g. 'docs') for the project."),
}

"""What saving changes to an existing knowledge page decides, apart from how it is stored: the checks on the
page and its version, the content the changes make, whether anything changed, and the answer.

Written once and shared by the two ways a save is stored: through the ORM session, in a caller's
transaction (``editing.save_existing_page``: ingestion), and as plain statements on one connection
(``page_save``: update-page and save-draft)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import StaleVersion, WrongTool
from ..models import Page, PageRevision
from ..rules.templates import check_metadata_types, missing_required
from ..schemas import LintFindingView, PageSaved
from .page_store.status import page_view
from .page_store.writes import Content

# The page's own columns a save may change besides its content, in the order they are applied.
PAGE_CHANGES = ("publish_at", "audience")


def merge_metadata(current: dict[str, Any], changes: dict[str, Any] | None) -> dict[str, Any]:
    """Metadata is merged on save; a key set to null is removed."""
    merged = dict(current)
    for key, value in (changes or {}).items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def knowledge_lint(content: Content) -> list[LintFindingView]:
    """Bounds that are hard rules for custom pages are advice for knowledge pages."""
    findings = []
    if not 10 <= len(content.title) <= 60:
        findings.append(
            LintFindingView(
                rule="title-length",
                message=f"Title is {len(content.title)} characters; 10-60 reads best in search results.",
            )
        )
    if len(content.description) < 50:
        findings.append(
            LintFindingView(
                rule="description-length",
                message="Description is under 50 characters; write 50-160 for search and llms.txt.",
            )
        )
    elif len(content.description) > 160:
        findings.append(
            LintFindingView(
                rule="description-length",
                message="Description is over 160 characters; search engines will crop it.",
            )
        )
    return findings


def saved(page: Page, rev: PageRevision, content: Content, fields: list[dict[str, Any]]) -> PageSaved:
    return PageSaved(
        page=page_view(page, rev, variant="draft", fields=fields),
        changed=True,
        lint_findings=knowledge_lint(content),
        missing_required=missing_required(fields, content.metadata),
    )


def check_editable(page: Page, base_version: int) -> None:
    """A knowledge page, at the version the caller read."""
    if page.page_type == "custom":
        raise WrongTool(
            f"{page.slug!r} is a custom page: change it with upload-custom-page (it re-runs the HTML checks).",
        )
    if base_version != page.version:
        raise StaleVersion(
            f"Page {page.slug!r} changed since version {base_version}; it is now version {page.version}. "
            "Reload it (get-page-content), reapply your change, and save with the new version.",
            current_version=page.version,
        )


@dataclass
class Edit:
    """The content a save makes, and which of the page's own columns it changed (already set on it)."""

    content: Content
    page_columns: list[str]
    unchanged: bool


def apply_changes(
    page: Page, base: PageRevision, fields: list[dict[str, Any]], changes: dict[str, Any]
) -> Edit:
    """The changes applied to the content they start from (``base``) and to the page's own columns;
    metadata of the wrong type for the template is refused (``InvalidInput``)."""
    content = Content.of(base)
    for name in ("title", "description", "content"):
        if changes.get(name) is not None:
            setattr(content, name, changes[name])
    content.metadata = merge_metadata(content.metadata, changes.get("metadata"))
    check_metadata_types(fields, content.metadata)
    page_columns = []
    for name in PAGE_CHANGES:
        if name in changes and changes[name] is not None and getattr(page, name) != changes[name]:
            setattr(page, name, changes[name])
            page_columns.append(name)
    return Edit(content, page_columns, content == Content.of(base) and not page_columns)


def unchanged_save(
    page: Page, base: PageRevision, content: Content, fields: list[dict[str, Any]]
) -> PageSaved:
    """The answer to a save that changed nothing (and wrote nothing)."""
    return PageSaved(
        page=page_view(page, base, variant="draft" if page.draft_revision_id else "live", fields=fields),
        changed=False,
        lint_findings=knowledge_lint(content),
        missing_required=missing_required(fields, content.metadata),
    )

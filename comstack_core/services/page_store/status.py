"""A page's status and next action (the rules in the README's Decisions), and the page view that shows
them."""

from __future__ import annotations

from typing import Any

from ...models import Page, PageRevision
from ...rules.templates import missing_required
from ...schemas import PageView


def derive_status(page: Page) -> str:
    if page.draft_revision_id:
        return "ready" if page.draft_approved else "draft"
    if page.unpublished:
        return "unpublished"
    return "live" if page.live_revision_id else "draft"


def next_action(page: Page, status: str, missing: list[str], needs_translation: bool) -> str:
    if status == "draft":
        return "edit" if missing else "approve"
    if status == "ready":
        return "publish"
    if status == "unpublished":
        return "publish" if page.on_site else "none"
    return "translate" if needs_translation else "none"


def page_view(
    page: Page,
    rev: PageRevision,
    *,
    variant: str,
    fields: list[dict[str, Any]],
    needs_translation: bool = False,
) -> PageView:
    status = derive_status(page)
    return PageView(
        path=page.id,
        slug=page.slug,
        language=page.language,
        title=rev.title,
        description=rev.description,
        content=rev.content,
        body_source=rev.body_source,
        body_format=rev.body_format,
        doc_template_id=page.doc_template_id,
        page_type=page.page_type,
        metadata=dict(rev.page_metadata or {}),
        audience=page.audience,
        status=status,
        next_action=next_action(
            page, status, missing_required(fields, rev.page_metadata or {}), needs_translation
        ),
        variant="draft" if variant == "draft" else "live",
        has_draft=page.draft_revision_id is not None,
        is_live=page.live_revision_id is not None,
        canonical_slug=page.canonical_slug,
        translation_of=page.translation_of,
        source_hash=page.source_hash,
        publish_at=page.publish_at,
        version=page.version,
        created_at=page.created_at,
        created_by=page.created_by,
        updated_at=page.updated_at,
        updated_by=page.updated_by,
    )

"""Which live pages a caller sees as named MCP resources (SPEC §8).

A live page is listed when its live revision's metadata holds an ``mcp_resource`` object. Only pages in
their project's default language are listed: the resource template addresses a page by slug alone,
which means the default language.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from ..auth import Principal
from ..models import Member, Page, PageRevision, Project
from ..rules.mcp_resource import KEY, resource_fields
from ..schemas.resources import PageResource
from ..usecases import Need, use_case
from .base import Service

# resources/list is not paginated by the SDK; a bound keeps one answer small whatever the installation holds.
MAX_LISTED = 500


class PageResourceService(Service):
    @use_case(Need.caller, writes=False)
    async def list_page_resources(self, principal: Principal) -> list[PageResource]:
        block = col(PageRevision.page_metadata)[KEY]
        # One query for every project the caller can read; only the block is loaded, never the content.
        statement = (
            sa_select(
                col(Page.project_id),
                col(Page.slug),
                col(Page.language),
                col(PageRevision.title),
                col(PageRevision.description),
                block,
            )
            .join(PageRevision, col(PageRevision.id) == col(Page.live_revision_id))
            .join(Project, col(Project.id) == col(Page.project_id))
            .where(
                col(Page.language) == col(Project.default_locale),
                col(Page.unpublished).is_(False),
                self._is_object(block),
            )
            .order_by(col(Page.project_id), col(Page.slug))
            .limit(MAX_LISTED)
        )
        if principal.kind == "key":
            statement = statement.where(col(Page.project_id) == principal.key_project_id)
        elif not principal.is_platform_admin:
            member_of = select(Member.project_id).where(Member.user_id == principal.user_id)
            statement = statement.where(col(Page.project_id).in_(member_of))
        async with self.db.read() as session:
            rows = (await session.exec(statement)).all()  # type: ignore[call-overload]  # six columns
        listed = []
        for project_id, slug, language, title, description, data in rows:
            name, shown_title, shown_description = resource_fields(data, slug, title, description)
            listed.append(
                PageResource(
                    project_id=project_id,
                    slug=slug,
                    language=language,
                    name=name,
                    title=shown_title,
                    description=shown_description,
                )
            )
        return listed

    def _is_object(self, block: Any) -> ColumnElement[bool]:
        # "Has the key" differs per dialect, and SQLite's JSON_QUOTE(JSON_EXTRACT(...)) is never NULL;
        # asking for an object also skips a stored null.
        if self.db.is_sqlite:
            return func.json_type(PageRevision.page_metadata, f"$.{KEY}") == "object"
        return func.jsonb_typeof(block) == "object"

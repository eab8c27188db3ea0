"""An import's navigation: each planned sidebar group written as the project's group of the same title."""

from __future__ import annotations

from sqlmodel import select

from ..clock import new_id
from ..errors import DomainError
from ..importer import PlannedGroup
from ..models import Page, SidebarGroup
from ..rules.icons import validate_icon
from ..schemas.imports import ImportGroupView
from .base import audit
from .import_target import Target
from .navigation import MAX_GROUPS, load_navigation

MAX_LABEL = 80


async def write_navigation(t: Target, planned: list[PlannedGroup], language: str) -> list[ImportGroupView]:
    """Each planned group becomes the sidebar group of the same title (in the import's language), created
    at the end when there is none; groups the import does not name are left alone."""
    groups, _ = await load_navigation(t.session, t.project.id)
    known = set((await t.session.exec(select(Page.slug).where(Page.project_id == t.project.id))).all())
    by_title = {g.title.get(language): g for g in groups}
    out: list[ImportGroupView] = []
    position = len(groups)
    for group in planned:
        title = " ".join(group.title.split())[:MAX_LABEL] or "Pages"
        slugs = [s for s in dict.fromkeys(group.page_slugs) if s in known]
        existing = by_title.get(title)
        if existing is not None:
            same = existing.page_slugs == slugs
            if not same:
                existing.page_slugs, existing.updated_at = slugs, t.now
                t.session.add(existing)
            out.append(
                ImportGroupView(title=title, page_slugs=slugs, action="unchanged" if same else "update")
            )
            continue
        if not slugs or position >= MAX_GROUPS:
            out.append(ImportGroupView(title=title, page_slugs=slugs, action="skipped"))
            continue
        try:
            icon = validate_icon(group.icon)
        except DomainError:
            icon = "menu_book"
        row = SidebarGroup(
            id=new_id("grp"),
            project_id=t.project.id,
            position=position,
            title={language: title},
            icon=icon,
            page_slugs=slugs,
            updated_at=t.now,
        )
        t.session.add(row)
        by_title[title] = row
        position += 1
        out.append(ImportGroupView(title=title, page_slugs=slugs, action="create"))
    if any(g.action in ("create", "update") for g in out):
        audit(
            t.session,
            t.principal,
            "navigation.update",
            project_id=t.project.id,
            at=t.now,
            detail={"via": "import", "sidebar_groups": sum(g.action != "skipped" for g in out)},
        )
    return out

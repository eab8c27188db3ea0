"""The publish manifest: what the next publish would change, computed the same way for the dry run
and for the confirm (so any drift between the two is seen)."""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import and_, func, not_, or_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import load_only
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..images.refs import ImageUse
from ..models import Page, PageRevision, Project, Publish
from ..rules import custom_html
from ..rules.locales import enabled, module_locales
from ..schemas import Manifest, ManifestPage
from ..services.navigation import navigation_pending, theme_pending
from ..services.page_edits import knowledge_lint
from ..services.page_store.writes import Content
from .build_input import current_nav, page_url, site_url
from .image_lint import check_no_missing_images, image_findings, image_uses

LISTED_FINDINGS = 50

@dataclass(frozen=True)
class PlannedManifest:
    """A manifest in the forms a dry run and a confirm need, as text: the hash that binds a token to it, the
    site URL, and ``record``, each page's path and change (JSON ``{"pages": [{path, change_type}]}``), which is
    what the token and the publish keep and what promotion and a drift's account read. ``text``, the whole
    manifest as JSON, only for the dry run's answer (``manifest``). ``nothing``: no page, theme or navigation
    would change. At 50,000 pages the whole manifest is 19 MB of JSON; sent to a confirm as 50,000 page
    entries and written into the publish's row, it held the server at 120 MB more."""

    digest: str
    site_url: str
    pages: int
    record: str
    text: str | None
    nothing: bool

    @classmethod
    def of(cls, manifest: Manifest, digest: str, *, whole: bool) -> PlannedManifest:
        changes = [{"path": p.path, "change_type": p.change_type} for p in manifest.pages]
        return cls(
            digest,
            manifest.target_site_url,
            len(manifest.pages),
            json.dumps({"pages": changes}),
            manifest.model_dump_json() if whole else None,
            not manifest.pages and not manifest.theme_changes and not manifest.nav_changes,
        )

    def manifest(self) -> Manifest:
        assert self.text is not None, "planned without the whole manifest"
        return Manifest.model_validate_json(self.text)


def is_due(page: Any, now: datetime) -> bool:
    """``page``: a Page, or a row with its columns."""
    return due_at(page.draft_revision_id, page.draft_approved, page.publish_at, now)


def due_at(draft_revision_id: str | None, approved: bool, publish_at: datetime | None, now: datetime) -> bool:
    """Whether a page with this draft, approval and schedule goes live in a publish at ``now``."""
    return bool(draft_revision_id and approved and (publish_at is None or publish_at <= now))


def will_be_on_site(page: Any, due: bool) -> bool:
    return (
        (due or page.live_revision_id is not None)
        and page.audience == "public"
        and (due or not page.unpublished)
    )


def _latest_succeeded(project_id: str) -> Any:
    return (
        select(Publish.id)
        .where(Publish.project_id == project_id, Publish.status == "succeeded")
        .order_by(col(Publish.created_at).desc())
        .limit(1)
        .scalar_subquery()
    )


async def last_deployed(session: AsyncSession, project_id: str) -> Publish | None:
    """The latest succeeded publish (what the site shows), without its large JSON columns."""
    return (
        await session.exec(
            select(Publish)
            .options(load_only(Publish.id, Publish.build_dir, Publish.previous_build_dir, Publish.created_at))  # type: ignore[arg-type]
            .where(col(Publish.id) == _latest_succeeded(project_id))
        )
    ).first()


async def last_deployed_pages(session: AsyncSession, project_id: str) -> dict[str, Any]:
    """page id -> {slug, language, title} of every page the site shows now."""
    deployed = (
        await session.exec(select(Publish.deployed).where(col(Publish.id) == _latest_succeeded(project_id)))
    ).first()
    return dict(deployed or {})


async def _deleted_since_deployed(session: AsyncSession, project_id: str) -> list[tuple[str, Any]]:
    """(page id, {slug, language, title}) of each page the site shows but that no longer exists, by id."""
    # Publishing keeps pages.on_site equal to "in the latest succeeded publish's deployed set", so while as
    # many existing pages are on the site as that publish deployed, none was deleted: one small query
    # instead of reading every page id and the whole deployed set.
    shown = (
        select(func.count())
        .select_from(Page)
        .where(Page.project_id == project_id, col(Page.on_site).is_(True))
        .scalar_subquery()
    )
    found = (
        await session.exec(
            select(Publish.counts, shown).where(col(Publish.id) == _latest_succeeded(project_id))
        )
    ).first()
    if found is None:
        return []  # nothing deployed
    deployed_count, on_site = found
    if deployed_count.get("pages") == on_site:
        return []
    existing = set(await session.exec(select(Page.id).where(Page.project_id == project_id)))
    deployed = await last_deployed_pages(session, project_id)
    return sorted((page_id, info) for page_id, info in deployed.items() if page_id not in existing)


TURN = 200  # pages listed per turn of the event loop


# What the manifest reads of a page and of a revision: plain rows, not model objects. A first publish lists
# thousands of each, and their objects (with every revision's text held at once) were hundreds of MB at
# 50,000 pages and made the garbage collector's full passes pause the process's requests.
PAGE_FACTS = tuple(
    col(getattr(Page, name))
    for name in (
        "id", "slug", "language", "page_type", "audience", "translation_of", "publish_at",
        "live_revision_id", "draft_revision_id", "draft_approved", "unpublished", "on_site",
    )
)  # fmt: skip
REVISION_FACTS = tuple(
    col(getattr(PageRevision, name))
    for name in (
        "id", "title", "description", "content", "body_source", "body_format", "page_metadata",
        "translatable_strings",
    )
)  # fmt: skip


async def _in_turns(session: AsyncSession, columns: tuple[Any, ...], ids: list[str]) -> list[Any]:
    """Rows of ``columns`` (the first is the id) by id, in ``ids``' order, TURN at a time, letting other
    requests run in between (embedded reads run on the loop's thread, so an ``await`` alone does not give it
    up)."""
    found: dict[str, Any] = {}
    for start in range(0, len(ids), TURN):
        part = ids[start : start + TURN]
        for row in await session.exec(sa_select(*columns).where(columns[0].in_(part))):  # type: ignore[call-overload]
            found[row[0]] = row
        await asyncio.sleep(0)
    return [found[i] for i in ids if i in found]


async def build_manifest(
    session: AsyncSession, project: Project, *, now: datetime, public_url: str, translation_provider: str
) -> tuple[Manifest, str]:
    """The manifest and the hash that binds a confirmation token to it."""
    base = site_url(public_url, project)
    # Only pages that may change are read (a handful on an incremental publish of thousands): approved
    # drafts, and pages whose presence on the site differs from what the next build will give.
    shown = and_(
        col(Page.live_revision_id).is_not(None),
        col(Page.audience) == "public",
        col(Page.unpublished).is_(False),
    )
    candidates = or_(
        col(Page.draft_approved).is_(True),
        and_(col(Page.on_site).is_(True), not_(shown)),
        and_(col(Page.on_site).is_(False), shown),
    )
    ids = list(
        await session.exec(
            select(Page.id)
            .where(Page.project_id == project.id, candidates)
            .order_by(Page.language, Page.slug)
        )
    )
    changes: list[tuple[Any, Literal["new", "updated", "removed"], str]] = []  # (page row, change, revision id)
    for page in await _in_turns(session, PAGE_FACTS, ids):
        due = is_due(page, now)
        on_site_next = will_be_on_site(page, due)
        if due:
            changes.append((page, "updated" if page.live_revision_id else "new", str(page.draft_revision_id)))
        elif page.on_site and not on_site_next:
            changes.append((page, "removed", str(page.live_revision_id)))
        elif not page.on_site and on_site_next and page.live_revision_id:
            changes.append((page, "new", page.live_revision_id))
    listed: list[ManifestPage] = []
    binding: list[list[Any]] = []
    translations: list[dict[str, str]] = []
    findings: list[dict[str, str]] = []
    uses: list[tuple[Any, ImageUse]] = []
    # A few hundred revisions at a time, each dropped once listed and linted: a first publish lists
    # thousands, and only one turn's texts are held at once.
    for start in range(0, len(changes), TURN):
        turn = changes[start : start + TURN]
        revs = {rev.id: rev for rev in await _in_turns(session, REVISION_FACTS, [r for _, _, r in turn])}
        due_pages = [(page, revs[rev_id]) for page, _, rev_id in turn if is_due(page, now)]
        # Linting and parsing thousands of drafts is seconds of CPU: on a worker thread, so requests are
        # served meanwhile (the rows are only read there).
        linted, used = await asyncio.to_thread(_lint_and_uses, due_pages, public_url)
        findings.extend(linted)
        uses.extend(used)
        for page, change, rev_id in turn:
            rev = revs[rev_id]
            if is_due(page, now):
                translations.extend(_planned(project, page, translation_provider))
            size = len((rev.body_source if rev.body_source is not None else rev.content).encode())
            listed.append(
                ManifestPage(
                    path=page.id,
                    slug=page.slug,
                    language=page.language,
                    title=rev.title,
                    description=rev.description,
                    is_new=not page.on_site and change != "removed",
                    change_type=change,
                    bytes=size,
                    url=page_url(base, project, page.slug, page.language)
                    if page.audience == "public"
                    else None,
                    audience=page.audience,
                )
            )
            binding.append([page.id, change, rev.id, page.audience])
    for page_id, info in await _deleted_since_deployed(session, project.id):
        listed.append(
            ManifestPage(
                path=page_id,
                slug=info["slug"],
                language=info["language"],
                title=info.get("title", info["slug"]),
                description="",
                is_new=False,
                change_type="removed",
                bytes=0,
                url=info.get("url"),
                audience="public",
            )
        )
        binding.append([page_id, "removed", None, "public"])
    images = await image_findings(session, project.id, uses)
    check_no_missing_images(images)
    findings.extend(images)
    nav = await current_nav(session, project.id)
    published_theme = project.published_theme or {}
    theme_changes = (
        sorted(
            k
            for k in set(project.theme or {}) | set(published_theme)
            if (project.theme or {}).get(k) != published_theme.get(k)
        )
        if theme_pending(project)
        else []
    )
    published_nav = project.published_nav or {"sidebar_groups": [], "header_nav_items": []}
    nav_changes = (
        {
            part: {"before": len(published_nav.get(part, [])), "after": len(nav[part])}
            for part in ("sidebar_groups", "header_nav_items")
            if published_nav.get(part, []) != nav[part]
        }
        if navigation_pending(project, nav)
        else {}
    )
    manifest = Manifest(
        project_name=project.name,
        target_site_url=base,
        pages=listed,
        theme_changes=theme_changes,
        nav_changes=nav_changes,
        translations_planned=translations,
        lint={
            "warnings": len(findings),
            "pages_with_warnings": len({f["slug"] + f["language"] for f in findings}),
            "findings": findings[:LISTED_FINDINGS],
        },
    )
    digest = hashlib.sha256(
        json.dumps(
            {"pages": binding, "theme": project.theme or {}, "nav": nav, "translations": translations},
            sort_keys=True,
            default=str,
        ).encode()
    ).hexdigest()
    return manifest, digest


def _lint_and_uses(pages: list[tuple[Any, Any]], public_url: str) -> tuple[list[dict[str, str]], list[Any]]:
    """The lint findings of these (page, revision) rows, and the images they show."""
    return [f for page, rev in pages for f in _lint(page, rev)], image_uses(pages, public_url)


def _lint(page: Any, rev: Any) -> list[dict[str, str]]:
    if page.page_type == "custom" and rev.body_source is not None:
        items = [(f.rule, f.message) for f in custom_html.lint_html(rev.body_source)]
    else:
        items = [(f.rule, f.message) for f in knowledge_lint(Content.of(rev))]
    return [{"slug": page.slug, "language": page.language, "rule": r, "message": m} for r, m in items]


def _planned(project: Project, page: Any, provider: str) -> list[dict[str, str]]:
    if page.translation_of is not None:
        return []
    module = "knowledge_base" if page.page_type == "knowledge" else "custom_pages"
    if not enabled(project.modules, module):
        return []
    return [
        {"source_path": page.id, "slug": page.slug, "language": locale, "provider": provider}
        for locale in module_locales(project.modules, module)
        if locale != page.language
    ]


def describe_drift(before: dict[str, Any], after: dict[str, Any]) -> str:
    """A short, human account of what changed between the dry run and now (each a ``PlannedManifest``'s
    record)."""
    old = {(p["path"], p["change_type"]) for p in before.get("pages", [])}
    new = {(p["path"], p["change_type"]) for p in after.get("pages", [])}
    parts = []
    if new - old:
        parts.append("now also changes " + ", ".join(sorted(p for p, _ in new - old)[:10]))
    if old - new:
        parts.append("no longer changes " + ", ".join(sorted(p for p, _ in old - new)[:10]))
    if not parts:
        parts.append("page content, theme or navigation was edited")
    return "; ".join(parts)

"""Translation fan-out (SPEC §3). The default provider opens tasks that an assistant completes over MCP
(its own model translates); the optional HTTP provider translates automatically."""

from __future__ import annotations

import logging
from typing import Any

import httpx
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..auth import Principal
from ..clock import new_id
from ..errors import Conflict, InvalidInput, NotFound
from ..models import Page, PageRevision, Project, Publish, TranslationTask
from ..publishing.promotion import promoted_ids
from ..rules.locales import enabled, module_locales
from ..schemas import PageSaved, TranslationSubmit, TranslationTaskView
from ..usecases import Need, use_case
from .access import project_access
from .base import Context, Service, audit
from .editing import new_page
from .page_edits import saved
from .page_store.queries import template_fields
from .page_store.writes import Content, commit_draft

log = logging.getLogger("comstack.translations")
CHUNK = 500
TITLE_MAX, DESCRIPTION_MAX = 60, 160


def targets(project: Project, page: Page) -> list[str]:
    module = "knowledge_base" if page.page_type == "knowledge" else "custom_pages"
    if page.translation_of is not None or not enabled(project.modules, module):
        return []
    return [t for t in module_locales(project.modules, module) if t != page.language]


async def fan_out(ctx: Context, publish_id: str) -> tuple[int, list[str]]:
    """Open (or refresh) one task per promoted source page and missing/stale locale. Returns how many were
    opened and the pages an automatic provider translated (to go live in this publish)."""
    opened = 0
    async with ctx.db.write() as session:
        publish = await session.get_one(Publish, publish_id)
        project = await session.get_one(Project, publish.project_id)
        languages = {
            locale
            for module in ("knowledge_base", "custom_pages")
            if enabled(project.modules, module)
            for locale in module_locales(project.modules, module)
        }
        if len(languages) < 2:
            return 0, []  # a one-language project has nothing to fan out to
        # Everything in a few queries, not several per promoted page (a first publish promotes thousands).
        ids = sorted(await promoted_ids(session, publish.id))
        if not ids:
            return 0, []
        sources: list[Page] = []
        for start in range(0, len(ids), CHUNK):
            sources += list(
                await session.exec(select(Page).where(col(Page.id).in_(ids[start : start + CHUNK])))
            )
        variants = {
            (canonical, language): source_hash
            for canonical, language, source_hash in await session.exec(
                select(Page.canonical_slug, Page.language, Page.source_hash).where(
                    Page.project_id == project.id
                )
            )
        }
        open_tasks: dict[tuple[str, str], list[TranslationTask]] = {}
        for task in await session.exec(
            select(TranslationTask).where(
                TranslationTask.project_id == project.id, TranslationTask.status == "open"
            )
        ):
            open_tasks.setdefault((task.source_page_id, task.target_language), []).append(task)
        for page in sources:
            if not page.live_hash:
                continue
            for language in targets(project, page):
                key = (page.canonical_slug, language)
                if key in variants and variants[key] == page.live_hash:
                    continue  # the variant is a translation of exactly this version
                for task in open_tasks.get((page.id, language), []):
                    task.status = "superseded"
                    session.add(task)
                session.add(
                    TranslationTask(
                        id=new_id("trt"),
                        project_id=project.id,
                        source_page_id=page.id,
                        target_language=language,
                        source_hash=page.live_hash,
                        publish_id=publish_id,
                        created_at=ctx.clock(),
                    )
                )
                opened += 1
    if opened and ctx.settings.translation_provider == "http" and ctx.settings.translation_http_url:
        return opened, await translate_over_http(ctx, publish_id)
    return opened, []


def _crop(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


async def _task_view(session: AsyncSession, task: TranslationTask) -> TranslationTaskView:
    page = await session.get_one(Page, task.source_page_id)
    rev = await session.get_one(PageRevision, page.live_revision_id)
    return TranslationTaskView(
        id=task.id,
        source_path=page.id,
        source_slug=page.slug,
        source_language=page.language,
        target_language=task.target_language,
        page_type=page.page_type,
        title=rev.title,
        description=rev.description,
        content=rev.content if page.page_type == "knowledge" else "",
        strings=dict(rev.translatable_strings or {}) if page.page_type == "custom" else {},
        created_at=task.created_at,
    )


async def commit_derived_draft(
    session: AsyncSession,
    ctx: Context,
    project: Project,
    source: Page,
    language: str,
    content: Content,
    principal: Principal,
    *,
    source_hash: str,
    note: str,
    action: str,
) -> tuple[Page, PageRevision]:
    """Create or update the ``language`` variant of ``source`` as a draft."""
    page = (
        await session.exec(
            select(Page).where(
                Page.project_id == project.id,
                Page.canonical_slug == source.canonical_slug,
                Page.language == language,
            )
        )
    ).first()
    if page is None:
        page = await new_page(
            session,
            project,
            source.slug,
            language,
            source.doc_template_id,
            source.page_type,
            principal,
            ctx.clock(),
        )
        page.canonical_slug = source.canonical_slug
    page.translation_of, page.source_hash, page.audience = source.id, source_hash, source.audience
    rev = await commit_draft(session, ctx, project, page, content, principal, note=note, action=action)
    return page, rev


class TranslationService(Service):
    @use_case(Need.editor, writes=False)
    async def list_translation_tasks(
        self, principal: Principal, project_id: str, limit: int = 20
    ) -> list[TranslationTaskView]:
        async with self.db.read() as session:
            await project_access(session, principal, project_id, now=self.now())
            # Only tasks whose source is live at the version they were opened for: a publish that was
            # reverted or failed after promoting leaves tasks behind that nothing can translate any more.
            # Filtered in the query, so every ``limit`` counts listable tasks only.
            tasks = await session.exec(
                select(TranslationTask)
                .join(Page, col(Page.id) == col(TranslationTask.source_page_id))
                .where(
                    TranslationTask.project_id == project_id,
                    TranslationTask.status == "open",
                    col(Page.live_revision_id).is_not(None),
                    col(Page.live_hash) == col(TranslationTask.source_hash),
                )
                .order_by(col(TranslationTask.created_at), col(TranslationTask.id))
                .limit(min(max(limit, 1), 100))
            )
            return [await _task_view(session, t) for t in tasks]

    @use_case(Need.editor, writes=True)
    async def submit_translation(
        self, principal: Principal, project_id: str, data: TranslationSubmit
    ) -> PageSaved:
        """Write the translated variant as an approved draft; it goes live with the next publish."""
        now = self.now()
        async with self.db.write() as session:
            access = await project_access(session, principal, project_id, now=now, lock=True)
            task = await session.get(TranslationTask, data.task_id)
            if task is None or task.project_id != project_id:
                raise NotFound(
                    f"No translation task {data.task_id!r}; see list-translation-tasks.",
                    code="task_not_found",
                )
            if task.status != "open":
                raise Conflict(
                    f"Translation task {task.id} is {task.status}; list the open tasks again.",
                    code="task_closed",
                )
            source = await session.get_one(Page, task.source_page_id)
            if source.live_revision_id is None or source.live_hash != task.source_hash:
                task.status = "stale"
                session.add(task)
                await session.commit()
                raise Conflict(
                    f"Translation task {task.id} is stale: {source.slug} ({source.language}) is no longer live "
                    "at the version it was opened for (its publish was reverted or failed). The next publish "
                    "of the page opens a new task; list the open tasks again.",
                    code="task_stale",
                )
            live = await session.get_one(PageRevision, source.live_revision_id)
            content = _translated_content(source, live, data)
            page, rev = await commit_derived_draft(
                session,
                self.ctx,
                access.project,
                source,
                task.target_language,
                content,
                principal,
                source_hash=task.source_hash,
                note=f"translation of {source.slug} ({source.language})",
                action="translation.submit",
            )
            page.draft_approved = True
            page.status = "ready"
            session.add(page)
            task.status, task.completed_at, task.completed_by, task.result_page_id = (
                "done",
                now,
                principal.actor_id,
                page.id,
            )
            session.add(task)
            audit(
                session,
                principal,
                "translation.done",
                project_id=project_id,
                targets=[task.id, page.id],
                at=now,
            )
            fields = await template_fields(session, page.doc_template_id)
            return saved(page, rev, content, fields)


def _translated_content(source: Page, live: PageRevision, data: TranslationSubmit) -> Content:
    if source.page_type == "custom":
        expected = set(live.translatable_strings or {})
        given = dict(data.strings or {})
        missing = sorted(expected - set(given))
        if missing:
            raise InvalidInput(
                "Translate every marked string; missing: " + ", ".join(missing) + ".",
                code="missing_strings",
                missing=missing,
            )
        extra = sorted(set(given) - expected)
        if extra:
            raise InvalidInput("Unknown string keys: " + ", ".join(extra) + ".", code="unknown_strings")
        return Content(
            _crop(data.title, TITLE_MAX),
            _crop(data.description, DESCRIPTION_MAX),
            "",
            live.body_source,
            live.body_format,
            dict(live.page_metadata or {}),
            given,
        )
    if data.content is None or not data.content.strip():
        raise InvalidInput("Send the translated Markdown in 'content'.", code="missing_content")
    return Content(data.title, data.description, data.content, None, None, dict(live.page_metadata or {}))


async def translate_over_http(ctx: Context, publish_id: str) -> list[str]:
    """Optional provider: POST {source_language, target_language, texts{}} → {texts{}} for each open task."""
    settings = ctx.settings
    headers = (
        {"authorization": f"Bearer {settings.translation_http_key}"} if settings.translation_http_key else {}
    )
    system = Principal.system(door="script")
    async with ctx.db.read() as session:
        tasks = list(
            await session.exec(
                select(TranslationTask).where(
                    TranslationTask.publish_id == publish_id, TranslationTask.status == "open"
                )
            )
        )
        views = [await _task_view(session, t) for t in tasks]
    translated: list[str] = []
    async with httpx.AsyncClient(timeout=30) as client:
        for view in views:
            texts: dict[str, Any] = {"title": view.title, "description": view.description}
            if view.page_type == "knowledge":
                texts["content"] = view.content
            else:
                texts.update({f"strings.{k}": v for k, v in view.strings.items()})
            try:
                response = await client.post(
                    settings.translation_http_url or "",
                    headers=headers,
                    json={
                        "source_language": view.source_language,
                        "target_language": view.target_language,
                        "texts": texts,
                    },
                )
                response.raise_for_status()
                out = response.json()["texts"]
                submit = TranslationSubmit(
                    task_id=view.id,
                    title=out["title"],
                    description=out.get("description", ""),
                    content=out.get("content"),
                    strings={k.split(".", 1)[1]: v for k, v in out.items() if k.startswith("strings.")}
                    or None,
                )
            except (httpx.HTTPError, KeyError, TypeError, ValueError) as error:
                log.warning("translation provider failed for task %s: %s", view.id, error)
                continue  # the task stays open for an assistant to complete
            service = TranslationService(ctx)
            async with ctx.db.read() as session:
                project_id = (await session.get_one(TranslationTask, view.id)).project_id
            result = await service.submit_translation(system, project_id, submit)
            translated.append(result.page.path)
    return translated

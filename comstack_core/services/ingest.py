"""Ingestion (SPEC §12): pages captured in the user's browser become draft pages.

The server never fetches a URL; it works on the HTML the browser sent. A capture is stored once per
normalized URL in a project; extract turns it into a proposed draft with the project's templates,
locales and slugs; save writes the draft through the same editing steps as every other page, in the
transaction that records which page the capture became. Every use case needs the `chrome_ingest`
module and an editor. Refusals (module off, too large, not HTML, no main content, another project's
capture) are checked before anything is written, so they store nothing.
"""

from __future__ import annotations

import asyncio

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..auth import Principal
from ..clock import new_id
from ..errors import NotFound
from ..ingest import (
    CaptureRequest,
    ExtractionInput,
    ExtractRequest,
    ProposedDraft,
    SaveRequest,
    SourceMetadata,
    page_create,
    prepare_capture,
)
from ..ingest.views import (
    CaptureDeleted,
    CaptureView,
    IngestedDraftItem,
    IngestedDraftList,
    IngestedPage,
    IngestHtml,
    IngestImage,
    IngestProposal,
    IngestSaved,
)
from ..models import Capture, DocTemplate, Page, PageRevision, Project
from ..rules.locales import module_locales
from ..schemas import PageRef, PageSaved
from ..usecases import Need, use_case
from .access import project_access, require_module
from .base import Context, Service, audit
from .editing import create_knowledge_page, save_existing_page
from .images import ImageService
from .page_store.queries import current_content
from .page_store.status import derive_status
from .templates import doc_template_view

MODULE = "chrome_ingest"


def capture_not_found(capture_id: str) -> NotFound:
    return NotFound(
        f"No capture {capture_id!r} in this project. Send the page's HTML to capture (or ingest-html) in this "
        "project first: captures belong to the project they were sent to.",
        code="capture_not_found",
    )


class IngestService(Service):
    def __init__(self, ctx: Context, images: ImageService) -> None:
        super().__init__(ctx)
        self.images = images

    @use_case(Need.editor, writes=True)
    async def capture(self, principal: Principal, project_id: str, data: CaptureRequest) -> CaptureView:
        """Store the page the browser sent; the same normalized URL again updates the same capture."""
        await self._check(principal, project_id)
        settings = self.ctx.settings.ingest
        # Parsing up to a megabyte of HTML is CPU work: off the event loop, and before any transaction.
        prepared = await asyncio.to_thread(prepare_capture, data, max_bytes=settings.max_html_bytes)
        now = self.now()
        async with self.db.write() as session:
            # The project's lock serialises captures of one project, so one URL cannot be stored twice.
            access = await project_access(session, principal, project_id, now=now, lock=True)
            require_module(access.project, MODULE)
            row = (
                await session.exec(
                    select(Capture).where(
                        Capture.project_id == project_id, Capture.normalized_url == prepared.normalized_url
                    )
                )
            ).first()
            existed = row is not None
            if row is None:
                row = Capture(
                    id=new_id("cap"),
                    project_id=project_id,
                    normalized_url=prepared.normalized_url,
                    url=prepared.url,
                    html="",
                    html_sha256="",
                    html_bytes=0,
                    created_at=now,
                    created_by=principal.actor_id,
                    updated_at=now,
                )
            row.url, row.canonical_url, row.title = prepared.url, prepared.canonical_url, prepared.title
            row.html, row.html_sha256, row.html_bytes = prepared.html, prepared.html_sha256, prepared.html_bytes
            row.updated_at, row.updated_by = now, principal.actor_id
            session.add(row)
            audit(
                session,
                principal,
                "ingest.capture",
                project_id=project_id,
                targets=[row.id],
                detail={"url": prepared.normalized_url, "updated": existed},
                at=now,
            )
            page = await _page_summary(session, await _page_of(session, row))
            return _capture_view(row, existed, page)

    @use_case(Need.editor, writes=False)
    async def extract(self, principal: Principal, project_id: str, data: ExtractRequest) -> ProposedDraft:
        """The proposed draft of a capture: the project's templates, locales and free slugs, and the
        configured extractor (the LLM one when COMSTACK_INGEST_LLM_URL is set)."""
        async with self.db.read() as session:
            project = await self._check(principal, project_id, session)
            capture = await _capture(session, project_id, data.capture_id)
            templates = []
            for template_id in project.doc_template_ids:
                template = await session.get(DocTemplate, template_id)
                if template is not None and template.deleted_at is None:
                    templates.append(doc_template_view(template))
            taken = set((await session.exec(select(Page.slug).where(Page.project_id == project_id))).all())
            page = await _page_of(session, capture)
        locales = module_locales(project.modules or {}, "knowledge_base") or [project.default_locale]
        locales = sorted(locales, key=lambda tag: tag != project.default_locale)  # default first
        settings = self.ctx.settings.ingest
        source = ExtractionInput(
            url=capture.url,
            html=capture.html,
            title=capture.title,
            template_id=data.template_id,
            instructions=data.instructions,
            templates=templates,
            locales=locales,
            taken_slugs=taken,
            max_bytes=settings.max_html_bytes,
        )
        proposed = await settings.extractor().extract(source)
        update: dict[str, object] = {"capture_id": capture.id}
        if page is not None:
            # Imported before: propose the page it became, so that saving updates it instead of adding one.
            update |= {
                "slug": page.slug,
                "language": page.language,
                "notes": [
                    *proposed.notes,
                    f"This page was imported before as {page.slug!r} ({page.language}): saving with that slug "
                    "and language updates it with a new draft; another slug makes a new page.",
                ],
            }
        return proposed.model_copy(update=update)

    @use_case(Need.editor, writes=True)
    async def ingest_html(self, principal: Principal, project_id: str, data: IngestHtml) -> IngestProposal:
        """Capture and extract in one call, for a caller that already has the page's HTML."""
        captured = await self.capture(
            principal, project_id, CaptureRequest(url=data.url, html=data.html, title=data.title)
        )
        request = ExtractRequest(
            capture_id=captured.capture_id, template_id=data.template_id, instructions=data.instructions
        )
        return IngestProposal(capture=captured, draft=await self.extract(principal, project_id, request))

    @use_case(Need.editor, writes=True)
    async def save(self, principal: Principal, project_id: str, data: SaveRequest) -> IngestSaved:
        """The draft becomes a page through the editing steps every page goes through (versions, audit,
        lint). A capture saved before updates the page it became when the draft keeps that page's slug
        and language; otherwise a new page is made."""
        now = self.now()
        draft = data.draft
        async with self.db.write() as session:
            access = await project_access(session, principal, project_id, now=now, lock=True)
            project = access.project
            require_module(project, MODULE)
            capture = await _capture(session, project_id, data.capture_id, lock=True)
            source = SourceMetadata(
                source_url=capture.url, normalized_url=capture.normalized_url, canonical_url=capture.canonical_url
            )
            create = page_create(draft, source)
            earlier = await _page_of(session, capture)
            language = draft.language or project.default_locale
            result: PageSaved
            if earlier is not None and (earlier.slug, earlier.language) == (create.slug, language):
                changes = {
                    "title": create.title,
                    "description": create.description,
                    "content": create.content,
                    "metadata": create.metadata,
                }
                result = await save_existing_page(
                    session, self.ctx, principal, project, PageRef(path=earlier.id), earlier.version, changes
                )
            else:
                result = await create_knowledge_page(session, self.ctx, principal, project, create, now)
            created = earlier is None or earlier.id != result.page.path
            capture.page_id = result.page.path
            capture.updated_at, capture.updated_by = now, principal.actor_id
            session.add(capture)
            audit(
                session,
                principal,
                "ingest.save",
                project_id=project_id,
                targets=[capture.id, result.page.path],
                detail={"url": capture.normalized_url, "created": created},
                at=now,
            )
        view = result.page
        return IngestSaved(
            capture_id=capture.id,
            page=IngestedPage(
                path=view.path, slug=view.slug, language=view.language, title=view.title, status=view.status
            ),
            created=created,
            changed=result.changed,
            draft_url=f"{self.ctx.settings.public_url}/api/projects/{project_id}/docs/{view.path}/preview",
            lint_findings=result.lint_findings,
            missing_required=result.missing_required,
        )

    @use_case(Need.editor, writes=False)
    async def list_drafts(self, principal: Principal, project_id: str) -> IngestedDraftList:
        """Pages made from captures that were never published (drafts and approved drafts)."""
        async with self.db.read() as session:
            await self._check(principal, project_id, session)
            rows = await session.exec(
                select(Capture, Page, PageRevision)
                .join(Page, col(Page.id) == col(Capture.page_id))
                .join(PageRevision, col(PageRevision.id) == col(Page.draft_revision_id))
                .where(Capture.project_id == project_id, col(Page.live_revision_id).is_(None))
                .order_by(col(Capture.updated_at).desc(), col(Capture.id))
            )
            drafts = [
                IngestedDraftItem(
                    capture_id=capture.id,
                    source_url=capture.url,
                    page=_page_view(page, revision),
                    captured_at=capture.updated_at,
                )
                for capture, page, revision in rows
            ]
        return IngestedDraftList(drafts=drafts)

    @use_case(Need.editor, writes=True)
    async def delete_capture(self, principal: Principal, project_id: str, capture_id: str) -> CaptureDeleted:
        """Forget a capture (its HTML); the page it became stays."""
        now = self.now()
        async with self.db.write() as session:
            access = await project_access(session, principal, project_id, now=now)
            require_module(access.project, MODULE)
            capture = await _capture(session, project_id, capture_id, lock=True)
            kept = capture.page_id
            await session.delete(capture)
            audit(
                session,
                principal,
                "ingest.delete_capture",
                project_id=project_id,
                targets=[capture_id],
                detail={"url": capture.normalized_url},
                at=now,
            )
        return CaptureDeleted(capture_id=capture_id, page_kept=kept)

    @use_case(Need.editor, writes=True)
    async def import_image(
        self,
        principal: Principal,
        project_id: str,
        capture_id: str,
        data: bytes,
        *,
        source_url: str | None = None,
        alt: str | None = None,
    ) -> IngestImage:
        """An image of a captured page, as the browser read it, stored like every upload (store_image)."""
        async with self.db.read() as session:
            await self._check(principal, project_id, session)
            await _capture(session, project_id, capture_id)
        image = await self.images.store_image(principal, project_id, data, alt=alt)
        return IngestImage(capture_id=capture_id, source_url=source_url, image=image)

    async def _check(self, principal: Principal, project_id: str, session: AsyncSession | None = None) -> Project:
        """The project gate and the module switch, before any work on the input."""
        if session is None:
            async with self.db.read() as own:
                return await self._check(principal, project_id, own)
        access = await project_access(session, principal, project_id, now=self.now())
        require_module(access.project, MODULE)
        return access.project


async def _capture(session: AsyncSession, project_id: str, capture_id: str, *, lock: bool = False) -> Capture:
    statement = select(Capture).where(Capture.id == capture_id, Capture.project_id == project_id)
    row = (await session.exec(statement.with_for_update() if lock else statement)).first()
    if row is None:
        raise capture_not_found(capture_id)
    return row


async def _page_of(session: AsyncSession, capture: Capture) -> Page | None:
    return await session.get(Page, capture.page_id) if capture.page_id else None


def _page_view(page: Page, revision: PageRevision) -> IngestedPage:
    return IngestedPage(
        path=page.id, slug=page.slug, language=page.language, title=revision.title, status=derive_status(page)
    )


def _capture_view(row: Capture, existed: bool, page: IngestedPage | None) -> CaptureView:
    return CaptureView(
        capture_id=row.id,
        url=row.url,
        normalized_url=row.normalized_url,
        title=row.title,
        html_bytes=row.html_bytes,
        already_imported=existed,
        page=page,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def _page_summary(session: AsyncSession, page: Page | None) -> IngestedPage | None:
    if page is None:
        return None
    revision, _ = await current_content(session, page)
    return _page_view(page, revision)

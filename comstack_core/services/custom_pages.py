"""upload-custom-page: one upsert keyed by slug + language, through every check of SPEC §3 in order."""

from __future__ import annotations

from sqlmodel import select

from ..auth import Principal
from ..errors import DomainError, InvalidInput, PayloadTooLarge, StaleVersion, WrongTool
from ..models import Page
from ..rules import custom_html
from ..rules.slugs import validate_slug
from ..rules.templates import CUSTOM_PAGE_TEMPLATE, check_metadata_types
from ..schemas import CustomPageUpload, CustomPageUploadResult, LintFindingView
from ..usecases import Need, use_case
from .access import check_name_echo, project_access
from .base import Service, audit
from .editing import check_language, new_page
from .page_edits import merge_metadata
from .page_store.queries import current_content, resolve_language, template_fields, usable_template
from .page_store.status import page_view
from .page_store.writes import Content, commit_draft

TITLE_RANGE = (10, 60)
MIN_DESCRIPTION = 50


class CustomPageService(Service):
    def draft_url(self, project_id: str, path: str) -> str:
        return f"{self.ctx.settings.public_url.rstrip('/')}/api/projects/{project_id}/docs/{path}/preview"

    @use_case(Need.editor, writes=True)
    async def upload_custom_page(
        self, principal: Principal, project_id: str, data: CustomPageUpload
    ) -> CustomPageUploadResult:
        try:
            return await self._upload(principal, project_id, data)
        except DomainError as error:
            if error.code not in ("project_not_found", "project_mismatch"):
                await self._audit_rejection(principal, project_id, data, error)
            raise

    async def _audit_rejection(
        self, principal: Principal, project_id: str, data: CustomPageUpload, error: DomainError
    ) -> None:
        """Rejections are recorded in their own transaction: the upload's own one was rolled back."""
        async with self.db.write() as session:
            audit(
                session,
                principal,
                "custom_page.upload",
                project_id=project_id,
                error_code=error.code,
                detail={"slug": data.slug, "language": data.language, "error": error.message[:500]},
                at=self.now(),
            )

    async def _upload(
        self, principal: Principal, project_id: str, data: CustomPageUpload
    ) -> CustomPageUploadResult:
        now = self.now()
        async with self.db.write() as session:
            access = await project_access(session, principal, project_id, now=now, lock=True)
            project = access.project
            check_name_echo(project, data.project_name)
            slug = validate_slug(data.slug)
            language = resolve_language(project, data.language)
            check_language(project, language, "custom_pages")
            if data.is_faq:
                raise InvalidInput(
                    "FAQ content belongs in knowledge pages, where search and the voice agent can use each answer: "
                    "use create-page with doc_template_id 'faq'.",
                    code="faq_in_custom_page",
                )
            size = len(data.body.encode())
            limit = self.ctx.settings.custom_page_max_bytes
            if size > limit:
                raise PayloadTooLarge(
                    f"The custom page body is {size} bytes; the limit is {limit} bytes. Move large assets (inline "
                    "images, data: URLs, fonts) out of the page: upload each image (the upload-image tool, or POST "
                    f"/api/projects/{project_id}/images) and link it by the url the upload returns.",
                    size=size,
                    limit=limit,
                )
            custom_html.check_blocked_links(data.body)
            findings = [LintFindingView(**f.to_dict()) for f in custom_html.lint_html(data.body)]
            strings = custom_html.extract_markers(data.body, data.body_format)
            _check_title_description(data.title, data.description)

            template = await usable_template(session, project, CUSTOM_PAGE_TEMPLATE)
            page = (
                await session.exec(
                    select(Page)
                    .where(Page.project_id == project_id, Page.slug == slug, Page.language == language)
                    .with_for_update()
                )
            ).first()
            if page is not None and page.page_type != "custom":
                raise WrongTool(
                    f"{slug!r} ({language}) is a knowledge page: edit it with update-page. upload-custom-page only "
                    "writes custom pages.",
                )
            if page is not None and data.base_version is None:
                # As for knowledge pages: replacing a page unseen would silently drop someone's change.
                raise InvalidInput(
                    f"Page {slug!r} ({language}) exists already (version {page.version}): to replace it, pass "
                    "base_version with the version you read (get-page-content), so a change made since is not "
                    "lost.",
                    code="missing_base_version",
                    current_version=page.version,
                    path=page.id,
                )
            if page is not None and data.base_version is not None and data.base_version != page.version:
                raise StaleVersion(
                    f"Page {slug!r} changed since version {data.base_version}; it is now version {page.version}.",
                    current_version=page.version,
                )
            base = await current_content(session, page) if page is not None else None
            metadata = merge_metadata(Content.of(base[0]).metadata if base else {}, data.metadata)
            metadata["type"] = "custom"
            check_metadata_types(template.fields, metadata)
            content = Content(
                data.title, data.description, "", data.body, data.body_format, metadata, strings
            )
            fields = await template_fields(session, CUSTOM_PAGE_TEMPLATE)
            if base is not None and Content.of(base[0]) == content:
                assert page is not None
                return CustomPageUploadResult(
                    page=page_view(page, base[0], variant=base[1], fields=fields),
                    changed=False,
                    draft_url=self.draft_url(project_id, page.id),
                    lint_findings=findings,
                    translatable_strings=strings,
                )
            if page is None:
                page = await new_page(
                    session, project, slug, language, CUSTOM_PAGE_TEMPLATE, "custom", principal, now
                )
            rev = await commit_draft(
                session,
                self.ctx,
                project,
                page,
                content,
                principal,
                note="uploaded",
                action="custom_page.upload",
            )
            return CustomPageUploadResult(
                page=page_view(page, rev, variant="draft", fields=fields),
                changed=True,
                draft_url=self.draft_url(project_id, page.id),
                lint_findings=findings,
                translatable_strings=strings,
            )


def _check_title_description(title: str, description: str) -> None:
    problems = []
    if not TITLE_RANGE[0] <= len(title.strip()) <= TITLE_RANGE[1]:
        problems.append(
            f"title must be {TITLE_RANGE[0]}-{TITLE_RANGE[1]} characters (it is {len(title.strip())})"
        )
    if len(description.strip()) < MIN_DESCRIPTION:
        problems.append(
            f"description must be at least {MIN_DESCRIPTION} characters (it is {len(description.strip())})"
        )
    if problems:
        raise InvalidInput(
            "Custom page refused: " + "; ".join(problems) + ".", code="invalid_custom_page", problems=problems
        )

"""get-project-state: everything an assistant needs to plan its next step, in one call."""

from __future__ import annotations

from sqlmodel import select

from ..auth import Principal, Role
from ..models import DocTemplate, Page
from ..publishing.build_input import site_url
from ..rules.locales import project_locales
from ..schemas import PagesByStatus, PendingSiteChanges, ProjectState, StatePage, StateTemplate, StatusCounts
from .access import project_access
from .base import Service
from .navigation import load_navigation, nav_snapshot, navigation_pending, theme_pending
from .page_store.queries import Progress, session_translation_gaps
from .page_store.status import derive_status

WORKFLOW_HINT = (
    "Find the page by slug + language in pages_by_status (or list-pages / search-docs). Knowledge pages: "
    "create-page or update-page (pass base_version). Custom HTML pages: upload-custom-page. Then "
    "set-page-status status=ready to approve, publish for the manifest, show it to the user, and only after "
    "their explicit yes call publish-confirm and poll publish-status."
)
MAX_LISTED = 200


class StateService(Service):
    async def get_project_state(self, principal: Principal, project_id: str) -> ProjectState:
        async with self.db.read() as session:
            access = await project_access(
                session, principal, project_id, Role.viewer, write=False, now=self.now()
            )
            project = access.project
            pages = list(
                await session.exec(
                    select(Page).where(Page.project_id == project_id).order_by(Page.language, Page.slug)
                )
            )
            gaps = await session_translation_gaps(session, project, pages)
            by_status: dict[str, list[StatePage]] = {"draft": [], "ready": [], "live": [], "unpublished": []}
            counts = dict.fromkeys(by_status, 0)
            progress = Progress(session, gaps)
            for page in pages:
                status = derive_status(page)
                counts[status] += 1
                if len(by_status[status]) >= MAX_LISTED:
                    continue
                rev, _, action = await progress.of(page)
                by_status[status].append(
                    StatePage(
                        path=page.id,
                        slug=page.slug,
                        language=page.language,
                        title=rev.title,
                        page_type=page.page_type,
                        version=page.version,
                        next_action=action,
                    )
                )
            templates = []
            for doc_id in project.doc_template_ids:
                template = await session.get(DocTemplate, doc_id)
                if template and template.deleted_at is None:
                    templates.append(
                        StateTemplate(
                            id=template.id,
                            name=template.name,
                            required_fields=[f["name"] for f in template.fields if f.get("required")],
                        )
                    )
            groups, items = await load_navigation(session, project_id)
            snapshot = nav_snapshot(groups, items)
            return ProjectState(
                project_id=project.id,
                name=project.name,
                slug=project.slug,
                site_url=site_url(self.ctx.settings.public_url, project),
                role=access.role.name,
                default_locale=project.default_locale,
                locales=project_locales(project.default_locale, project.modules),
                translation_mode=(project.settings or {}).get("translation", {}).get("provider", "tasks"),
                templates=templates,
                pages_by_status=PagesByStatus(**by_status),
                counts=StatusCounts(**counts),
                navigation=snapshot,
                pending_site_changes=PendingSiteChanges(
                    navigation=navigation_pending(project, snapshot), theme=theme_pending(project)
                ),
                workflow_hint=WORKFLOW_HINT,
            )

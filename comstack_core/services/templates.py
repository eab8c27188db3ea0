"""Doc templates (content types) and project templates (project types)."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from ..auth import Principal
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..models import DocTemplate, Project, ProjectTemplate
from ..rules.templates import (
    BUILTIN_DOC_TEMPLATES,
    BUILTIN_PROJECT_TEMPLATES,
    CUSTOM_PAGE_TEMPLATE,
    DEFAULT_PROJECT_TEMPLATE,
    MODULES,
    QUOTA_NAMES,
    validate_field_defs,
    validate_template_id,
)
from ..schemas import (
    DocTemplateCreate,
    DocTemplateUpdate,
    DocTemplateView,
    ProjectTemplateCreate,
    ProjectTemplatesUpdate,
    ProjectTemplateUpdate,
    ProjectTemplateView,
    TemplateAssignment,
)
from ..usecases import Need, use_case
from .access import project_access
from .base import Service, audit


def doc_template_view(t: DocTemplate) -> DocTemplateView:
    return DocTemplateView(**t.model_dump(exclude={"deleted_at"}), deleted=t.deleted_at is not None)


def project_template_view(t: ProjectTemplate) -> ProjectTemplateView:
    return ProjectTemplateView(**t.model_dump(exclude={"deleted_at"}), deleted=t.deleted_at is not None)


class TemplateService(Service):
    async def ensure_builtins(self) -> None:
        """Insert the built-in templates that are missing (never overwrites an admin's edits)."""
        now = self.now()
        async with self.db.write() as session:
            for spec in BUILTIN_DOC_TEMPLATES:
                if await session.get(DocTemplate, spec["id"]) is None:
                    session.add(DocTemplate(**spec, builtin=True, created_at=now, updated_at=now))
            for spec in BUILTIN_PROJECT_TEMPLATES:
                if await session.get(ProjectTemplate, spec["id"]) is None:
                    session.add(ProjectTemplate(**spec, builtin=True, created_at=now, updated_at=now))

    # -- doc templates -------------------------------------------------------------------------------------

    @use_case(Need.caller, writes=False)
    async def list_doc_templates(
        self, principal: Principal, *, include_deleted: bool = False
    ) -> list[DocTemplateView]:
        async with self.db.read() as session:
            statement = select(DocTemplate).order_by(DocTemplate.id)
            if not include_deleted:
                statement = statement.where(col(DocTemplate.deleted_at).is_(None))
            return [doc_template_view(t) for t in await session.exec(statement)]

    @use_case(Need.caller, writes=False)
    async def get_doc_template(self, principal: Principal, template_id: str) -> DocTemplateView:
        async with self.db.read() as session:
            template = await session.get(DocTemplate, template_id)
            if template is None:
                raise NotFound(f"No doc template {template_id!r}.", code="template_not_found")
            return doc_template_view(template)

    @use_case(Need.platform_admin, writes=True)
    async def create_doc_template(self, principal: Principal, data: DocTemplateCreate) -> DocTemplateView:
        validate_template_id(data.id)
        fields = validate_field_defs([f.model_dump() for f in data.fields])
        now = self.now()
        async with self.db.write() as session:
            if await session.get(DocTemplate, data.id) is not None:
                raise Conflict(f"A doc template {data.id!r} exists already.", code="template_exists")
            template = DocTemplate(
                **data.model_dump(exclude={"fields"}), fields=fields, created_at=now, updated_at=now
            )
            session.add(template)
            audit(session, principal, "doc_template.create", project_id=None, targets=[data.id], at=now)
            return doc_template_view(template)

    @use_case(Need.platform_admin, writes=True)
    async def update_doc_template(
        self, principal: Principal, template_id: str, data: DocTemplateUpdate
    ) -> DocTemplateView:
        now = self.now()
        async with self.db.write() as session:
            template = await session.get(DocTemplate, template_id)
            if template is None or template.deleted_at is not None:
                raise NotFound(f"No doc template {template_id!r}.", code="template_not_found")
            if not data.model_dump(exclude_none=True):  # an empty PATCH: nothing written, no audit row
                return doc_template_view(template)
            changes = data.model_dump(exclude_none=True, exclude={"fields"})
            for name, value in changes.items():
                setattr(template, name, value)
            if data.fields is not None:
                template.fields = validate_field_defs([f.model_dump() for f in data.fields])
            template.updated_at = now
            session.add(template)
            audit(session, principal, "doc_template.update", project_id=None, targets=[template_id], at=now)
            return doc_template_view(template)

    @use_case(Need.platform_admin, writes=True)
    async def delete_doc_template(self, principal: Principal, template_id: str) -> DocTemplateView:
        """Soft delete: existing pages keep working; no new page can use it."""
        if template_id == CUSTOM_PAGE_TEMPLATE:
            raise Conflict(
                "The custom-page template is required by custom pages and cannot be deleted.",
                code="template_required",
            )
        now = self.now()
        async with self.db.write() as session:
            template = await session.get(DocTemplate, template_id)
            if template is None or template.deleted_at is not None:
                raise NotFound(f"No doc template {template_id!r}.", code="template_not_found")
            template.deleted_at = now
            session.add(template)
            audit(session, principal, "doc_template.delete", project_id=None, targets=[template_id], at=now)
            return doc_template_view(template)

    # -- project templates ---------------------------------------------------------------------------------

    @use_case(Need.caller, writes=False)
    async def list_project_templates(self, principal: Principal) -> list[ProjectTemplateView]:
        async with self.db.read() as session:
            rows = await session.exec(
                select(ProjectTemplate)
                .where(col(ProjectTemplate.deleted_at).is_(None))
                .order_by(ProjectTemplate.id)
            )
            return [project_template_view(t) for t in rows]

    @use_case(Need.caller, writes=False)
    async def get_project_template(self, principal: Principal, template_id: str) -> ProjectTemplateView:
        async with self.db.read() as session:
            template = await session.get(ProjectTemplate, template_id)
            if template is None:
                raise NotFound(f"No project template {template_id!r}.", code="template_not_found")
            return project_template_view(template)

    @use_case(Need.platform_admin, writes=True)
    async def delete_project_template(self, principal: Principal, template_id: str) -> ProjectTemplateView:
        """Soft delete: projects on it keep their modules and quotas; no project can be created on it or
        moved to it."""
        if template_id == DEFAULT_PROJECT_TEMPLATE:
            raise Conflict(
                f"The {DEFAULT_PROJECT_TEMPLATE!r} project template is the one new projects get when they name "
                "none, so it cannot be deleted.",
                code="template_required",
            )
        now = self.now()
        async with self.db.write() as session:
            template = await session.get(ProjectTemplate, template_id)
            if template is None or template.deleted_at is not None:
                raise NotFound(f"No project template {template_id!r}.", code="template_not_found")
            template.deleted_at = now
            session.add(template)
            audit(session, principal, "project_template.delete", project_id=None, targets=[template_id], at=now)
            return project_template_view(template)

    @use_case(Need.platform_admin, writes=True)
    async def create_project_template(
        self, principal: Principal, data: ProjectTemplateCreate
    ) -> ProjectTemplateView:
        validate_template_id(data.id)
        now = self.now()
        async with self.db.write() as session:
            if await session.get(ProjectTemplate, data.id) is not None:
                raise Conflict(f"A project template {data.id!r} exists already.", code="template_exists")
            values = data.model_dump()
            await self._check_project_template(session, values)
            template = ProjectTemplate(**values, created_at=now, updated_at=now)
            session.add(template)
            audit(session, principal, "project_template.create", project_id=None, targets=[data.id], at=now)
            return project_template_view(template)

    @use_case(Need.platform_admin, writes=True)
    async def update_project_template(
        self, principal: Principal, template_id: str, data: ProjectTemplateUpdate
    ) -> ProjectTemplateView:
        now = self.now()
        async with self.db.write() as session:
            template = await session.get(ProjectTemplate, template_id)
            if template is None or template.deleted_at is not None:
                raise NotFound(f"No project template {template_id!r}.", code="template_not_found")
            if not data.model_dump(exclude_none=True):  # an empty PATCH: nothing written, no audit row
                return project_template_view(template)
            values = {**template.model_dump(), **data.model_dump(exclude_none=True)}
            await self._check_project_template(session, values)
            for name, value in data.model_dump(exclude_none=True).items():
                setattr(template, name, value)
            template.updated_at = now
            session.add(template)
            audit(
                session, principal, "project_template.update", project_id=None, targets=[template_id], at=now
            )
            return project_template_view(template)

    @staticmethod
    async def _check_project_template(session: Any, values: dict[str, Any]) -> None:
        for doc_id in values["doc_template_ids"]:
            doc = await session.get(DocTemplate, doc_id)
            if doc is None or doc.deleted_at is not None:
                raise InvalidInput(f"Unknown doc template {doc_id!r}.", code="unknown_template")
        unknown = [m for m in [*values["module_ids"], *values["default_modules"]] if m not in MODULES]
        if unknown:
            raise InvalidInput(
                f"Unknown modules: {', '.join(unknown)}; modules are {', '.join(MODULES)}.",
                code="unknown_module",
            )
        if not set(values["default_modules"]) <= set(values["module_ids"]):
            raise InvalidInput("default_modules must be a subset of module_ids.", code="invalid_template")
        for tier, quotas in values["quotas"].items():
            if tier not in ("trial", "standard"):
                raise InvalidInput(
                    f"Unknown tier {tier!r}; tiers are trial and standard.", code="invalid_template"
                )
            bad = set(quotas) - set(QUOTA_NAMES)
            if bad:
                raise InvalidInput(f"Unknown quotas: {', '.join(sorted(bad))}.", code="invalid_template")

    @use_case(Need.platform_admin, writes=True)
    async def assign_project_template(
        self, principal: Principal, project_id: str, template_id: str
    ) -> TemplateAssignment:
        """Move a project to another project template (platform admin): allowed modules and doc templates follow."""
        now = self.now()
        async with self.db.write() as session:
            project = await session.get(Project, project_id)
            if project is None:
                raise NotFound(f"No project {project_id!r}.", code="project_not_found")
            template = await session.get(ProjectTemplate, template_id)
            if template is None or template.deleted_at is not None:
                raise NotFound(f"No project template {template_id!r}.", code="template_not_found")
            project.project_template_id = template.id
            project.doc_template_ids = [
                d for d in project.doc_template_ids if d in template.doc_template_ids
            ] or list(template.doc_template_ids)
            project.modules = {
                name: ({**config, "enabled": False} if name not in template.module_ids else config)
                for name, config in project.modules.items()
            }
            project.updated_at = now
            session.add(project)
            audit(
                session,
                principal,
                "project_template.assign",
                project_id=project_id,
                targets=[template_id],
                at=now,
            )
            return TemplateAssignment(
                project_id=project_id,
                project_template_id=template.id,
                doc_template_ids=project.doc_template_ids,
            )

    # -- per project ---------------------------------------------------------------------------------------

    @use_case(Need.viewer, writes=False)
    async def list_project_doc_templates(
        self, principal: Principal, project_id: str
    ) -> list[DocTemplateView]:
        async with self.db.read() as session:
            access = await project_access(session, principal, project_id, now=self.now())
            out = []
            for doc_id in access.project.doc_template_ids:
                template = await session.get(DocTemplate, doc_id)
                if template is not None and template.deleted_at is None:
                    out.append(doc_template_view(template))
            return out

    @use_case(Need.manager, writes=True)
    async def set_project_doc_templates(
        self, principal: Principal, project_id: str, data: ProjectTemplatesUpdate
    ) -> list[DocTemplateView]:
        now = self.now()
        async with self.db.write() as session:
            access = await project_access(session, principal, project_id, now=now)
            project = access.project
            template = await session.get(ProjectTemplate, project.project_template_id)
            allowed = set(template.doc_template_ids) if template else set()
            refused = [d for d in data.doc_template_ids if d not in allowed]
            if refused:
                raise Forbidden(
                    f"Not allowed by the project template: {', '.join(refused)}. Allowed: {', '.join(sorted(allowed))}.",
                    code="template_not_allowed",
                )
            chosen = list(dict.fromkeys(data.doc_template_ids))
            views = []
            for doc_id in chosen:
                doc = await session.get(DocTemplate, doc_id)
                if doc is None or doc.deleted_at is not None:
                    raise InvalidInput(f"Doc template {doc_id!r} no longer exists.", code="unknown_template")
                views.append(doc_template_view(doc))
            project.doc_template_ids = chosen
            project.updated_at = now
            session.add(project)
            audit(session, principal, "project.templates", project_id=project_id, targets=chosen, at=now)
            return views

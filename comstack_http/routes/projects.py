"""Projects and what hangs off them: plan, members, domains, modules, settings, keys, audit."""

from __future__ import annotations

from comstack_core.schemas import (
    AuditEntryView,
    DomainCreate,
    DomainView,
    KeyCreate,
    KeyCreated,
    KeyView,
    MemberAdd,
    MemberUpdate,
    MemberView,
    ModuleUpdate,
    ModuleView,
    PlanUpdate,
    ProjectCreate,
    ProjectUpdate,
    ProjectView,
    SettingsUpdate,
    SettingsView,
)
from comstack_core.services.keys import KeyService
from comstack_core.services.members import MemberService
from comstack_core.services.modules import ModuleService
from comstack_core.services.plans import PlanService
from comstack_core.services.project_settings import ProjectSettingsService
from comstack_core.services.projects import ProjectService

from .models import AuditQuery, ProjectDelete
from .spec import Call, RouteSpec

P = "/api/projects/{project_id}"


async def list_projects(call: Call) -> list[ProjectView]:
    return await call.core.projects.list_my_projects(call.principal)


async def create_project(call: Call) -> ProjectView:
    return await call.core.projects.create_project(call.principal, call.body(ProjectCreate))


async def get_project(call: Call) -> ProjectView:
    return await call.core.projects.get_project(call.principal, call.project_id)


async def update_project(call: Call) -> ProjectView:
    return await call.core.projects.update_project(call.principal, call.project_id, call.body(ProjectUpdate))


async def delete_project(call: Call) -> None:
    await call.core.projects.delete_project(
        call.principal, call.project_id, call.body(ProjectDelete).project_name
    )


async def update_plan(call: Call) -> ProjectView:
    return await call.core.plans.update_plan(call.principal, call.project_id, call.body(PlanUpdate))


async def list_members(call: Call) -> list[MemberView]:
    return await call.core.members.list_members(call.principal, call.project_id)


async def add_member(call: Call) -> MemberView:
    return await call.core.members.add_member(call.principal, call.project_id, call.body(MemberAdd))


async def update_member(call: Call) -> MemberView:
    return await call.core.members.update_member(
        call.principal, call.project_id, call.param("user_id"), call.body(MemberUpdate)
    )


async def remove_member(call: Call) -> None:
    await call.core.members.remove_member(call.principal, call.project_id, call.param("user_id"))


async def list_domains(call: Call) -> list[DomainView]:
    return await call.core.members.list_domains(call.principal, call.project_id)


async def add_domain(call: Call) -> DomainView:
    return await call.core.members.add_domain(call.principal, call.project_id, call.body(DomainCreate))


async def remove_domain(call: Call) -> None:
    await call.core.members.remove_domain(call.principal, call.project_id, call.param("domain_id"))


async def list_modules(call: Call) -> list[ModuleView]:
    return await call.core.modules.list_modules(call.principal, call.project_id)


async def configure_module(call: Call) -> ModuleView:
    return await call.core.modules.configure_module(
        call.principal, call.project_id, call.param("name"), call.body(ModuleUpdate)
    )


async def get_settings(call: Call) -> SettingsView:
    return await call.core.project_settings.get_settings(call.principal, call.project_id)


async def update_settings(call: Call) -> SettingsView:
    return await call.core.project_settings.update_settings(
        call.principal, call.project_id, call.body(SettingsUpdate)
    )


async def list_keys(call: Call) -> list[KeyView]:
    return await call.core.keys.list_keys(call.principal, call.project_id)


async def create_key(call: Call) -> KeyCreated:
    return await call.core.keys.create_key(call.principal, call.project_id, call.body(KeyCreate))


async def revoke_key(call: Call) -> None:
    await call.core.keys.revoke_key(call.principal, call.project_id, call.param("key_id"))


async def list_audit(call: Call) -> list[AuditEntryView]:
    query = call.query(AuditQuery)
    return await call.core.projects.list_audit(
        call.principal, call.project_id, limit=query.limit, action=query.action
    )


def specs() -> list[RouteSpec]:
    t = "projects"
    return [
        RouteSpec(
            "GET",
            "/api/projects",
            list_projects,
            "List the projects you can use",
            t,
            response=list[ProjectView],
            uses=ProjectService.list_my_projects,
        ),
        RouteSpec(
            "POST",
            "/api/projects",
            create_project,
            "Create a project (you become its manager)",
            t,
            body=ProjectCreate,
            response=ProjectView,
            status=201,
            uses=ProjectService.create_project,
        ),
        RouteSpec(
            "GET", P, get_project, "Get a project", t, response=ProjectView, uses=ProjectService.get_project
        ),
        RouteSpec(
            "PATCH",
            P,
            update_project,
            "Rename a project (manager)",
            t,
            body=ProjectUpdate,
            response=ProjectView,
            uses=ProjectService.update_project,
        ),
        RouteSpec(
            "DELETE",
            P,
            delete_project,
            "Delete a project with everything in it (manager, name echo)",
            t,
            body=ProjectDelete,
            query=ProjectDelete,
            body_or_query=True,
            status=204,
            uses=ProjectService.delete_project,
        ),
        RouteSpec(
            "PATCH",
            P + "/plan",
            update_plan,
            "Change a project's plan and quotas (platform admin)",
            t,
            body=PlanUpdate,
            response=ProjectView,
            uses=PlanService.update_plan,
        ),
        RouteSpec(
            "GET",
            P + "/members",
            list_members,
            "List members",
            "members",
            response=list[MemberView],
            uses=MemberService.list_members,
        ),
        RouteSpec(
            "POST",
            P + "/members",
            add_member,
            "Add a member by email (manager)",
            "members",
            body=MemberAdd,
            response=MemberView,
            status=201,
            uses=MemberService.add_member,
        ),
        RouteSpec(
            "PATCH",
            P + "/members/{user_id}",
            update_member,
            "Change a member's role (manager)",
            "members",
            body=MemberUpdate,
            response=MemberView,
            uses=MemberService.update_member,
        ),
        RouteSpec(
            "DELETE",
            P + "/members/{user_id}",
            remove_member,
            "Remove a member (manager)",
            "members",
            status=204,
            uses=MemberService.remove_member,
        ),
        RouteSpec(
            "GET",
            P + "/domains",
            list_domains,
            "List custom domains",
            "domains",
            response=list[DomainView],
            uses=MemberService.list_domains,
        ),
        RouteSpec(
            "POST",
            P + "/domains",
            add_domain,
            "Add a custom domain (manager; unique across projects)",
            "domains",
            body=DomainCreate,
            response=DomainView,
            status=201,
            uses=MemberService.add_domain,
        ),
        RouteSpec(
            "DELETE",
            P + "/domains/{domain_id}",
            remove_domain,
            "Remove a custom domain (manager)",
            "domains",
            status=204,
            uses=MemberService.remove_domain,
        ),
        RouteSpec(
            "GET",
            P + "/modules",
            list_modules,
            "List modules with their state and config",
            "modules",
            response=list[ModuleView],
            uses=ModuleService.list_modules,
        ),
        RouteSpec(
            "PATCH",
            P + "/modules/{name}",
            configure_module,
            "Enable, disable or configure a module (manager)",
            "modules",
            body=ModuleUpdate,
            response=ModuleView,
            uses=ModuleService.configure_module,
        ),
        RouteSpec(
            "GET",
            P + "/settings",
            get_settings,
            "Get locales and site settings",
            "settings",
            response=SettingsView,
            uses=ProjectSettingsService.get_settings,
        ),
        RouteSpec(
            "PATCH",
            P + "/settings",
            update_settings,
            "Change locales and site settings (manager)",
            "settings",
            body=SettingsUpdate,
            response=SettingsView,
            uses=ProjectSettingsService.update_settings,
        ),
        RouteSpec(
            "GET",
            P + "/keys",
            list_keys,
            "List API keys (manager)",
            "keys",
            response=list[KeyView],
            uses=KeyService.list_keys,
        ),
        RouteSpec(
            "POST",
            P + "/keys",
            create_key,
            "Create an API key; the raw key is in this answer only (manager)",
            "keys",
            body=KeyCreate,
            response=KeyCreated,
            status=201,
            uses=KeyService.create_key,
        ),
        RouteSpec(
            "DELETE",
            P + "/keys/{key_id}",
            revoke_key,
            "Revoke an API key (manager)",
            "keys",
            status=204,
            uses=KeyService.revoke_key,
        ),
        RouteSpec(
            "GET",
            P + "/audit",
            list_audit,
            "Read the audit log, newest first (manager)",
            "audit",
            query=AuditQuery,
            response=list[AuditEntryView],
            uses=ProjectService.list_audit,
        ),
    ]

"""Audit log (SPEC §2): every write records who (user or key), through which door, what, and the ids touched."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from comstack_core import Principal
from comstack_core.errors import Forbidden
from comstack_core.schemas import (
    CustomPageUpload,
    DocTemplateCreate,
    DomainCreate,
    KeyCreate,
    MemberAdd,
    MemberUpdate,
    ModuleUpdate,
    NavigationUpdate,
    PageCreate,
    PageRef,
    PageStatusUpdate,
    PageUpdate,
    PlanUpdate,
    ProjectTemplatesUpdate,
    ProjectUpdate,
    ReorderInput,
    SettingsUpdate,
    SidebarGroupInput,
    ThemeUpdate,
    UserCreate,
    VisibilityUpdate,
)

from ..conftest import ADMIN, FakeClock, World
from .test_support import LONG_DESCRIPTION, audit_rows, expect, key_principal


async def test_every_write_is_audited(world: World, clock: FakeClock) -> None:
    core, pid, name = world.core, world.project_id, world.project_name
    key = await key_principal(core, world.manager, pid, "manager")
    editor_mcp, manager_rest, manager_cli = (
        world.editor.via("mcp"),
        world.manager.via("rest"),
        world.manager.via("cli"),
    )
    admin_cli = world.admin.via("cli")
    await core.users.create_user(ADMIN, UserCreate(email="newbie@example.com"))
    await core.plans.update_plan(world.admin, pid, PlanUpdate(quotas={"max_members": 10}))
    ctx: dict[str, Any] = {}

    Step = tuple[str, Principal, Callable[[], Awaitable[Any]], Callable[[Any], list[str]]]

    async def create() -> Any:
        saved = await core.editing.create_page(
            editor_mcp, pid, PageCreate(slug="audited", title="Audited page")
        )
        ctx["page"] = saved.page.path
        return saved

    def page_and_revision(saved: Any) -> list[str]:
        return [saved.page.path, ctx["revision"]]

    steps: list[Step] = [
        ("page.create", editor_mcp, create, lambda r: [r.page.path]),
        (
            "page.update",
            key,
            lambda: core.editing.update_page(
                key, pid, PageRef(path=ctx["page"]), PageUpdate(base_version=1, content="v2")
            ),
            lambda r: [r.page.path],
        ),
        (
            "page.status.ready",
            editor_mcp,
            lambda: core.pages.set_page_status(
                editor_mcp,
                pid,
                PageRef(path=ctx["page"]),
                PageStatusUpdate(status="ready", project_name=name),
            ),
            lambda r: [r.path],
        ),
        (
            "page.visibility",
            editor_mcp,
            lambda: core.pages.set_visibility(
                editor_mcp, pid, PageRef(path=ctx["page"]), VisibilityUpdate(audience="internal")
            ),
            lambda r: [r.path],
        ),
        (
            "page.restore",
            editor_mcp,
            lambda: core.pages.restore_revision(editor_mcp, pid, PageRef(path=ctx["page"]), 1),
            lambda r: [r.path],
        ),
        (
            "custom_page.upload",
            editor_mcp,
            lambda: core.custom_pages.upload_custom_page(
                editor_mcp,
                pid,
                CustomPageUpload(
                    project_name=name,
                    slug="landing",
                    title="Landing page title",
                    description=LONG_DESCRIPTION,
                    body="<h1>Hi</h1>",
                ),
            ),
            lambda r: [r.page.path],
        ),
        (
            "draft.discard",
            editor_mcp,
            lambda: core.editing.discard_draft(editor_mcp, pid, PageRef(slug="landing")),
            lambda r: [r.path],
        ),
        (
            "page.delete",
            manager_rest,
            lambda: core.pages.delete_page(manager_rest, pid, PageRef(path=ctx["page"]), name),
            lambda r: [ctx["page"]],
        ),
        (
            "settings.update",
            manager_rest,
            lambda: core.project_settings.update_settings(
                manager_rest, pid, SettingsUpdate(site={"description": "x"})
            ),
            lambda r: [pid],
        ),
        (
            "module.configure",
            manager_rest,
            lambda: core.modules.configure_module(
                manager_rest, pid, "github_sync", ModuleUpdate(enabled=True)
            ),
            lambda r: ["github_sync"],
        ),
        (
            "project.update",
            manager_rest,
            lambda: core.projects.update_project(manager_rest, pid, ProjectUpdate(name=name.upper())),
            lambda r: [pid],
        ),
        (
            "project.templates",
            manager_rest,
            lambda: core.templates.set_project_doc_templates(
                manager_rest, pid, ProjectTemplatesUpdate(doc_template_ids=["docs", "custom-page"])
            ),
            lambda r: ["docs", "custom-page"],
        ),
        (
            "navigation.update",
            manager_cli,
            lambda: core.navigation.update_navigation(
                manager_cli,
                pid,
                NavigationUpdate(sidebar_groups=[SidebarGroupInput(title={"en": "A"}, icon="help")]),
            ),
            lambda r: [],
        ),
        (
            "sidebar_group.create",
            manager_cli,
            lambda: core.navigation.create_sidebar_group(
                manager_cli, pid, SidebarGroupInput(title={"en": "B"}, icon="home")
            ),
            lambda r: [r.id],
        ),
        ("sidebar_group.reorder", key, lambda: _reorder(world, key), lambda r: [g.id for g in r]),
        (
            "theme.update",
            manager_cli,
            lambda: core.navigation.update_theme(
                manager_cli, pid, ThemeUpdate(project_name=name, dark_mode="dark")
            ),
            lambda r: [],
        ),
        (
            "member.add",
            manager_rest,
            lambda: core.members.add_member(
                manager_rest, pid, MemberAdd(email="newbie@example.com", role="viewer")
            ),
            lambda r: [r.user_id],
        ),
        (
            "member.update",
            manager_rest,
            lambda: core.members.update_member(manager_rest, pid, ctx["newbie"], MemberUpdate(role="editor")),
            lambda r: [r.user_id],
        ),
        (
            "member.remove",
            manager_rest,
            lambda: core.members.remove_member(manager_rest, pid, ctx["newbie"]),
            lambda r: [ctx["newbie"]],
        ),
        (
            "key.create",
            key,
            lambda: core.keys.create_key(key, pid, KeyCreate(name="child")),
            lambda r: [r.id],
        ),
        ("key.revoke", key, lambda: core.keys.revoke_key(key, pid, ctx["child_key"]), lambda r: [r.id]),
        (
            "domain.add",
            manager_rest,
            lambda: core.members.add_domain(manager_rest, pid, DomainCreate(hostname="Docs.Example.com.")),
            lambda r: [r.id],
        ),
        (
            "domain.remove",
            manager_rest,
            lambda: core.members.remove_domain(manager_rest, pid, ctx["domain"]),
            lambda r: [ctx["domain"]],
        ),
        (
            "plan.update",
            admin_cli,
            lambda: core.plans.update_plan(admin_cli, pid, PlanUpdate(tier="standard")),
            lambda r: [pid],
        ),
        (
            "project_template.assign",
            admin_cli,
            lambda: core.templates.assign_project_template(admin_cli, pid, "business-voice"),
            lambda r: ["business-voice"],
        ),
    ]
    expected = []
    for action, who, call, targets in steps:
        clock.advance(seconds=1)
        result = await call()
        if action == "member.add":
            ctx["newbie"] = result.user_id
        if action == "key.create":
            ctx["child_key"] = result.id
        if action == "domain.add":
            ctx["domain"] = result.id
        expected.append((action, who.kind, who.actor_id, who.door, targets(result), clock.now))

    rows = await core.projects.list_audit(world.manager, pid, limit=1000)
    # Newest first; the project's own creation and setup come before the steps.
    got = [(r.action, r.actor_kind, r.actor_id, r.door, r.target_ids, r.created_at) for r in rows]
    recorded = got[: len(expected)][::-1]
    for want, have in zip(expected, recorded, strict=True):
        action, kind, actor, door, targets, at = want
        assert have[:4] == (action, kind, actor, door), have
        assert have[4][: len(targets)] == targets, (action, have[4])
        assert have[5] == at
    # Page writes also name the revision they wrote.
    by_action = {r.action: r for r in rows}
    assert len(by_action["page.create"].target_ids) == 2 and by_action["page.create"].target_ids[
        1
    ].startswith("rev_")
    assert by_action["page.create"].detail == {"slug": "audited", "language": "en"}
    assert by_action["domain.add"].detail == {"hostname": "docs.example.com"}
    assert by_action["member.add"].detail == {"role": "viewer"}
    assert {r.error_code for r in rows} == {None}
    # Earlier history (all at the fixture's one instant): the project's creation, its members, the key and
    # the quota change made before the steps.
    assert sorted(r.action for r in rows[len(expected) :]) == [
        "key.create",
        "member.add",
        "member.add",
        "plan.update",
        "project.create",
    ]
    # Filters.
    only = await core.projects.list_audit(world.manager, pid, action="member.add")
    assert len(only) == 3 and next(r.target_ids for r in only) == [ctx["newbie"]]
    assert len(await core.projects.list_audit(world.manager, pid, limit=2)) == 2


async def _reorder(world: World, key: Principal) -> Any:
    nav = await world.core.navigation.get_navigation(key, world.project_id)
    ids = [g.id for g in nav.sidebar_groups][::-1]
    return await world.core.navigation.reorder_sidebar_groups(key, world.project_id, ReorderInput(ids=ids))


async def test_global_writes_are_audited_without_a_project(world: World) -> None:
    core = world.core
    user = await core.users.create_user(world.admin.via("cli"), UserCreate(email="ops@example.com"))
    await core.templates.create_doc_template(
        world.admin.via("mcp"), DocTemplateCreate(id="howto", name="How-to")
    )
    rows = [r for r in await audit_rows(core) if r.project_id is None]
    mine = [
        (r.action, r.actor_kind, r.actor_id, r.door, r.target_ids)
        for r in rows
        if r.action in ("doc_template.create",) or r.target_ids == [user.id]
    ]
    assert sorted(mine) == sorted(
        [
            ("user.create", "user", world.admin.user_id, "cli", [user.id]),
            ("doc_template.create", "user", world.admin.user_id, "mcp", ["howto"]),
        ]
    )
    # The operator's system principal (the fixture's user creations) is recorded as such.
    created_by_system = {
        (r.actor_kind, r.actor_id, r.door)
        for r in rows
        if r.action == "user.create" and r.target_ids != [user.id]
    }
    assert created_by_system == {("system", None, "script")}


async def test_refused_writes_leave_no_audit_row(world: World) -> None:
    core, pid = world.core, world.project_id
    before = len(await audit_rows(core, pid))
    await expect(
        Forbidden,
        "role_too_low",
        core.pages.delete_page(world.editor, pid, PageRef(slug="x"), world.project_name),
    )
    await expect(
        Forbidden,
        "platform_admin_only",
        core.plans.update_plan(world.manager, pid, PlanUpdate(tier="standard")),
    )
    assert len(await audit_rows(core, pid)) == before


async def test_project_delete_is_audited_and_the_trail_outlives_the_project(world: World) -> None:
    core, pid = world.core, world.project_id
    await core.projects.delete_project(world.manager.via("mcp"), pid, world.project_name)
    rows = await audit_rows(core, pid)
    last = [r for r in rows if r.action == "project.delete"]
    assert [(r.actor_kind, r.actor_id, r.door, r.target_ids, r.detail) for r in last] == [
        ("user", world.manager.user_id, "mcp", [pid], {"name": "Acme Docs"})
    ]
    assert "project.create" in {r.action for r in rows}

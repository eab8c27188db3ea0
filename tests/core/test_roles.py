"""Who may do what: every write use case called by every kind of caller (SPEC §2).

Each case prepares a target (as the manager or the platform admin) and runs the call as every caller in
turn: viewer, editor, manager, API keys of this project (editor and manager role) and of another project,
an outsider, a platform admin, and read-only (``comstack:read``) credentials. A refused call must raise
exactly the expected error code and leave the database as it was; a call that passes gets a fresh target
for the next caller.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from comstack_core import Principal
from comstack_core.errors import DomainError, Forbidden, NotFound, ProjectMismatch
from comstack_core.schemas import (
    CustomPageUpload,
    DocTemplateCreate,
    DocTemplateUpdate,
    DomainCreate,
    DraftOpen,
    DraftSave,
    HeaderNavItemInput,
    KeyCreate,
    MemberAdd,
    MemberUpdate,
    ModuleUpdate,
    NavigationUpdate,
    PageCreate,
    PageFilter,
    PageRef,
    PageStatusUpdate,
    PageUpdate,
    PlanUpdate,
    ProjectCreate,
    ProjectTemplateCreate,
    ProjectTemplatesUpdate,
    ProjectTemplateUpdate,
    ProjectUpdate,
    ReorderInput,
    SearchQuery,
    SettingsUpdate,
    SidebarGroupInput,
    ThemeUpdate,
    VisibilityUpdate,
)

from ..conftest import World, make_user
from .test_support import (
    LONG_DESCRIPTION,
    create_page,
    key_principal,
    make_live,
    raise_quotas,
    read_only,
    snapshot,
)

_n = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_n)}"


Prepare = Callable[[World], Awaitable[Any]]
Call = Callable[[World, Principal, Any], Awaitable[Any]]


@dataclass
class Case:
    name: str
    need: str  # editor | manager | admin
    call: Call
    prepare: Prepare | None = None


async def _nothing(world: World) -> None:
    return None


async def _page(world: World) -> Any:
    return await create_page(world, unique("role/page-"), who=world.manager)


async def _approved_page(world: World) -> Any:
    page = await _page(world)
    await world.core.pages.set_page_status(
        world.manager,
        world.project_id,
        PageRef(path=page.path),
        PageStatusUpdate(status="ready", project_name=world.project_name),
    )
    return page


async def _live_page(world: World) -> Any:
    page = await _page(world)
    await make_live(world.core, page.path)
    return page


async def _edited_page(world: World) -> Any:
    page = await _page(world)
    saved = await world.core.editing.update_page(
        world.manager,
        world.project_id,
        PageRef(path=page.path),
        PageUpdate(base_version=page.version, content="second"),
    )
    return saved.page


async def _navigation(world: World) -> Any:
    """Reset the navigation to two groups and two header items, so repeated cases never hit the caps."""
    return await world.core.navigation.update_navigation(
        world.manager,
        world.project_id,
        NavigationUpdate(
            sidebar_groups=[
                SidebarGroupInput(title={"en": "Guides"}, icon="menu_book"),
                SidebarGroupInput(title={"en": "Help"}, icon="help"),
            ],
            header_nav_items=[
                HeaderNavItemInput(label={"en": "Pricing"}, target="pricing"),
                HeaderNavItemInput(label={"en": "Blog"}, target="blog"),
            ],
        ),
    )


async def _group(world: World) -> Any:
    return (await _navigation(world)).sidebar_groups[0]


async def _item(world: World) -> Any:
    return (await _navigation(world)).header_nav_items[0]


async def _all_nav_ids(world: World) -> dict[str, list[str]]:
    nav = await _navigation(world)
    return {
        "groups": [g.id for g in nav.sidebar_groups][::-1],
        "items": [i.id for i in nav.header_nav_items][::-1],
    }


async def _new_user(world: World) -> str:
    email = unique("person") + "@example.com"
    await make_user(world.core, email)
    return email


async def _viewer_member(world: World) -> str:
    email = await _new_user(world)
    member = await world.core.members.add_member(
        world.manager, world.project_id, MemberAdd(email=email, role="viewer")
    )
    return member.user_id


async def _key(world: World) -> Any:
    return await world.core.keys.create_key(world.manager, world.project_id, KeyCreate(name="to revoke"))


async def _domain(world: World) -> Any:
    return await world.core.members.add_domain(
        world.manager, world.project_id, DomainCreate(hostname=unique("docs") + ".example.com")
    )


async def _doc_template(world: World) -> str:
    template_id = unique("recipe-")
    await world.core.templates.create_doc_template(
        world.admin, DocTemplateCreate(id=template_id, name="Recipe")
    )
    return template_id


async def _project_template(world: World) -> str:
    template_id = unique("shop-")
    await world.core.templates.create_project_template(
        world.admin,
        ProjectTemplateCreate(
            id=template_id, name="Shop", doc_template_ids=["docs"], module_ids=["knowledge_base"]
        ),
    )
    return template_id


def _upload(slug: str, name: str) -> CustomPageUpload:
    return CustomPageUpload(
        project_name=name,
        slug=slug,
        title="A landing page title",
        description=LONG_DESCRIPTION,
        body="<h1>Landing</h1><p>Hello</p>",
    )


E, M, A = "editor", "manager", "admin"
PAGE_CASES = [
    Case(
        "create_page",
        E,
        lambda w, p, _: w.core.editing.create_page(
            p, w.project_id, PageCreate(slug=unique("new/page-"), title="A new page")
        ),
    ),
    Case(
        "save_draft_new",
        E,
        lambda w, p, _: w.core.editing.save_draft(
            p, w.project_id, DraftSave(draft_id="new", slug=unique("drafted-"), title="Drafted")
        ),
    ),
    Case(
        "update_page",
        E,
        lambda w, p, page: w.core.editing.update_page(
            p, w.project_id, PageRef(path=page.path), PageUpdate(base_version=page.version, content="changed")
        ),
        _page,
    ),
    Case(
        "save_draft_existing",
        E,
        lambda w, p, page: w.core.editing.save_draft(
            p, w.project_id, DraftSave(draft_id=page.path, base_version=page.version, content="changed")
        ),
        _page,
    ),
    Case(
        "status_ready",
        E,
        lambda w, p, page: w.core.pages.set_page_status(
            p,
            w.project_id,
            PageRef(path=page.path),
            PageStatusUpdate(status="ready", project_name=w.project_name),
        ),
        _page,
    ),
    Case(
        "status_draft",
        E,
        lambda w, p, page: w.core.pages.set_page_status(
            p,
            w.project_id,
            PageRef(path=page.path),
            PageStatusUpdate(status="draft", project_name=w.project_name),
        ),
        _approved_page,
    ),
    Case(
        "status_unpublished",
        M,
        lambda w, p, page: w.core.pages.set_page_status(
            p,
            w.project_id,
            PageRef(path=page.path),
            PageStatusUpdate(status="unpublished", project_name=w.project_name),
        ),
        _live_page,
    ),
    Case(
        "visibility",
        E,
        lambda w, p, page: w.core.pages.set_visibility(
            p, w.project_id, PageRef(path=page.path), VisibilityUpdate(audience="internal")
        ),
        _page,
    ),
    Case(
        "delete_page",
        M,
        lambda w, p, page: w.core.pages.delete_page(p, w.project_id, PageRef(path=page.path), w.project_name),
        _page,
    ),
    Case(
        "discard_draft",
        E,
        lambda w, p, page: w.core.editing.discard_draft(p, w.project_id, PageRef(path=page.path)),
        _page,
    ),
    Case(
        "restore_revision",
        E,
        lambda w, p, page: w.core.pages.restore_revision(p, w.project_id, PageRef(path=page.path), 1),
        _edited_page,
    ),
    Case(
        "upload_custom_page",
        E,
        lambda w, p, _: w.core.custom_pages.upload_custom_page(
            p, w.project_id, _upload(unique("landing-"), w.project_name)
        ),
    ),
]
NAVIGATION_CASES = [
    Case(
        "update_navigation",
        M,
        lambda w, p, _: w.core.navigation.update_navigation(
            p,
            w.project_id,
            NavigationUpdate(
                sidebar_groups=[
                    SidebarGroupInput(title={"en": "Guides"}, icon="menu_book", page_slugs=["guides/intro"])
                ],
                header_nav_items=[
                    HeaderNavItemInput(label={"en": "Docs"}, target="https://example.com/docs")
                ],
            ),
        ),
    ),
    Case(
        "create_sidebar_group",
        M,
        lambda w, p, _: w.core.navigation.create_sidebar_group(
            p, w.project_id, SidebarGroupInput(title={"en": "Help"}, icon="help")
        ),
        _navigation,
    ),
    Case(
        "update_sidebar_group",
        M,
        lambda w, p, g: w.core.navigation.update_sidebar_group(
            p, w.project_id, g.id, SidebarGroupInput(title={"en": "Renamed"}, icon="home")
        ),
        _group,
    ),
    Case(
        "delete_sidebar_group",
        M,
        lambda w, p, g: w.core.navigation.delete_sidebar_group(p, w.project_id, g.id),
        _group,
    ),
    Case(
        "reorder_sidebar_groups",
        M,
        lambda w, p, ids: w.core.navigation.reorder_sidebar_groups(
            p, w.project_id, ReorderInput(ids=ids["groups"])
        ),
        _all_nav_ids,
    ),
    Case(
        "create_header_item",
        M,
        lambda w, p, _: w.core.navigation.create_header_item(
            p, w.project_id, HeaderNavItemInput(label={"en": "Blog"}, target="blog")
        ),
        _navigation,
    ),
    Case(
        "update_header_item",
        M,
        lambda w, p, i: w.core.navigation.update_header_item(
            p, w.project_id, i.id, HeaderNavItemInput(label={"en": "Prices"}, target="pricing")
        ),
        _item,
    ),
    Case(
        "delete_header_item",
        M,
        lambda w, p, i: w.core.navigation.delete_header_item(p, w.project_id, i.id),
        _item,
    ),
    Case(
        "reorder_header_items",
        M,
        lambda w, p, ids: w.core.navigation.reorder_header_items(
            p, w.project_id, ReorderInput(ids=ids["items"])
        ),
        _all_nav_ids,
    ),
    Case(
        "update_theme",
        M,
        lambda w, p, _: w.core.navigation.update_theme(
            p, w.project_id, ThemeUpdate(project_name=w.project_name, colors={"primary": "#1a73e8"})
        ),
    ),  # type: ignore[arg-type]
]
PROJECT_CASES = [
    Case(
        "update_project",
        M,
        lambda w, p, _: w.core.projects.update_project(p, w.project_id, ProjectUpdate(name=w.project_name)),
    ),
    Case(
        "update_settings",
        M,
        lambda w, p, _: w.core.project_settings.update_settings(
            p, w.project_id, SettingsUpdate(site={"description": "Docs for Acme"})
        ),
    ),
    Case(
        "configure_module",
        M,
        lambda w, p, _: w.core.modules.configure_module(
            p, w.project_id, "github_sync", ModuleUpdate(enabled=True)
        ),
    ),
    Case(
        "project_doc_templates",
        M,
        lambda w, p, _: w.core.templates.set_project_doc_templates(
            p, w.project_id, ProjectTemplatesUpdate(doc_template_ids=["docs", "blog", "custom-page"])
        ),
    ),
    Case(
        "add_member",
        M,
        lambda w, p, email: w.core.members.add_member(p, w.project_id, MemberAdd(email=email, role="viewer")),
        _new_user,
    ),
    Case(
        "update_member",
        M,
        lambda w, p, uid: w.core.members.update_member(p, w.project_id, uid, MemberUpdate(role="editor")),
        _viewer_member,
    ),
    Case(
        "remove_member",
        M,
        lambda w, p, uid: w.core.members.remove_member(p, w.project_id, uid),
        _viewer_member,
    ),
    Case("create_key", M, lambda w, p, _: w.core.keys.create_key(p, w.project_id, KeyCreate(name="CI"))),
    Case("revoke_key", M, lambda w, p, key: w.core.keys.revoke_key(p, w.project_id, key.id), _key),
    Case(
        "add_domain",
        M,
        lambda w, p, _: w.core.members.add_domain(
            p, w.project_id, DomainCreate(hostname=unique("help") + ".example.com")
        ),
    ),
    Case("remove_domain", M, lambda w, p, d: w.core.members.remove_domain(p, w.project_id, d.id), _domain),
]
PLATFORM_ADMIN_CASES = [
    Case(
        "update_plan",
        A,
        lambda w, p, _: w.core.plans.update_plan(p, w.project_id, PlanUpdate(tier="standard")),
    ),
    Case(
        "create_doc_template",
        A,
        lambda w, p, _: w.core.templates.create_doc_template(
            p, DocTemplateCreate(id=unique("howto-"), name="How-to")
        ),
    ),
    Case(
        "update_doc_template",
        A,
        lambda w, p, tid: w.core.templates.update_doc_template(
            p, tid, DocTemplateUpdate(description="Changed")
        ),
        _doc_template,
    ),
    Case(
        "delete_doc_template",
        A,
        lambda w, p, tid: w.core.templates.delete_doc_template(p, tid),
        _doc_template,
    ),
    Case(
        "create_project_template",
        A,
        lambda w, p, _: w.core.templates.create_project_template(
            p,
            ProjectTemplateCreate(
                id=unique("kb-"), name="KB", doc_template_ids=["docs"], module_ids=["knowledge_base"]
            ),
        ),
    ),
    Case(
        "update_project_template",
        A,
        lambda w, p, tid: w.core.templates.update_project_template(
            p, tid, ProjectTemplateUpdate(description="Changed")
        ),
        _project_template,
    ),
    Case(
        "assign_project_template",
        A,
        lambda w, p, _: w.core.templates.assign_project_template(p, w.project_id, "business-voice"),
    ),
]

# Callers that are always refused come first, so they share one prepared target and snapshot.
CALLERS = [
    "viewer",
    "foreign_key",
    "outsider",
    "read_only_manager",
    "read_only_admin",
    "editor",
    "key_editor",
    "manager",
    "key_manager",
    "admin",
]


def expected(caller: str, need: str) -> str | None:
    """The error code a caller gets for a use case needing ``need``; None means it passes."""
    if need == A:
        if caller == "admin":
            return None
        return "read_only_scope" if caller == "read_only_admin" else "platform_admin_only"
    if caller in ("read_only_manager", "read_only_admin"):
        return "read_only_scope"
    if caller == "foreign_key":
        return "project_mismatch"
    if caller == "outsider":
        return "project_not_found"
    if caller == "viewer":
        return "role_too_low"
    if caller in ("editor", "key_editor"):
        return None if need == E else "role_too_low"
    return None  # manager, key_manager, admin


async def callers(world: World) -> dict[str, Principal]:
    await raise_quotas(world)
    core = world.core
    return {
        "viewer": world.viewer,
        "editor": world.editor,
        "key_editor": await key_principal(core, world.manager, world.project_id, "editor"),
        "manager": world.manager,
        "key_manager": await key_principal(core, world.manager, world.project_id, "manager"),
        "admin": world.admin,
        # A key of another project, resolved the way the doors resolve the x-api-key header.
        "foreign_key": await key_principal(core, world.outsider, world.other_project_id, "manager"),
        "outsider": world.outsider,
        "read_only_manager": read_only(world.manager),
        "read_only_admin": read_only(world.admin),
    }


ERROR_CLASS = {"project_mismatch": ProjectMismatch, "project_not_found": NotFound}


GROUPS = {
    "pages": PAGE_CASES,
    "navigation_theme": NAVIGATION_CASES,
    "project_settings": PROJECT_CASES,
    "platform_admin": PLATFORM_ADMIN_CASES,
}


@pytest.mark.parametrize("group", list(GROUPS))
async def test_write_matrix(world: World, group: str) -> None:
    """One table per area: {(use case, caller): error code or None}. A refused call writes nothing."""
    principals = await callers(world)
    got: dict[tuple[str, str], str | None] = {}
    for case in GROUPS[group]:
        # A refused call leaves its target as it was, so the next caller reuses it (and the snapshot);
        # a call that passes consumes it and the next caller gets a fresh one.
        prepared: Any = None
        before: dict[str, Any] | None = None
        fresh = True
        for caller in CALLERS:
            if fresh:
                prepared, before, fresh = await (case.prepare or _nothing)(world), None, False
            if before is None:
                before = await snapshot(world.core, world.project_id)
            try:
                await case.call(world, principals[caller], prepared)
            except DomainError as error:
                got[(case.name, caller)] = error.code
                assert isinstance(error, ERROR_CLASS.get(error.code, Forbidden)), (case.name, caller, error)
                if error.code == "project_not_found":
                    # No data leak: an outsider learns nothing about the project, not even its name.
                    assert world.project_name not in error.message and not error.details
                after = await snapshot(world.core, world.project_id)
                assert after == before, f"{case.name} by {caller} was refused but wrote"
            else:
                got[(case.name, caller)] = None
                fresh = True
    want = {(case.name, caller): expected(caller, case.need) for case in GROUPS[group] for caller in CALLERS}
    assert {k: v for k, v in got.items() if want[k] != v} == {}
    assert got == want


def test_matrix_lists_every_write_use_case() -> None:
    names = [c.name for cases in GROUPS.values() for c in cases]
    assert len(names) == len(set(names)) == 40
    assert {c.need for c in PLATFORM_ADMIN_CASES} == {A}
    assert {c.name for c in PAGE_CASES + NAVIGATION_CASES + PROJECT_CASES if c.need == E} == {
        "create_page",
        "save_draft_new",
        "update_page",
        "save_draft_existing",
        "status_ready",
        "status_draft",
        "visibility",
        "discard_draft",
        "restore_revision",
        "upload_custom_page",
    }


def _view(w: World, p: Principal, _: Any) -> Any:
    return w.core.pages.get_page(p, w.project_id, PageRef(slug="guides/read"))


READ_CASES: list[tuple[str, str, Call]] = [
    ("get_project", "viewer", lambda w, p, _: w.core.projects.get_project(p, w.project_id)),
    ("get_project_state", "viewer", lambda w, p, _: w.core.state.get_project_state(p, w.project_id)),
    ("list_pages", "viewer", lambda w, p, _: w.core.pages.list_pages(p, w.project_id, PageFilter())),
    ("get_page", "viewer", _view),
    (
        "list_revisions",
        "viewer",
        lambda w, p, _: w.core.pages.list_revisions(p, w.project_id, PageRef(slug="guides/read")),
    ),
    (
        "search_docs",
        "viewer",
        lambda w, p, _: w.core.search.search_docs(p, w.project_id, SearchQuery(query="read")),
    ),
    ("get_navigation", "viewer", lambda w, p, _: w.core.navigation.get_navigation(p, w.project_id)),
    ("get_theme", "viewer", lambda w, p, _: w.core.navigation.get_theme(p, w.project_id)),
    ("get_settings", "viewer", lambda w, p, _: w.core.project_settings.get_settings(p, w.project_id)),
    ("list_modules", "viewer", lambda w, p, _: w.core.modules.list_modules(p, w.project_id)),
    ("list_members", "viewer", lambda w, p, _: w.core.members.list_members(p, w.project_id)),
    ("list_domains", "viewer", lambda w, p, _: w.core.members.list_domains(p, w.project_id)),
    (
        "list_doc_templates",
        "viewer",
        lambda w, p, _: w.core.templates.list_project_doc_templates(p, w.project_id),
    ),
    (
        "open_draft",
        "editor",
        lambda w, p, _: w.core.editing.open_draft(p, w.project_id, DraftOpen(slug="guides/read")),
    ),
    (
        "search_drafts",
        "viewer",  # viewers read drafts (SPEC §2), so they may search them
        lambda w, p, _: w.core.search.search_docs(
            p, w.project_id, SearchQuery(query="read", include_drafts=True)
        ),
    ),
    ("list_keys", "manager", lambda w, p, _: w.core.keys.list_keys(p, w.project_id)),
    ("list_audit", "manager", lambda w, p, _: w.core.projects.list_audit(p, w.project_id)),
]


async def test_read_matrix(world: World) -> None:
    """Reads: every member role at or above the need passes, read-only credentials included."""
    principals = await callers(world)
    page = await create_page(world, "guides/read", content="Something to read")
    await make_live(world.core, page.path)
    rank = {
        "viewer": 1,
        "editor": 2,
        "key_editor": 2,
        "manager": 3,
        "key_manager": 3,
        "admin": 3,
        "read_only_manager": 3,
        "read_only_admin": 3,
    }
    table = {}
    for name, _need, call in READ_CASES:
        for caller in CALLERS:
            try:
                await call(world, principals[caller], None)
                table[(name, caller)] = None
            except DomainError as error:
                table[(name, caller)] = error.code
    want = {}
    for name, need, _ in READ_CASES:
        for caller in CALLERS:
            if caller == "foreign_key":
                want[(name, caller)] = "project_mismatch"
            elif caller == "outsider":
                want[(name, caller)] = "project_not_found"
            else:
                want[(name, caller)] = (
                    None if rank[caller] >= {"viewer": 1, "editor": 2, "manager": 3}[need] else "role_too_low"
                )
    assert table == want


async def test_outsider_cannot_tell_a_hidden_project_from_a_missing_one(world: World) -> None:
    hidden = missing = None
    try:
        await world.core.projects.get_project(world.outsider, world.project_id)
    except NotFound as error:
        hidden = error
    try:
        await world.core.projects.get_project(world.outsider, "prj_doesnotexist")
    except NotFound as error:
        missing = error
    assert hidden is not None and missing is not None
    assert hidden.code == missing.code == "project_not_found"
    assert hidden.message.replace(world.project_id, "X") == missing.message.replace("prj_doesnotexist", "X")
    assert hidden.details == missing.details == {}


async def test_page_of_another_project_is_not_found_by_path(world: World) -> None:
    """A member of project A naming a page id of project B gets page_not_found, never the page."""
    theirs = await world.core.editing.create_page(
        world.outsider, world.other_project_id, PageCreate(slug="secret", title="Their secret page")
    )
    with pytest.raises(NotFound) as info:
        await world.core.pages.get_page(world.manager, world.project_id, PageRef(path=theirs.page.path))
    assert info.value.code == "page_not_found" and "Their secret page" not in info.value.message
    with pytest.raises(NotFound):
        await world.core.pages.delete_page(
            world.manager, world.project_id, PageRef(path=theirs.page.path), world.project_name
        )
    still = await world.core.pages.get_page(
        world.outsider, world.other_project_id, PageRef(path=theirs.page.path)
    )
    assert still.title == "Their secret page"


async def test_delete_project_roles(world: World) -> None:
    """Project delete needs the manager role and the name echo; platform admins pass too."""
    core = world.core
    principals = await callers(world)
    for caller in (
        "viewer",
        "editor",
        "key_editor",
        "foreign_key",
        "outsider",
        "read_only_manager",
        "read_only_admin",
    ):
        before = await snapshot(core, world.project_id)
        with pytest.raises(DomainError) as info:
            await core.projects.delete_project(principals[caller], world.project_id, world.project_name)
        assert info.value.code == expected(caller, M), caller
        assert await snapshot(core, world.project_id) == before
    await core.projects.delete_project(principals["manager"], world.project_id, world.project_name)
    with pytest.raises(NotFound):
        await core.projects.get_project(world.manager, world.project_id)

    doomed = await core.projects.create_project(world.manager, ProjectCreate(name="Doomed Co"))
    await core.projects.delete_project(world.admin, doomed.id, "doomed co")
    assert [p.id for p in await core.projects.list_my_projects(world.manager)] == []


async def test_keys_cannot_create_projects(world: World) -> None:
    key = await key_principal(world.core, world.manager, world.project_id, "manager")
    with pytest.raises(Forbidden) as info:
        await world.core.projects.create_project(key, ProjectCreate(name="Sneaky"))
    assert info.value.code == "user_only"
    with pytest.raises(Forbidden) as info:
        await world.core.projects.create_project(read_only(world.manager), ProjectCreate(name="Sneaky"))
    assert info.value.code == "read_only_scope"

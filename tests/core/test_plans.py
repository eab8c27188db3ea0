"""Plans: an expired trial pauses writes (reads keep working); quotas refuse the call that would overrun."""

from __future__ import annotations

from datetime import timedelta

from comstack_core.errors import Forbidden, InvalidInput, QuotaExceeded, TrialExpired
from comstack_core.models import Project
from comstack_core.rules.templates import QUOTA_NAMES
from comstack_core.schemas import (
    CustomPageUpload,
    HeaderNavItemInput,
    KeyCreate,
    MemberAdd,
    NavigationUpdate,
    PageCreate,
    PageFilter,
    PageRef,
    PageStatusUpdate,
    PageUpdate,
    PlanUpdate,
    Quotas,
    SearchQuery,
    SettingsUpdate,
    ThemeUpdate,
)

from ..conftest import FakeClock, World, make_user
from .test_support import LONG_DESCRIPTION, create_page, expect, make_live, snapshot


async def test_new_project_starts_a_trial_from_its_template(world: World, clock: FakeClock) -> None:
    project = await world.core.projects.get_project(world.manager, world.project_id)
    assert project.plan.tier == "trial"
    assert project.plan.trial_ends_at == clock.now + timedelta(days=14)
    assert project.plan.quotas.model_dump() == {
        "max_pages": 200,
        "max_locales": 2,
        "max_members": 3,
        "max_numbers": 0,
        "max_keys": 3,
        "max_sessions_per_day": 20,
        "max_image_mb": 200,
    }


async def test_expired_trial_refuses_writes_but_reads_work(world: World, clock: FakeClock) -> None:
    core, pid = world.core, world.project_id
    page = await create_page(world, "guides/intro", content="Widgets explained")
    await make_live(core, page.path)
    clock.advance(days=14, seconds=1)
    before = await snapshot(core, pid)

    writes = [
        core.editing.create_page(world.editor, pid, PageCreate(slug="late", title="Too late")),
        core.editing.update_page(
            world.editor, pid, PageRef(path=page.path), PageUpdate(base_version=1, content="x")
        ),
        core.pages.set_page_status(
            world.manager,
            pid,
            PageRef(path=page.path),
            PageStatusUpdate(status="unpublished", project_name=world.project_name),
        ),
        core.pages.delete_page(world.manager, pid, PageRef(path=page.path), world.project_name),
        core.custom_pages.upload_custom_page(
            world.editor,
            pid,
            CustomPageUpload(
                project_name=world.project_name,
                slug="landing",
                title="A landing page",
                description=LONG_DESCRIPTION,
                body="<h1>Hi</h1>",
            ),
        ),
        core.project_settings.update_settings(world.manager, pid, SettingsUpdate(site={"description": "x"})),
        core.navigation.update_navigation(
            world.manager,
            pid,
            NavigationUpdate(header_nav_items=[HeaderNavItemInput(label={"en": "Home"}, target="index")]),
        ),
        core.navigation.update_theme(world.manager, pid, ThemeUpdate(project_name=world.project_name)),
        core.keys.create_key(world.manager, pid, KeyCreate()),
        # Platform admins are subject to the plan too: it is the project that is paused.
        core.editing.create_page(world.admin, pid, PageCreate(slug="admin-late", title="Too late")),
    ]
    for call in writes:
        error = await expect(TrialExpired, "trial_expired", call)
        assert "Upgrade the plan" in error.message
    assert await snapshot(core, pid) == before

    # Reads keep working.
    assert (await core.projects.get_project(world.viewer, pid)).name == world.project_name
    assert [p.slug for p in (await core.pages.list_pages(world.viewer, pid, PageFilter())).pages] == [
        "guides/intro"
    ]
    assert (
        await core.pages.get_page(world.viewer, pid, PageRef(slug="guides/intro"))
    ).content == "Widgets explained"
    hits = await core.search.search_docs(world.viewer, pid, SearchQuery(query="widgets"))
    assert [h.slug for h in hits.hits] == ["guides/intro"]
    assert (await core.state.get_project_state(world.viewer, pid)).counts.live == 1

    # Upgrading (platform admin; allowed on an expired project) lifts the pause.
    upgraded = await core.plans.update_plan(world.admin, pid, PlanUpdate(tier="standard"))
    assert upgraded.plan.tier == "standard" and upgraded.plan.quotas.max_pages == 5000
    saved = await core.editing.create_page(world.editor, pid, PageCreate(slug="late", title="Not too late"))
    assert saved.page.status == "draft"


async def test_trial_boundaries(world: World, clock: FakeClock) -> None:
    # The trial ends to the second ...
    clock.advance(days=14, seconds=-1)
    await create_page(world, "still-open")
    clock.advance(seconds=1)
    await expect(TrialExpired, "trial_expired", create_page(world, "closed"))
    # ... an admin extending it reopens writes ...
    await world.core.plans.update_plan(
        world.admin, world.project_id, PlanUpdate(trial_ends_at=clock.now + timedelta(days=7))
    )
    assert (await create_page(world, "closed")).slug == "closed"
    # ... and the standard tier never expires.
    await world.core.plans.update_plan(world.admin, world.project_id, PlanUpdate(tier="standard"))
    clock.advance(days=400)
    assert (await create_page(world, "much-later")).status == "draft"


async def test_max_pages(world: World) -> None:
    core, pid = world.core, world.project_id
    await core.plans.update_plan(world.admin, pid, PlanUpdate(quotas={"max_pages": 2}))
    await create_page(world, "one")
    await core.custom_pages.upload_custom_page(
        world.editor,
        pid,
        CustomPageUpload(
            project_name=world.project_name,
            slug="two",
            title="The second page",
            description=LONG_DESCRIPTION,
            body="<h1>Two</h1>",
        ),
    )
    before = await snapshot(core, pid)
    error = await expect(QuotaExceeded, "quota_exceeded", create_page(world, "three"))
    assert error.details == {"quota": "max_pages", "limit": 2, "used": 2}
    assert "max_pages" in error.message
    await expect(
        QuotaExceeded,
        "quota_exceeded",
        core.custom_pages.upload_custom_page(
            world.editor,
            pid,
            CustomPageUpload(
                project_name=world.project_name,
                slug="three",
                title="The third page",
                description=LONG_DESCRIPTION,
                body="<h1>Three</h1>",
            ),
        ),
    )
    assert {k: v for k, v in (await snapshot(core, pid)).items() if k != "project"} == {
        k: v for k, v in before.items() if k != "project"
    }
    # Editing existing pages is not creating: still allowed at the limit.
    saved = await core.editing.update_page(
        world.editor, pid, PageRef(slug="one"), PageUpdate(base_version=1, content="more")
    )
    assert saved.changed


async def test_max_members(world: World) -> None:
    core, pid = world.core, world.project_id
    # The trial allows 3 members: manager, editor and viewer already fill it.
    await make_user(core, "fourth@example.com")
    error = await expect(
        QuotaExceeded,
        "quota_exceeded",
        core.members.add_member(world.manager, pid, MemberAdd(email="fourth@example.com")),
    )
    assert error.details == {"quota": "max_members", "limit": 3, "used": 3}
    assert len(await core.members.list_members(world.manager, pid)) == 3
    await core.plans.update_plan(world.admin, pid, PlanUpdate(quotas={"max_members": 4}))
    added = await core.members.add_member(
        world.manager, pid, MemberAdd(email="fourth@example.com", role="viewer")
    )
    assert added.role == "viewer"


async def test_max_keys_counts_active_keys(world: World) -> None:
    core, pid = world.core, world.project_id
    keys = [await core.keys.create_key(world.manager, pid, KeyCreate(name=f"k{i}")) for i in range(3)]
    error = await expect(
        QuotaExceeded, "quota_exceeded", core.keys.create_key(world.manager, pid, KeyCreate())
    )
    assert error.details == {"quota": "max_keys", "limit": 3, "used": 3}
    assert len(await core.keys.list_keys(world.manager, pid)) == 3
    await core.keys.revoke_key(world.manager, pid, keys[0].id)
    again = await core.keys.create_key(world.manager, pid, KeyCreate(name="replacement"))
    assert again.name == "replacement"


async def test_max_locales(world: World) -> None:
    core, pid = world.core, world.project_id
    # Trial: two locales. The default plus one more fits ...
    view = await core.project_settings.update_settings(
        world.manager, pid, SettingsUpdate(knowledge_locales=["en", "de"], custom_page_locales=["en", "de"])
    )
    assert view.locales == ["en", "de"]
    before = await snapshot(core, pid)
    # ... a third does not, whichever module asks for it.
    error = await expect(
        QuotaExceeded,
        "quota_exceeded",
        core.project_settings.update_settings(
            world.manager, pid, SettingsUpdate(custom_page_locales=["en", "de", "fr"])
        ),
    )
    assert error.details == {"quota": "max_locales", "limit": 2, "used": 0}
    assert "max_locales" in error.message
    assert await snapshot(core, pid) == before
    await core.plans.update_plan(world.admin, pid, PlanUpdate(quotas={"max_locales": 3}))
    view = await core.project_settings.update_settings(
        world.manager, pid, SettingsUpdate(custom_page_locales=["en", "de", "fr"])
    )
    assert view.locales == ["en", "de", "fr"]


async def test_unknown_quota_and_non_admin_plan_change(world: World) -> None:
    await expect(
        InvalidInput,
        "unknown_quota",
        world.core.plans.update_plan(world.admin, world.project_id, PlanUpdate(quotas={"max_widgets": 1})),
    )
    await expect(
        Forbidden,
        "platform_admin_only",
        world.core.plans.update_plan(world.manager, world.project_id, PlanUpdate(tier="standard")),
    )
    project = await world.core.projects.get_project(world.manager, world.project_id)
    assert project.plan.tier == "trial"
    async with world.core.db.read() as session:  # the view only shows known quotas: look at what was stored
        stored = await session.get_one(Project, world.project_id)
    assert "max_widgets" not in stored.plan["quotas"]


def test_the_plan_view_names_every_quota() -> None:
    assert tuple(Quotas.model_fields) == QUOTA_NAMES

"""Templates (SPEC §4): built-ins, platform-admin CRUD, soft delete, per-project assignment."""

from __future__ import annotations

from comstack_core.errors import Conflict, Forbidden, InvalidInput, NotFound
from comstack_core.rules.templates import BUILTIN_DOC_TEMPLATES
from comstack_core.schemas import (
    CustomPageUpload,
    DocTemplateCreate,
    DocTemplateUpdate,
    FieldDef,
    ModuleSettings,
    ModuleUpdate,
    PageRef,
    PageUpdate,
    ProjectCreate,
    ProjectTemplateCreate,
    ProjectTemplatesUpdate,
    ProjectTemplateUpdate,
    TemplateAssignment,
)

from ..conftest import World
from .test_support import audit_rows, create_page, expect, read_only, snapshot


async def test_builtins_exist(world: World) -> None:
    docs = {t.id: t for t in await world.core.templates.list_doc_templates(world.viewer)}
    assert set(docs) == {"docs", "blog", "product", "faq", "custom-page"}
    assert all(t.builtin and not t.deleted for t in docs.values())
    assert [(f.name, f.type, f.required) for f in docs["blog"].fields] == [
        ("author", "string", True),
        ("published", "date", True),
        ("tags", "array", False),
    ]
    assert (docs["product"].schema_org_type, docs["faq"].schema_org_type) == ("Product", "FAQPage")
    projects = {t.id: t for t in await world.core.templates.list_project_templates(world.viewer)}
    assert set(projects) == {"knowledge-site", "business-voice"}
    assert projects["knowledge-site"].doc_template_ids == ["docs", "blog", "faq", "custom-page"]
    assert "voice_web" in projects["business-voice"].default_modules
    assert projects["business-voice"].quotas["standard"]["max_pages"] == 5000
    # ensure_builtins never overwrites an admin's edit.
    await world.core.templates.update_doc_template(world.admin, "docs", DocTemplateUpdate(description="Ours"))
    await world.core.templates.ensure_builtins()
    assert (await world.core.templates.get_doc_template(world.viewer, "docs")).description == "Ours"
    assert len(BUILTIN_DOC_TEMPLATES) == 5


async def test_doc_template_crud_is_platform_admin_only(world: World) -> None:
    core = world.core
    data = DocTemplateCreate(
        id="recipe",
        name="Recipe",
        schema_org_type="Recipe",
        fields=[
            FieldDef(name="servings", type="number", required=True, schema_org="recipeYield"),
            FieldDef(name="vegan", type="boolean"),
        ],
    )
    for who in (world.manager, world.editor, world.outsider, read_only(world.admin)):
        await expect(
            Forbidden,
            "read_only_scope" if who.is_platform_admin else "platform_admin_only",
            core.templates.create_doc_template(who, data),
        )
    await expect(NotFound, "template_not_found", core.templates.get_doc_template(world.viewer, "recipe"))

    created = await core.templates.create_doc_template(world.admin, data)
    assert (created.id, created.builtin, created.deleted, [f.name for f in created.fields]) == (
        "recipe",
        False,
        False,
        ["servings", "vegan"],
    )
    await expect(Conflict, "template_exists", core.templates.create_doc_template(world.admin, data))
    await expect(
        InvalidInput,
        "invalid_template_id",
        core.templates.create_doc_template(world.admin, DocTemplateCreate(id="Bad Id", name="x")),
    )
    await expect(
        InvalidInput,
        "invalid_template",
        core.templates.create_doc_template(
            world.admin,
            DocTemplateCreate(
                id="dupes",
                name="x",
                fields=[FieldDef(name="a", type="string"), FieldDef(name="a", type="number")],
            ),
        ),
    )
    await expect(
        InvalidInput,
        "invalid_template",
        core.templates.create_doc_template(
            world.admin,
            DocTemplateCreate(id="badfield", name="x", fields=[FieldDef(name="Bad-Name", type="string")]),
        ),
    )

    await expect(
        Forbidden,
        "platform_admin_only",
        core.templates.update_doc_template(world.manager, "recipe", DocTemplateUpdate(name="Mine")),
    )
    updated = await core.templates.update_doc_template(
        world.admin,
        "recipe",
        DocTemplateUpdate(name="Recipe card", fields=[FieldDef(name="servings", type="number")]),
    )
    assert updated.name == "Recipe card" and [f.required for f in updated.fields] == [False]
    await expect(
        Forbidden, "platform_admin_only", core.templates.delete_doc_template(world.manager, "recipe")
    )
    deleted = await core.templates.delete_doc_template(world.admin, "recipe")
    assert deleted.deleted
    assert "recipe" not in {t.id for t in await core.templates.list_doc_templates(world.viewer)}
    assert {
        t.id: t.deleted for t in await core.templates.list_doc_templates(world.viewer, include_deleted=True)
    }["recipe"]
    await expect(
        NotFound,
        "template_not_found",
        core.templates.update_doc_template(world.admin, "recipe", DocTemplateUpdate(name="Back")),
    )
    await expect(NotFound, "template_not_found", core.templates.delete_doc_template(world.admin, "recipe"))
    await expect(
        Conflict, "template_required", core.templates.delete_doc_template(world.admin, "custom-page")
    )
    actions = [
        r.action for r in await audit_rows(core) if r.project_id is None and r.action.startswith("doc_")
    ]
    assert sorted(actions) == ["doc_template.create", "doc_template.delete", "doc_template.update"]


async def test_soft_delete_keeps_existing_pages_working(world: World) -> None:
    core, pid = world.core, world.project_id
    faq = await create_page(world, "faq/billing", doc_template_id="faq", metadata={"questions": [{"q": "?"}]})
    await core.templates.delete_doc_template(world.admin, "faq")
    # The page still reads, edits and validates against its template's fields ...
    view = await core.pages.get_page(world.editor, pid, PageRef(path=faq.path))
    assert view.doc_template_id == "faq"
    saved = await core.editing.update_page(
        world.editor, pid, PageRef(path=faq.path), PageUpdate(base_version=1, content="Answers")
    )
    assert saved.changed and saved.page.doc_template_id == "faq"
    await expect(
        InvalidInput,
        "invalid_metadata",
        core.editing.update_page(
            world.editor,
            pid,
            PageRef(path=faq.path),
            PageUpdate(base_version=2, metadata={"questions": "no"}),
        ),
    )
    # ... but no new page can use it, and the project no longer offers it.
    before = await snapshot(core, pid)
    await expect(InvalidInput, "unknown_template", create_page(world, "faq/new", doc_template_id="faq"))
    assert await snapshot(core, pid) == before
    assert [t.id for t in await core.templates.list_project_doc_templates(world.viewer, pid)] == [
        "docs",
        "blog",
        "custom-page",
    ]
    state = await core.state.get_project_state(world.viewer, pid)
    assert [t.id for t in state.templates] == ["docs", "blog", "custom-page"]


async def test_project_doc_templates_limited_to_the_allowed_ones(world: World) -> None:
    core, pid = world.core, world.project_id
    before = await snapshot(core, pid)
    error = await expect(
        Forbidden,
        "template_not_allowed",
        core.templates.set_project_doc_templates(
            world.manager, pid, ProjectTemplatesUpdate(doc_template_ids=["docs", "product"])
        ),
    )
    assert "product" in error.message and "blog, custom-page, docs, faq" in error.message
    await expect(
        Forbidden,
        "role_too_low",
        core.templates.set_project_doc_templates(
            world.editor, pid, ProjectTemplatesUpdate(doc_template_ids=["docs"])
        ),
    )
    assert await snapshot(core, pid) == before

    chosen = await core.templates.set_project_doc_templates(
        world.manager, pid, ProjectTemplatesUpdate(doc_template_ids=["blog", "docs", "blog"])
    )
    assert [t.id for t in chosen] == ["blog", "docs"]
    assert (await core.projects.get_project(world.viewer, pid)).doc_template_ids == ["blog", "docs"]
    await expect(InvalidInput, "unknown_template", create_page(world, "faq/x", doc_template_id="faq"))
    assert (await create_page(world, "blog/x", doc_template_id="blog")).doc_template_id == "blog"

    await core.templates.delete_doc_template(world.admin, "faq")
    await expect(
        InvalidInput,
        "unknown_template",
        core.templates.set_project_doc_templates(
            world.manager, pid, ProjectTemplatesUpdate(doc_template_ids=["faq"])
        ),
    )


async def test_project_template_crud_and_assignment(world: World) -> None:
    core = world.core
    data = ProjectTemplateCreate(
        id="shop",
        name="Shop",
        doc_template_ids=["docs", "product"],
        module_ids=["knowledge_base", "website"],
        default_modules=["knowledge_base"],
        quotas={"trial": {"max_pages": 5}},
        trial_days=7,
    )
    await expect(
        Forbidden, "platform_admin_only", core.templates.create_project_template(world.manager, data)
    )
    created = await core.templates.create_project_template(world.admin, data)
    assert (created.id, created.trial_days, created.builtin) == ("shop", 7, False)
    await expect(Conflict, "template_exists", core.templates.create_project_template(world.admin, data))
    for bad, code in [
        ({"doc_template_ids": ["nope"]}, "unknown_template"),
        ({"module_ids": ["teleport"]}, "unknown_module"),
        ({"default_modules": ["website", "api_keys"]}, "invalid_template"),
        ({"quotas": {"gold": {}}}, "invalid_template"),
        ({"quotas": {"trial": {"max_widgets": 1}}}, "invalid_template"),
    ]:
        await expect(
            InvalidInput,
            code,
            core.templates.create_project_template(
                world.admin, data.model_copy(update={"id": "shop2", **bad})
            ),
        )
    updated = await core.templates.update_project_template(
        world.admin, "shop", ProjectTemplateUpdate(trial_days=30)
    )
    assert updated.trial_days == 30
    await expect(
        InvalidInput,
        "unknown_module",
        core.templates.update_project_template(
            world.admin, "shop", ProjectTemplateUpdate(module_ids=["teleport"])
        ),
    )

    # A project made from it gets its modules, doc templates, quotas and trial length.
    shop = await core.projects.create_project(
        world.manager, ProjectCreate(name="Widget Shop", template_id="shop")
    )
    assert shop.modules == {"knowledge_base": ModuleSettings(enabled=True, locales=["en"])}
    assert shop.doc_template_ids == ["docs", "product"]
    assert shop.plan.quotas.max_pages == 5 and shop.plan.quotas.max_keys == 0
    await expect(
        Forbidden,
        "module_not_allowed",
        core.modules.configure_module(world.manager, shop.id, "api_keys", ModuleUpdate(enabled=True)),
    )

    # Moving the project to another template (platform admin): modules it does not allow are switched off.
    await expect(
        Forbidden,
        "platform_admin_only",
        core.templates.assign_project_template(world.manager, world.project_id, "shop"),
    )
    moved = await core.templates.assign_project_template(world.admin, world.project_id, "shop")
    assert moved == TemplateAssignment(
        project_id=world.project_id, project_template_id="shop", doc_template_ids=["docs"]
    )
    project = await core.projects.get_project(world.manager, world.project_id)
    assert {name: cfg.enabled for name, cfg in project.modules.items()} == {
        "knowledge_base": True,
        "custom_pages": False,
        "website": True,
        "api_keys": False,
    }
    await expect(
        NotFound,
        "template_not_found",
        core.templates.assign_project_template(world.admin, world.project_id, "nope"),
    )
    await expect(
        InvalidInput,
        "unknown_template",
        core.projects.create_project(world.manager, ProjectCreate(name="X", template_id="nope")),
    )
    await core.templates.create_doc_template(world.admin, DocTemplateCreate(id="extra", name="Extra"))
    assert (await core.templates.get_doc_template(world.viewer, "extra")).name == "Extra"
    await expect(
        Forbidden,
        "platform_admin_only",
        core.templates.update_project_template(world.editor, "shop", ProjectTemplateUpdate(trial_days=1)),
    )
    assert (await create_page(world, "still-docs")).doc_template_id == "docs"
    await expect(InvalidInput, "unknown_template", create_page(world, "blog/no", doc_template_id="blog"))
    await expect(
        Forbidden,
        "module_disabled",
        core.custom_pages.upload_custom_page(
            world.editor,
            world.project_id,
            CustomPageUpload(
                project_name=world.project_name,
                slug="p",
                title="A custom page",
                description="d" * 60,
                body="<h1>x</h1>",
            ),
        ),
    )

"""A proposed draft is a real draft page: saved through the same editing service as every other page,
with the project's templates, locales and slugs passed in, on SQLite and PostgreSQL."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from comstack_core.ingest import IngestedDraft, ProposedDraft, extract_page, page_create
from comstack_core.schemas import PageRef, PageStatusUpdate

from ...conftest import World

CORPUS = Path(__file__).parent / "corpus"
PAGES = {p["file"]: p for p in tomllib.loads((CORPUS / "expected.toml").read_text(encoding="utf-8"))["page"]}


async def propose(world: World, name: str) -> ProposedDraft:
    """What the extract route will do: the project's templates, locales and slugs, then extract."""
    core, who = world.core, world.editor
    templates = await core.templates.list_project_doc_templates(who, world.project_id)
    settings = await core.project_settings.get_settings(who, world.project_id)
    taken = {p.slug for p in (await core.pages.list_pages(who, world.project_id)).pages}
    page: dict[str, Any] = PAGES[name]
    html = (CORPUS / name).read_text(encoding="utf-8")
    return extract_page(
        page["url"], html, page["captured"], templates=templates, locales=settings.locales, taken_slugs=taken
    )


async def test_proposed_drafts_save_as_pages_and_can_be_approved(world: World) -> None:
    core = world.core
    for name in ("blog-post.html", "faq-jsonld.html", "api-reference-tables-code.html"):
        draft = await propose(world, name)
        saved = await core.editing.create_page(world.editor, world.project_id, page_create(draft.as_draft(), draft.metadata))
        assert saved.missing_required == [] and saved.page.status == "draft"
        page = await core.pages.get_page(world.editor, world.project_id, PageRef(path=saved.page.path))
        assert (page.title, page.slug, page.language) == (draft.title, draft.slug, "en")
        assert page.doc_template_id == PAGES[name]["template"]
        assert page.content == draft.content
        assert page.metadata == {**draft.fields, "ingested_from": {"url": PAGES[name]["url"], **(
            {"canonical_url": draft.metadata.canonical_url} if draft.metadata.canonical_url else {})}}
        approved = await core.pages.set_page_status(
            world.editor, world.project_id, PageRef(path=saved.page.path),
            PageStatusUpdate(status="ready", project_name=world.project_name),
        )
        assert approved.status == "ready"


async def test_the_same_page_again_gets_a_free_slug(world: World) -> None:
    first = await propose(world, "docs-install.html")
    await world.core.editing.create_page(world.editor, world.project_id, page_create(first.as_draft()))
    second = await propose(world, "docs-install.html")
    assert (first.slug, second.slug) == ("guides/install", "guides/install-2")
    saved = await world.core.editing.create_page(world.editor, world.project_id, page_create(second.as_draft()))
    assert saved.page.slug == "guides/install-2"


async def test_only_the_projects_templates_and_locales_are_proposed(world: World) -> None:
    # The knowledge-site project has no product template: a product page becomes a docs page.
    product = await propose(world, "product-jsonld.html")
    assert product.suggested_template.id == "docs" and product.fields == {}
    # The project is English only: a Spanish page is proposed in English, with a note saying why.
    spanish = await propose(world, "es-help-article.html")
    assert spanish.language == "en" and spanish.metadata.page_language == "es"
    assert any("not one of the project's locales" in note for note in spanish.notes)


async def test_an_edited_draft_saves_as_edited(world: World) -> None:
    proposed = await propose(world, "og-only-newsletter.html")
    edited = IngestedDraft(**{**proposed.as_draft().model_dump(), "title": "Grafting apples",
                              "slug": "blog/grafting", "fields": {**proposed.fields, "tags": ["apples"]}})
    saved = await world.core.editing.create_page(world.editor, world.project_id, page_create(edited, proposed.metadata))
    page = await world.core.pages.get_page(world.editor, world.project_id, PageRef(path=saved.page.path))
    assert (page.title, page.slug, page.metadata["tags"]) == ("Grafting apples", "blog/grafting", ["apples"])
    assert page.metadata["author"] == "Ruth Adeyemi"

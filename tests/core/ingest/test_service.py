"""The ingest use cases with storage: capture (deduplicated), extract, save through the editing service,
ingested drafts, delete; and every refusal leaves nothing stored. SQLite and PostgreSQL."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from sqlmodel import func, select

from comstack_core.errors import DomainError, Forbidden, InvalidInput, NotFound, PayloadTooLarge
from comstack_core.ingest import CaptureRequest, ExtractRequest, IngestedDraft, SaveRequest
from comstack_core.ingest.views import IngestHtml
from comstack_core.models import AuditEntry, Capture, Page
from comstack_core.schemas import ModuleUpdate, PageRef, PageUpdate

from ...conftest import World

CORPUS = Path(__file__).parent / "corpus"
PAGES = {p["file"]: p for p in tomllib.loads((CORPUS / "expected.toml").read_text(encoding="utf-8"))["page"]}
URL = "https://help.example.com/articles/reset?utm_source=mail"
ARTICLE = (
    "<!doctype html><html lang='en'><head><title>Reset your password | Help</title></head><body>"
    "<nav><a href='/'>Home</a> <a href='/pricing'>Pricing</a></nav><main><article><h1>Reset your password</h1>"
    "<p>Open the sign-in page and choose Forgot password. We send a link that works for one hour.</p>"
    "<p>Follow the link and type a new password twice; it must have at least twelve characters.</p>"
    "</article></main></body></html>"
)


async def switch_on(world: World) -> None:
    await world.core.modules.configure_module(
        world.manager, world.project_id, "chrome_ingest", ModuleUpdate(enabled=True)
    )


async def counts(world: World) -> tuple[int, int, int]:
    """Captures, pages and ingest audit rows: what a refusal must leave as it was."""
    async with world.core.db.read() as session:
        captures = (await session.exec(select(func.count()).select_from(Capture))).one()
        pages = (await session.exec(select(func.count()).select_from(Page))).one()
        audits = (
            await session.exec(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action.startswith("ingest."))  # type: ignore[attr-defined]
            )
        ).one()
    return captures, pages, audits


async def test_capture_extract_save_and_list(world: World) -> None:
    await switch_on(world)
    ingest, who, pid = world.core.ingest, world.editor, world.project_id
    captured = await ingest.capture(who, pid, CaptureRequest(url=URL, html=ARTICLE, title="Reset your password | Help"))
    assert (captured.already_imported, captured.page) == (False, None)
    assert captured.normalized_url == "https://help.example.com/articles/reset"
    proposed = await ingest.extract(who, pid, ExtractRequest(capture_id=captured.capture_id))
    assert proposed.capture_id == captured.capture_id
    assert (proposed.title, proposed.slug, proposed.language) == ("Reset your password", "articles/reset", "en")
    assert "works for one hour" in proposed.content and "Pricing" not in proposed.content

    saved = await ingest.save(who, pid, SaveRequest(capture_id=captured.capture_id, draft=proposed.as_draft()))
    assert saved.created and saved.changed and saved.page.status == "draft"
    assert saved.draft_url == f"http://testserver/api/projects/{pid}/docs/{saved.page.path}/preview"
    page = await world.core.pages.get_page(who, pid, PageRef(path=saved.page.path))
    assert (page.title, page.content) == (proposed.title, proposed.content)
    assert page.metadata["ingested_from"] == {"url": "https://help.example.com/articles/reset?utm_source=mail"}
    revisions = await world.core.pages.list_revisions(who, pid, PageRef(path=saved.page.path))
    assert [r.note for r in revisions] == ["created"]

    listed = await ingest.list_drafts(who, pid)
    assert [(d.capture_id, d.page.path, d.page.title) for d in listed.drafts] == [
        (captured.capture_id, saved.page.path, "Reset your password")
    ]

    # The same page again (another tracking parameter): the same capture, which knows its page.
    again = await ingest.capture(who, pid, CaptureRequest(url=URL.replace("mail", "web"), html=ARTICLE + "<!-- 2 -->"))
    assert again.capture_id == captured.capture_id and again.already_imported
    assert again.page is not None and (again.page.path, again.page.title) == (saved.page.path, "Reset your password")
    assert again.html_bytes == len(ARTICLE) + len("<!-- 2 -->")
    # Its extract proposes the page's own slug, and saving it updates that page with a new draft.
    reproposed = await ingest.extract(who, pid, ExtractRequest(capture_id=captured.capture_id))
    assert reproposed.slug == "articles/reset"
    edited = IngestedDraft(**{**reproposed.as_draft().model_dump(), "title": "Resetting a password"})
    resaved = await ingest.save(who, pid, SaveRequest(capture_id=captured.capture_id, draft=edited))
    assert (resaved.created, resaved.page.path, resaved.page.title) == (False, saved.page.path, "Resetting a password")
    revisions = await world.core.pages.list_revisions(who, pid, PageRef(path=saved.page.path))
    assert len(revisions) == 2
    # A different slug makes a second page, and the capture follows it.
    other = IngestedDraft(**{**edited.model_dump(), "slug": "guides/reset"})
    second = await ingest.save(who, pid, SaveRequest(capture_id=captured.capture_id, draft=other))
    assert second.created and second.page.path != saved.page.path
    assert [d.page.path for d in (await ingest.list_drafts(who, pid)).drafts] == [second.page.path]

    deleted = await ingest.delete_capture(who, pid, captured.capture_id)
    assert deleted.page_kept == second.page.path
    assert (await ingest.list_drafts(who, pid)).drafts == []
    assert (await world.core.pages.get_page(who, pid, PageRef(path=second.page.path))).title == "Resetting a password"
    with pytest.raises(NotFound):
        await ingest.extract(who, pid, ExtractRequest(capture_id=captured.capture_id))


async def test_published_pages_leave_the_drafts_list(world: World) -> None:
    await switch_on(world)
    ingest, pid = world.core.ingest, world.project_id
    proposal = await ingest.ingest_html(world.editor, pid, IngestHtml(url=URL, html=ARTICLE))
    saved = await ingest.save(
        world.editor, pid, SaveRequest(capture_id=proposal.capture.capture_id, draft=proposal.draft.as_draft())
    )
    page = await world.core.pages.get_page(world.editor, pid, PageRef(path=saved.page.path))
    await world.core.editing.update_page(
        world.editor, pid, PageRef(path=page.path), PageUpdate(base_version=page.version, description="x" * 60)
    )
    assert [d.page.status for d in (await ingest.list_drafts(world.editor, pid)).drafts] == ["draft"]
    async with world.core.db.write() as session:  # as publishing leaves it: a live revision
        row = await session.get_one(Page, page.path)
        row.live_revision_id, row.draft_revision_id = row.draft_revision_id, None
        session.add(row)
    assert (await ingest.list_drafts(world.editor, pid)).drafts == []


async def test_faq_fields_from_json_ld_are_saved(world: World) -> None:
    await switch_on(world)
    name = "faq-jsonld.html"
    html = (CORPUS / name).read_text(encoding="utf-8")
    proposal = await world.core.ingest.ingest_html(
        world.editor, world.project_id, IngestHtml(url=PAGES[name]["url"], html=html, title=PAGES[name]["captured"])
    )
    assert proposal.draft.doc_template_id == "faq" and proposal.draft.fields
    saved = await world.core.ingest.save(
        world.editor, world.project_id,
        SaveRequest(capture_id=proposal.capture.capture_id, draft=proposal.draft.as_draft()),
    )
    assert saved.missing_required == []
    page = await world.core.pages.get_page(world.editor, world.project_id, PageRef(path=saved.page.path))
    assert page.doc_template_id == "faq"
    assert {k: v for k, v in page.metadata.items() if k != "ingested_from"} == proposal.draft.fields


async def refused(world: World, call: object) -> DomainError:
    before = await counts(world)
    with pytest.raises(DomainError) as caught:
        await call  # type: ignore[misc]
    assert await counts(world) == before
    return caught.value


async def test_refusals_store_nothing(world: World) -> None:
    ingest, pid = world.core.ingest, world.project_id
    good = CaptureRequest(url=URL, html=ARTICLE)
    # Module off: 403 for every step.
    error = await refused(world, ingest.capture(world.editor, pid, good))
    assert error.code == "module_disabled" and isinstance(error, Forbidden)
    await switch_on(world)
    assert (await refused(world, ingest.capture(world.viewer, pid, good))).code == "role_too_low"
    assert (await refused(world, ingest.capture(world.outsider, pid, good))).code == "project_not_found"
    too_big = CaptureRequest(url=URL, html=ARTICLE + "<!--" + "x" * (1024 * 1024) + "-->")
    error = await refused(world, ingest.capture(world.editor, pid, too_big))
    assert isinstance(error, PayloadTooLarge) and error.code == "html_too_large"
    error = await refused(world, ingest.capture(world.editor, pid, CaptureRequest(url=URL, html='{"a": 1}')))
    assert isinstance(error, InvalidInput) and error.code == "not_html"
    shell = "<html><head><title>Loading</title></head><body><div id='root'></div></body></html>"
    error = await refused(world, ingest.capture(world.editor, pid, CaptureRequest(url=URL, html=shell)))
    assert error.code == "empty_content"
    error = await refused(world, ingest.ingest_html(world.editor, pid, IngestHtml(url="ftp://x/a", html=ARTICLE)))
    assert error.code == "invalid_url"

    # Another project's capture is not found here, for every step that names one.
    await world.core.modules.configure_module(
        world.outsider, world.other_project_id, "chrome_ingest", ModuleUpdate(enabled=True)
    )
    theirs = await ingest.capture(world.outsider, world.other_project_id, good)
    draft = IngestedDraft(title="Reset", slug="reset", content="Text.")
    for call in (
        ingest.extract(world.editor, pid, ExtractRequest(capture_id=theirs.capture_id)),
        ingest.save(world.editor, pid, SaveRequest(capture_id=theirs.capture_id, draft=draft)),
        ingest.delete_capture(world.editor, pid, theirs.capture_id),
        ingest.import_image(world.editor, pid, theirs.capture_id, b"GIF89a"),
    ):
        assert (await refused(world, call)).code == "capture_not_found"

    # A save the editing service refuses (unknown template) stores neither page nor capture link.
    mine = await ingest.capture(world.editor, pid, good)
    bad = IngestedDraft(title="Reset", slug="reset", content="Text.", doc_template_id="product")
    error = await refused(world, ingest.save(world.editor, pid, SaveRequest(capture_id=mine.capture_id, draft=bad)))
    assert isinstance(error, DomainError)
    async with world.core.db.read() as session:
        assert (await session.get_one(Capture, mine.capture_id)).page_id is None


async def test_deleting_the_page_leaves_the_capture(world: World) -> None:
    await switch_on(world)
    ingest, pid = world.core.ingest, world.project_id
    proposal = await ingest.ingest_html(world.editor, pid, IngestHtml(url=URL, html=ARTICLE))
    saved = await ingest.save(
        world.editor, pid, SaveRequest(capture_id=proposal.capture.capture_id, draft=proposal.draft.as_draft())
    )
    await world.core.editing.discard_draft(world.editor, pid, PageRef(path=saved.page.path))  # never live: gone
    again = await ingest.capture(world.editor, pid, CaptureRequest(url=URL, html=ARTICLE))
    assert again.already_imported and again.page is None

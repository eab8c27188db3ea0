"""upload-custom-page through the service (SPEC §3): every pipeline step in order, each rejection audited with
its error code and nothing else written, bounds, upsert by slug, markers and lint."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from comstack_core.errors import (
    DomainError,
    InvalidInput,
    ModuleDisabled,
    NameEchoMismatch,
    NotFound,
    PayloadTooLarge,
    ProjectMismatch,
    StaleVersion,
)
from comstack_core.models import PageRevision
from comstack_core.schemas import CustomPageUpload, ModuleUpdate, SettingsUpdate

from ..conftest import FakeClock, World
from .test_support import LONG_DESCRIPTION, audit_rows, expect, key_principal, snapshot

MB2 = 2 * 1024 * 1024
NESTED = '<div data-t-key="outer">Outer <span data-t-key="inner">inner</span></div>'
JS_LINK = '<a href="JaVaScRiPt:alert(1)">click</a>'


def upload(world: World, **overrides: Any) -> CustomPageUpload:
    values: dict[str, Any] = {
        "project_name": world.project_name,
        "slug": "pricing",
        "title": "Pricing for every team",
        "description": LONG_DESCRIPTION,
        "body": "<h1>Pricing</h1><p>Plans for everyone.</p>",
    }
    return CustomPageUpload(**{**values, **overrides})


async def rejections(world: World) -> list[tuple[str | None, str]]:
    rows = await audit_rows(world.core, world.project_id, action="custom_page.upload")
    return [(r.error_code, r.detail.get("slug", "")) for r in rows if r.error_code]


async def test_pipeline_steps_reject_in_order(world: World, clock: FakeClock) -> None:
    """Start from an upload that breaks every rule; fix one at a time and watch the next step refuse."""
    core, pid = world.core, world.project_id
    big_body = "<h1>Big</h1>" + JS_LINK + NESTED + "<p>" + "x" * MB2 + "</p>"
    small_body = "<h1>Small</h1>" + JS_LINK + NESTED
    steps: list[tuple[dict[str, Any], type[DomainError], str]] = [
        ({}, NameEchoMismatch, "project_name_mismatch"),
        ({"project_name": "acme docs"}, InvalidInput, "language_not_enabled"),
        ({"language": "en"}, InvalidInput, "faq_in_custom_page"),
        ({"is_faq": False}, PayloadTooLarge, "payload_too_large"),
        ({"body": small_body}, InvalidInput, "blocked_link_scheme"),
        ({"body": "<h1>Small</h1>" + NESTED}, InvalidInput, "invalid_translation_markers"),
        ({"body": "<h1>Small</h1><p data-t-key='lead'>Lead</p>"}, InvalidInput, "invalid_custom_page"),
    ]
    state: dict[str, Any] = {
        "project_name": "Acme Corp",
        "language": "fr",
        "is_faq": True,
        "body": big_body,
        "title": "Short",
        "description": "Too short",
    }
    before = await snapshot(core, pid)
    for change, error_class, code in steps:
        state.update(change)
        clock.advance(seconds=1)  # audit rows are listed by time
        await expect(
            error_class, code, core.custom_pages.upload_custom_page(world.editor, pid, upload(world, **state))
        )
        assert await snapshot(core, pid) == before, f"the {code} rejection wrote something"
    assert await rejections(world) == [(code, "pricing") for _, _, code in steps]
    rows = await audit_rows(world.core, pid, action="custom_page.upload")
    assert {(r.actor_kind, r.actor_id, r.door) for r in rows} == {("user", world.editor.user_id, "script")}
    assert all(r.target_ids == [] for r in rows)
    assert "expected 'Acme Docs'" in rows[0].detail["error"]

    state.update(title="Pricing for every team", description=LONG_DESCRIPTION)
    result = await core.custom_pages.upload_custom_page(world.editor, pid, upload(world, **state))
    assert result.changed and result.translatable_strings == {"lead": "Lead"}


async def test_name_echo_message_shows_both_names(world: World) -> None:
    error = await expect(
        NameEchoMismatch,
        "project_name_mismatch",
        world.core.custom_pages.upload_custom_page(
            world.editor, world.project_id, upload(world, project_name="Acme Corp")
        ),
    )
    assert "'Acme Docs'" in error.message and "'Acme Corp'" in error.message


async def test_language_must_be_enabled_for_custom_pages(world: World, clock: FakeClock) -> None:
    core, pid = world.core, world.project_id
    error = await expect(
        InvalidInput,
        "language_not_enabled",
        core.custom_pages.upload_custom_page(world.editor, pid, upload(world, language="de")),
    )
    assert "enabled: en" in error.message
    await core.project_settings.update_settings(
        world.manager, pid, SettingsUpdate(custom_page_locales=["en", "de"])
    )
    result = await core.custom_pages.upload_custom_page(world.editor, pid, upload(world, language="DE"))
    assert result.page.language == "de"
    await core.modules.configure_module(world.manager, pid, "custom_pages", ModuleUpdate(enabled=False))
    clock.advance(seconds=1)
    await expect(
        ModuleDisabled,
        "module_disabled",
        core.custom_pages.upload_custom_page(world.editor, pid, upload(world)),
    )
    assert [code for code, _ in await rejections(world)] == ["language_not_enabled", "module_disabled"]


async def test_size_cap_counts_bytes(world: World) -> None:
    core, pid = world.core, world.project_id
    # Under 2 MB in characters, over it in UTF-8 bytes.
    error = await expect(
        PayloadTooLarge,
        "payload_too_large",
        core.custom_pages.upload_custom_page(
            world.editor, pid, upload(world, body="<h1>é</h1>" + "é" * (MB2 // 2 + 10))
        ),
    )
    assert error.details["limit"] == MB2 and error.details["size"] > MB2
    # It says where large assets go: the image upload, on both doors, for this project.
    assert "upload-image" in error.message and f"POST /api/projects/{pid}/images" in error.message
    # Exactly at the cap is fine.
    head = "<h1>Big page</h1><p>"
    body = head + "x" * (MB2 - len(head) - len("</p>")) + "</p>"
    assert len(body.encode()) == MB2
    result = await core.custom_pages.upload_custom_page(world.editor, pid, upload(world, body=body))
    assert result.changed and result.page.body_source == body


BLOCKED = [
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="&#x6A;&#x61;vascript:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="  javascript:alert(1)">x</a>',
    '<img alt="" src="data:image/svg+xml;base64,PHN2Zz4=">',
    '<form action="VBScript:msgbox(1)"><button>Go</button></form>',
    '<button formaction="javascript:alert(1)">Go</button>',
    '<img alt="" srcset="/a.png 1x, javascript:alert(1) 2x">',
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    '<iframe srcdoc="<a href=&quot;javascript:alert(1)&quot;>x</a>"></iframe>',
    '<template><a href="javascript:alert(1)">x</a></template>',
]
ALLOWED = [
    '<a href="https://example.com/javascript:">x</a>',
    '<a href="/guides/javascript-basics">x</a>',
    "<p>javascript: is a language; data: is a word</p>",
    '<a href="#data:x">x</a>',
    '<script>const u = "javascript:";</script>',
]


async def test_blocked_link_schemes(world: World) -> None:
    core, pid = world.core, world.project_id
    before = await snapshot(core, pid)
    for body in BLOCKED:
        error = await expect(
            InvalidInput,
            "blocked_link_scheme",
            core.custom_pages.upload_custom_page(
                world.editor, pid, upload(world, body="<h1>Links</h1>" + body)
            ),
        )
        assert len(error.details["problems"]) == 1, body
        assert error.message.count("1. ") == 1 and "2. " not in error.message
    assert await snapshot(core, pid) == before
    assert [code for code, _ in await rejections(world)] == ["blocked_link_scheme"] * len(BLOCKED)
    # Several at once are listed one by one.
    error = await expect(
        InvalidInput,
        "blocked_link_scheme",
        core.custom_pages.upload_custom_page(world.editor, pid, upload(world, body="".join(BLOCKED[:3]))),
    )
    assert len(error.details["problems"]) == 3 and "3. " in error.message
    for n, body in enumerate(ALLOWED):
        result = await core.custom_pages.upload_custom_page(
            world.editor, pid, upload(world, slug=f"ok-{n}", body="<h1>Links</h1>" + body)
        )
        assert result.changed, body


MARKER_ERRORS = [
    (NESTED, "html", "nested inside the marker 'outer'"),
    ('<T key="a" default="A"><T key="b" default="B" /></T>', "astro", "nested inside the marker 'a'"),
    ('<p data-t-key="Bad Key">x</p><p data-t-key="ok"></p>', "html", "2. "),
    ('<T key="cta" />', "astro", "missing default"),
]


async def test_marker_errors_are_numbered(world: World) -> None:
    before = await snapshot(world.core, world.project_id)
    for body, body_format, fragment in MARKER_ERRORS:
        error = await expect(
            InvalidInput,
            "invalid_translation_markers",
            world.core.custom_pages.upload_custom_page(
                world.editor,
                world.project_id,
                upload(world, body="<h1>T</h1>" + body, body_format=body_format),
            ),
        )
        assert fragment in error.message and error.message.count("1. ") == 1, body
    assert await rejections(world) == [("invalid_translation_markers", "pricing")] * len(MARKER_ERRORS)
    assert await snapshot(world.core, world.project_id) == before


async def test_title_and_description_bounds(world: World) -> None:
    core, pid = world.core, world.project_id
    cases = [
        ("x" * 9, LONG_DESCRIPTION, ["title must be 10-60 characters (it is 9)"]),
        ("x" * 61, LONG_DESCRIPTION, ["title must be 10-60 characters (it is 61)"]),
        ("  x" + " " * 8, LONG_DESCRIPTION, ["title must be 10-60 characters (it is 1)"]),
        ("x" * 10, "d" * 49, ["description must be at least 50 characters (it is 49)"]),
        (
            "x" * 5,
            "d" * 5,
            [
                "title must be 10-60 characters (it is 5)",
                "description must be at least 50 characters (it is 5)",
            ],
        ),
    ]
    for title, description, problems in cases:
        error = await expect(
            InvalidInput,
            "invalid_custom_page",
            core.custom_pages.upload_custom_page(
                world.editor, pid, upload(world, title=title, description=description)
            ),
        )
        assert error.details["problems"] == problems
    assert (await core.pages.list_pages(world.viewer, pid)).total == 0
    for n, (title, description) in enumerate([("x" * 10, "d" * 50), ("x" * 60, "d" * 500)]):
        result = await core.custom_pages.upload_custom_page(
            world.editor, pid, upload(world, slug=f"b{n}", title=title, description=description)
        )
        assert (result.page.title, result.page.description) == (title, description)


async def test_upsert_by_slug(world: World, clock: FakeClock) -> None:
    core, pid = world.core, world.project_id
    first = await core.custom_pages.upload_custom_page(
        world.editor, pid, upload(world, metadata={"owner": "web"})
    )
    page = first.page
    assert first.changed and (page.version, page.page_type, page.doc_template_id, page.body_format) == (
        1,
        "custom",
        "custom-page",
        "html",
    )
    assert page.metadata == {"owner": "web", "type": "custom"} and page.content == ""
    assert first.draft_url == f"http://testserver/api/projects/{pid}/docs/{page.path}/preview"

    clock.advance(minutes=1)
    # Replacing an existing page needs the version it was read at, as for knowledge pages (no lost update).
    before = await snapshot(core, pid)
    missing = await expect(
        InvalidInput,
        "missing_base_version",
        core.custom_pages.upload_custom_page(world.editor, pid, upload(world, body="<h1>Blind</h1>")),
    )
    assert missing.details["current_version"] == 1 and "base_version" in missing.message
    assert await snapshot(core, pid) == before
    second = await core.custom_pages.upload_custom_page(
        world.editor,
        pid,
        upload(
            world, body="<h1>Pricing</h1><p>New plans.</p>", metadata={"campaign": "spring"}, base_version=1
        ),
    )
    assert second.changed and second.page.path == page.path and second.page.version == 2
    assert second.page.metadata == {"owner": "web", "campaign": "spring", "type": "custom"}
    assert second.page.body_source == "<h1>Pricing</h1><p>New plans.</p>"

    before = await snapshot(core, pid)
    same = await core.custom_pages.upload_custom_page(
        world.editor, pid, upload(world, body="<h1>Pricing</h1><p>New plans.</p>", base_version=2)
    )
    assert not same.changed and same.page.version == 2 and same.page.path == page.path
    assert await snapshot(core, pid) == before
    assert (await core.pages.list_pages(world.viewer, pid)).total == 1
    assert [
        r.target_ids[0] for r in await audit_rows(core, pid, action="custom_page.upload") if not r.error_code
    ] == [page.path, page.path]

    await expect(
        StaleVersion,
        "stale_version",
        core.custom_pages.upload_custom_page(
            world.editor, pid, upload(world, body="<h1>Other</h1>", base_version=1)
        ),
    )
    third = await core.custom_pages.upload_custom_page(
        world.editor, pid, upload(world, body="<h1>Other</h1>", base_version=2)
    )
    assert third.page.version == 3


async def test_translatable_strings_are_returned_and_stored(world: World) -> None:
    core, pid = world.core, world.project_id
    html = (
        '<h1 data-t-key="hero.title">Welcome</h1><p data-t-key="hero.lead">Fast <b>docs</b></p>'
        '<button data-t-key="cta">Buy</button><button data-t-key="cta">Buy</button>'
    )
    result = await core.custom_pages.upload_custom_page(world.editor, pid, upload(world, body=html))
    assert result.translatable_strings == {"hero.title": "Welcome", "hero.lead": "Fast docs", "cta": "Buy"}
    astro = '---\nconst a = "<T key=\\"x\\">";\n---\n<h1><T key="title" default="Hello" /></h1>'
    result = await core.custom_pages.upload_custom_page(
        world.editor, pid, upload(world, slug="astro", body=astro, body_format="astro")
    )
    assert result.translatable_strings == {"title": "Hello"} and result.page.body_format == "astro"
    async with core.db.read() as session:
        rev = (await session.exec(select(PageRevision).where(PageRevision.page_id == result.page.path))).one()
    assert rev.translatable_strings == {"title": "Hello"}


async def test_lint_findings_are_returned_but_do_not_block(world: World) -> None:
    body = '<script src="/big.js"></script><img src="/hero.png"><p>No heading here.</p>'
    result = await world.core.custom_pages.upload_custom_page(
        world.editor, world.project_id, upload(world, body=body)
    )
    assert result.changed
    assert [f.rule for f in result.lint_findings] == [
        "missing-h1",
        "img-missing-alt",
        "render-blocking-script",
    ]
    clean = await world.core.custom_pages.upload_custom_page(
        world.editor,
        world.project_id,
        upload(
            world,
            slug="clean",
            body='<h1>Ok</h1><img src="/a.png" alt="A"><script defer src="/a.js"></script>',
        ),
    )
    assert clean.lint_findings == []


async def test_outsider_and_foreign_key_rejections_are_not_audited_in_the_project(world: World) -> None:
    """Audit rows belong to projects the caller can see; a probe of a hidden project leaves no trace there."""
    await expect(
        NotFound,
        "project_not_found",
        world.core.custom_pages.upload_custom_page(world.outsider, world.project_id, upload(world)),
    )
    foreign = await key_principal(world.core, world.outsider, world.other_project_id)
    await expect(
        ProjectMismatch,
        "project_mismatch",
        world.core.custom_pages.upload_custom_page(foreign, world.project_id, upload(world)),
    )
    assert await rejections(world) == []
    # A member with too low a role is audited (the attempt is inside the project).
    await expect(
        DomainError,
        "role_too_low",
        world.core.custom_pages.upload_custom_page(world.viewer, world.project_id, upload(world)),
    )
    assert await rejections(world) == [("role_too_low", "pricing")]

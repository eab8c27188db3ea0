"""Every tool's ``outputSchema`` holds for real answers: the SDK's client lists the tools, calls each one (with
the setup it needs) over streamable HTTP, and every ``structuredContent`` validates against the listed schema,
and says the same as the text content older clients read."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from mcp import Client
from mcp_types import Tool

from comstack_core import Settings
from comstack_core.schemas import ModuleUpdate, ProjectCreate, SettingsUpdate
from comstack_core.schemas.live import SessionStart

from ..core.gitsync.gitserver import commit_files, new_repository
from ..core.images.factory import encode, picture
from .conftest import ADMIN_TOKEN, Seed
from .harness import FixedTokens, bearer, build_app, mcp_client, serve

DOCS = {
    "docs/index.md": "---\ntitle: Widget docs\ndescription: Everything about the widget.\n---\n\nRead on.\n",
    "docs/guide/setup.md": "# Setup\n\nInstall it.\n",
}
INGEST_HTML = (
    "<html lang='en'><head><title>Reset your password</title></head><body><nav><a href='/'>Home</a></nav>"
    "<main><h1>Reset your password</h1><p>Choose Forgot password on the sign-in page; the link we send works "
    "for one hour.</p></main></body></html>"
)
CUSTOM_BODY = '<h1 data-t-key="hero">Widgets</h1><p><a href="https://example.com">More</a></p>'


class Caller:
    """Calls tools as a platform admin and checks each answer against the tool's listed outputSchema."""

    def __init__(self, client: Client, tools: dict[str, Tool]) -> None:
        self.client = client
        self.tools = tools
        self.called: set[str] = set()

    async def __call__(self, name: str, /, **arguments: Any) -> dict[str, Any]:
        result = await self.client.call_tool(name, arguments)
        texts = "".join(getattr(block, "text", "") for block in result.content)
        assert not result.is_error, f"{name}: {texts}"
        structured = result.structured_content
        assert isinstance(structured, dict), f"{name} returned no structuredContent"
        schema = self.tools[name].output_schema
        assert schema is not None, f"{name} lists no outputSchema"
        errors = [e.message for e in Draft202012Validator(schema).iter_errors(structured)]
        assert not errors, f"{name}: structuredContent does not match its outputSchema: {errors[:3]}"
        # Older clients read the text: the same result, as JSON (or the Markdown of a document).
        if name == "get-guide":
            assert texts == structured["markdown"]
        else:
            assert json.loads(texts) == structured
        self.called.add(name)
        return structured


async def _prepare(seed: Seed) -> tuple[str, str]:
    """Two locales (so a publish opens translation tasks) and git sync on (so the repository tools work);
    a voice project with one browser session (for the transcript tools): its id and the session's."""
    world = seed.world
    await world.core.project_settings.update_settings(
        world.manager,
        seed.project_id,
        SettingsUpdate(knowledge_locales=["en", "es"], custom_page_locales=["en", "es"]),
    )
    for module in ("github_sync", "chrome_ingest"):
        await world.core.modules.configure_module(world.manager, seed.project_id, module, ModuleUpdate(enabled=True))
    voice = await world.core.projects.create_project(
        world.manager, ProjectCreate(name="Voice Line", template_id="business-voice")
    )
    await world.core.modules.configure_module(
        world.manager, voice.id, "voice_web", ModuleUpdate(enabled=True)
    )
    started = await world.core.live.start_session(world.manager, voice.id, SessionStart())
    return voice.id, started.session_id


async def _published(call: Caller, pid: str, name: str) -> str:
    dry = await call("publish", project_id=pid, project_name=name)
    started = await call(
        "publish-confirm", project_id=pid, project_name=name, confirmation_token=dry["confirmation_token"]
    )
    for _ in range(600):
        status = await call("publish-status", project_id=pid, publish_id=started["publish_id"])
        if status["status"] != "running":
            break
        await asyncio.sleep(0.1)
    assert status["status"] == "succeeded", status
    assert status["step"] == "deployed" and status["progress"]["step"] == "done"
    return str(started["publish_id"])


async def _every_tool(call: Caller, seed: Seed, origin: Path, voice: tuple[str, str]) -> None:
    pid, name = seed.project_id, seed.world.project_name
    # The account and the guide.
    await call("whoami")
    listed = await call("list-my-projects")
    assert any(p["id"] == pid and p["plan"]["quotas"]["max_pages"] > 0 for p in listed["projects"])
    await call("get-guide", topic="workflow")
    await call("report-feedback", kind="praise", message="The output schemas help.")
    other = await call("create-project", name="Schema Check")
    # Reading the project.
    await call("get-project-state", project_id=pid)
    await call("list-project-doc-templates", project_id=pid)
    await call("get-navigation", project_id=pid)
    # Editing a page through its revisions.
    created = await call(
        "create-page",
        project_id=pid,
        slug="guides/intro",
        title="Getting started with widgets",
        description="How to set up your first widget in five minutes, from unboxing to first use.",
        content="## Unbox\n\nOpen the box.",
    )
    path, version = created["page"]["path"], created["page"]["version"]
    updated = await call(
        "update-page", project_id=pid, path=path, base_version=version, content="## Unbox\n\nOpen it."
    )
    await call("list-page-revisions", project_id=pid, path=path)
    await call(
        "restore-page-revision",
        project_id=pid,
        path=path,
        revision_number=1,
        base_version=updated["page"]["version"],
    )
    await call("get-page-content", project_id=pid, path=path)
    await call("list-pages", project_id=pid)
    await call("search-docs", project_id=pid, query="widget", include_drafts=True)
    await call("set-page-status", project_id=pid, path=path, status="ready", project_name=name)
    # A custom page that is never published: discarding its draft deletes it.
    await call(
        "upload-custom-page",
        project_id=pid,
        project_name=name,
        slug="landing",
        title="Widgets for every team",
        body=CUSTOM_BODY,
        description="Everything about our widgets on one page, with pricing and a demo you can try now.",
    )
    discarded = await call("discard-draft", project_id=pid, slug="landing")
    assert discarded["page_deleted"] is True
    # The site: theme, navigation, a publish, its translation tasks, and a revert.
    await call("update-theme", project_id=pid, project_name=name, colors={"primary": "#112233"})
    await call(
        "update-navigation",
        project_id=pid,
        sidebar_groups=[{"title": {"en": "Guides"}, "icon": "menu_book", "page_slugs": ["guides/intro"]}],
    )
    publish_id = await _published(call, pid, name)
    await call("list-publish-history", project_id=pid)
    tasks = (await call("list-translation-tasks", project_id=pid))["tasks"]
    assert tasks, "a two-locale publish opens translation tasks"
    await call(
        "submit-translation",
        project_id=pid,
        task_id=tasks[0]["id"],
        title="Primeros pasos con widgets",
        description="Cómo preparar tu primer widget en cinco minutos.",
        content="## Abrir\n\nAbre la caja.",
    )
    reverted = await call("revert-publish", project_id=pid, publish_id=publish_id, project_name=name)
    assert reverted["status"] == "reverted"
    await call("delete-page", project_id=pid, path=path, project_name=name)
    # A repository pulled in.
    await call("connect-github", project_id=pid, url=str(origin), folder="docs")
    await call("pull-and-publish", project_id=pid, project_name=name)
    # Templates (platform admin).
    await call("create-doc-template", id="recipe", name="Recipe")
    await call("update-doc-template", template_id="recipe", description="A dish and how to cook it.")
    await call(
        "create-project-template",
        id="kitchen",
        name="Kitchen",
        doc_template_ids=["docs", "recipe"],
        module_ids=["knowledge_base", "website"],
    )
    await call("update-project-template", template_id="kitchen", description="Recipes and docs.")
    await call("assign-project-template", project_id=other["id"], template_id="kitchen")
    await call("delete-doc-template", template_id="recipe")
    await call("create-project-template", id="brief", name="Brief", doc_template_ids=["docs"],
               module_ids=["knowledge_base"], default_modules=["knowledge_base"])
    await call("delete-project-template", template_id="brief")
    # Images.
    image = await call(
        "upload-image", project_id=pid, data_base64=base64.b64encode(encode(picture(8, 8), "PNG")).decode()
    )
    await call("list-images", project_id=pid)
    await call("delete-image", project_id=pid, image_id=image["id"], project_name=name)
    # Voice transcripts.
    listed_sessions = await call("list-voice-sessions", project_id=voice[0])
    assert [s["id"] for s in listed_sessions["sessions"]] == [voice[1]]
    await call("get-voice-session", project_id=voice[0], session_id=voice[1])
    # A web page's HTML becomes a draft page.
    proposal = await call("ingest-html", project_id=pid, url="https://example.com/help/reset", html=INGEST_HTML)
    saved = await call(
        "save-ingested-draft", project_id=pid, capture_id=proposal["capture"]["capture_id"],
        draft={k: proposal["draft"][k] for k in ("title", "description", "slug", "language", "content",
                                                 "doc_template_id", "fields")},
    )
    listed_drafts = await call("list-ingested-drafts", project_id=pid)
    assert [d["page"]["path"] for d in listed_drafts["drafts"]] == [saved["page"]["path"]]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_every_tool_answers_with_structured_content_matching_its_output_schema(
    server_settings: Settings, tokens: FixedTokens, seed: Seed, tmp_path: Path
) -> None:
    voice = await _prepare(seed)
    origin = new_repository(tmp_path / "origin")
    commit_files(origin, DOCS, "First docs")
    settings = server_settings.model_copy(update={"git_allow_local": True})
    with serve(build_app(settings, tokens)) as server:
        async with mcp_client(server.mcp_url, bearer(ADMIN_TOKEN)) as client:
            tools = {tool.name: tool for tool in (await client.list_tools()).tools}
            assert all(tool.output_schema for tool in tools.values()), "every listed tool has an outputSchema"
            call = Caller(client, tools)
            await _every_tool(call, seed, origin, voice)
    assert call.called == set(tools), f"tools never called here: {sorted(set(tools) - call.called)}"

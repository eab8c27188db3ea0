"""The demo project `comstack serve --demo` seeds: a dozen knowledge pages in two sidebar groups, header
navigation, a custom page, a manager and a viewer key, and a demo user who can sign in (OAuth). The server
then publishes its site once (``publish_demo_site``). Uses only the public services."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from .auth import Principal
from .core import Core
from .errors import DomainError, NotFound
from .schemas import (
    CustomPageUpload,
    HeaderNavItemInput,
    KeyCreate,
    NavigationUpdate,
    PageCreate,
    PageRef,
    PageStatusUpdate,
    ProjectCreate,
    PublishConfirm,
    PublishRequest,
    SidebarGroupInput,
    UserCreate,
)

DEMO_EMAIL = "demo@comstack.local"
DEMO_NAME = "ComStack Demo"

_GUIDES = [
    (
        "guides/getting-started",
        "Getting started with ComStack",
        "Create a project, write your first page and publish it to the website in five minutes.",
        "ComStack keeps your business knowledge as pages.\n\n## Steps\n\n1. Create a project.\n2. Write a page.\n"
        "3. Approve it.\n4. Publish.\n",
    ),
    (
        "guides/writing-pages",
        "Writing knowledge pages",
        "Pages are Markdown with a title, a description and template fields; drafts never touch the live site.",
        "Write in **Markdown**. Tables, code and lists work:\n\n```python\nprint('hello')\n```\n\n"
        "| Field | Meaning |\n|---|---|\n| title | The page title |\n",
    ),
    (
        "guides/approving",
        "Approving and publishing drafts",
        "Editors approve drafts; managers publish them after reviewing the manifest of what will change.",
        "Approve a draft with *set-page-status ready*. A manager then publishes.\n",
    ),
    (
        "guides/translations",
        "Translating your knowledge base",
        "Add locales in the settings; each publish opens translation tasks for the assistant to complete.",
        "Locales are BCP-47 tags such as `es-MX`.\n",
    ),
    (
        "guides/voice-agent",
        "The live voice agent",
        "Callers reach a voice agent that answers from the same live knowledge your website shows.",
        "The voice agent searches live pages of the caller's language.\n",
    ),
    (
        "guides/assistants",
        "Connecting AI assistants over MCP",
        "Claude, Cursor and ChatGPT manage the site through the MCP server with an API key or by signing in.",
        "Point your assistant at the `/mcp` URL and give it a key.\n",
    ),
]
_REFERENCE = [
    (
        "reference/api",
        "REST API reference overview",
        "Every capability is reachable over JSON REST with API-key headers or OAuth bearer tokens.",
        "See `/openapi.json` for every route.\n",
    ),
    (
        "reference/roles",
        "Roles and permissions in a project",
        "Viewers read, editors write and approve drafts, managers publish and administer the project.",
        "| Role | Can |\n|---|---|\n| viewer | read |\n| editor | edit, approve |\n| manager | publish, admin |\n",
    ),
    (
        "reference/templates",
        "Doc templates and metadata fields",
        "Doc templates define content types and their metadata fields, validated on every save.",
        "Built in: docs, blog, product, faq and custom-page.\n",
    ),
    (
        "reference/limits",
        "Limits, quotas and rate limits",
        "Request size limits, per-minute rate limits and plan quotas, and the errors you get past them.",
        "Bodies over 1 MB are refused with 413.\n",
    ),
    (
        "reference/errors",
        "Error codes and what to do about them",
        "Every error carries a human message and a machine code; this page lists the codes and their fixes.",
        "`stale_version`: reload the page and save again.\n",
    ),
    (
        "reference/glossary",
        "Glossary of ComStack terms",
        "Projects, pages, drafts, revisions, templates, modules and the other words used across ComStack.",
        "**Draft**: the one pending edit of a page.\n",
    ),
]
_HOME_HTML = """<section class="hero">
  <h1 data-t-key="hero.title">Your knowledge, everywhere</h1>
  <p data-t-key="hero.lead">One source for your website, your AI assistants and your phone line.</p>
  <a href="guides/getting-started">Get started</a>
</section>"""


@dataclass
class DemoCredentials:
    project_id: str
    project_name: str
    manager_key: str
    viewer_key: str
    # The demo user's sign-in (manager of the demo project), for trying OAuth; absent from files written
    # before there was one, and set on the next start.
    email: str = DEMO_EMAIL
    password: str | None = None


@dataclass
class DemoSite:
    url: str
    # Why the first publish failed, if it did (the server starts anyway; publishing can be retried).
    error: str | None = None


async def seed_demo(core: Core, data_dir: Path) -> DemoCredentials:
    """Seed once; later runs return the credentials saved in the data directory."""
    saved = data_dir / "demo-credentials.json"
    creds = _load(saved)
    admin = Principal.system()
    if creds is not None:
        try:
            await core.projects.get_project(admin, creds.project_id)
        except NotFound:
            pass  # the database was reset; seed again
        else:
            if creds.password is None:
                creds.password = _new_password()
                await core.users.set_password(admin, creds.email, creds.password)
                _save(saved, creds)
            return creds
    password = _new_password()
    try:
        user = await core.users.get_by_email(admin, DEMO_EMAIL)
        await core.users.set_password(admin, DEMO_EMAIL, password)
    except NotFound:
        user = await core.users.create_user(
            admin, UserCreate(email=DEMO_EMAIL, display_name="Demo", password=password)
        )
    me = await core.users.principal_for_user(user.id, door="cli")
    project = await core.projects.create_project(me, ProjectCreate(name=DEMO_NAME, slug=None))
    for slug, title, description, body in _GUIDES + _REFERENCE:
        await core.editing.create_page(
            me,
            project.id,
            PageCreate(slug=slug, title=title, description=description, content=f"# {title}\n\n{body}"),
        )
        await core.pages.set_page_status(
            me, project.id, PageRef(slug=slug), PageStatusUpdate(status="ready", project_name=DEMO_NAME)
        )
    await core.custom_pages.upload_custom_page(
        me,
        project.id,
        CustomPageUpload(
            project_name=DEMO_NAME,
            slug="index",
            title="ComStack demo home page",
            description="The demo project's landing page: one source of knowledge for web, assistants and phone.",
            body=_HOME_HTML,
        ),
    )
    await core.pages.set_page_status(
        me, project.id, PageRef(slug="index"), PageStatusUpdate(status="ready", project_name=DEMO_NAME)
    )
    await core.navigation.update_navigation(
        me,
        project.id,
        NavigationUpdate(
            sidebar_groups=[
                SidebarGroupInput(
                    title={"en": "Guides"}, icon="menu_book", page_slugs=[s for s, *_ in _GUIDES]
                ),
                SidebarGroupInput(
                    title={"en": "Reference"}, icon="code", page_slugs=[s for s, *_ in _REFERENCE]
                ),
            ],
            header_nav_items=[
                HeaderNavItemInput(label={"en": "Guides"}, target="guides/getting-started"),
                HeaderNavItemInput(label={"en": "Reference"}, target="reference/api"),
            ],
        ),
    )
    manager = await core.keys.create_key(me, project.id, KeyCreate(name="demo manager", role="manager"))
    viewer = await core.keys.create_key(me, project.id, KeyCreate(name="demo viewer", role="viewer"))
    creds = DemoCredentials(project.id, project.name, manager.key, viewer.key, password=password)
    _save(saved, creds)
    return creds


async def publish_demo_site(core: Core, creds: DemoCredentials) -> DemoSite:
    """Publish the demo once, as its manager, with the usual three steps: a demo whose site is a 404 until
    someone learns to publish shows nothing. Later starts find that publish and leave the site alone (only
    a failed first publish is tried again)."""
    admin = Principal.system()
    project = await core.projects.get_project(admin, creds.project_id)
    manager = await core.users.principal_for_user(
        (await core.users.get_by_email(admin, creds.email)).id, door="cli"
    )
    history = await core.publishing.list_publish_history(manager, project.id, limit=20)
    if any(publish.status != "failed" for publish in history):
        return DemoSite(project.site_url)
    try:
        dry = await core.publishing.publish(manager, project.id, PublishRequest(project_name=project.name))
        started = await core.publishing.publish_confirm(
            manager,
            project.id,
            PublishConfirm(project_name=project.name, confirmation_token=dry.confirmation_token),
        )
    except DomainError as refused:
        return DemoSite(project.site_url, f"the first publish was refused: {refused.message}")
    while await core.runner.run_pending():
        pass
    status = await core.publishing.publish_status(manager, project.id, started.publish_id)
    failed = None if status.status == "succeeded" else f"the first publish {status.status}: {status.error}"
    return DemoSite(project.site_url, failed)


def _new_password() -> str:
    return secrets.token_urlsafe(12)


def _load(path: Path) -> DemoCredentials | None:
    return DemoCredentials(**json.loads(path.read_text())) if path.exists() else None


def _save(path: Path, creds: DemoCredentials) -> None:
    # Local demo convenience: the raw keys and the demo password are kept (owner-only) so each
    # `serve --demo` can print them again.
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(asdict(creds), indent=2))
    os.chmod(path, 0o600)

"""The ``comstack`` command. Script-friendly: each command prints only the value asked for on stdout;
progress and hints go to stderr."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from pydantic import ValidationError

from comstack_core import Core, Principal, Settings
from comstack_core.errors import DomainError
from comstack_core.schemas import KeyCreate, PlanUpdate, ProjectCreate, UserCreate

from . import backup_cli
from .cli_options import DatabaseUrl, DataDir, settings_from

if TYPE_CHECKING:
    from comstack_core.demo import DemoCredentials, DemoSite

T = TypeVar("T")

app = typer.Typer(
    help="ComStack: an AI-first, self-hostable headless CMS.", no_args_is_help=True, add_completion=False
)
admin_app = typer.Typer(help="Operator commands (run on the server machine).", no_args_is_help=True)
app.add_typer(admin_app, name="admin")

def err(message: str) -> None:
    typer.echo(message, err=True)


def run_core(settings: Settings, action: Callable[[Core], Awaitable[T]]) -> T:
    async def main() -> T:
        async with Core.open(settings) as core:
            return await action(core)

    try:
        return asyncio.run(main())
    except DomainError as error:
        err(f"error: {error.message}")
        raise typer.Exit(2) from None


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8787,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    redis_url: Annotated[
        str | None, typer.Option("--redis-url", help="Redis for shared rate limits.")
    ] = None,
    workers: Annotated[
        int, typer.Option(help="Worker processes (server mode wants PostgreSQL + Redis).")
    ] = 1,
    public_url: Annotated[str | None, typer.Option("--public-url", help="Base URL clients use.")] = None,
    demo: Annotated[
        bool, typer.Option("--demo", help="Seed a demo project once and print its keys.")
    ] = False,
    access_log: Annotated[
        bool, typer.Option("--access-log/--no-access-log", help="Log one line per request.")
    ] = True,
    header_timeout: Annotated[
        float | None,
        typer.Option("--header-timeout", help="Seconds a connection has to send its request headers "
                     "(COMSTACK_HEADER_TIMEOUT_SECONDS, default 10; 0 = no limit)."),
    ] = None,
    max_connections: Annotated[
        int | None,
        typer.Option("--max-connections", help="Concurrent connections per worker; past it, 503 "
                     "(COMSTACK_MAX_CONNECTIONS, default 1000; 0 = no cap)."),
    ] = None,
    keep_alive: Annotated[
        int | None,
        typer.Option("--keep-alive", help="Seconds an idle keep-alive connection stays open "
                     "(COMSTACK_KEEP_ALIVE_SECONDS, default 5)."),
    ] = None,
) -> None:
    """Serve REST, MCP and the sites."""
    from .server import run

    if public_url is None and not os.environ.get("COMSTACK_PUBLIC_URL"):
        public_url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    settings = settings_from(data_dir, database_url, redis_url=redis_url, public_url=public_url,
                             header_timeout_seconds=header_timeout, max_connections=max_connections,
                             keep_alive_seconds=keep_alive)
    if settings.is_sqlite and workers > 1:
        err(
            "note: several workers on SQLite serialize their writes; use PostgreSQL and Redis for server mode."
        )
    if demo:
        from comstack_core.demo import publish_demo_site, seed_demo

        async def start_demo(core: Core) -> tuple[DemoCredentials, DemoSite]:
            creds = await seed_demo(core, settings.data_dir)
            return creds, await publish_demo_site(core, creds)

        creds, site = run_core(settings, start_demo)
        base = settings.public_url.rstrip("/")
        err("")
        err("ComStack demo project is ready.")
        err(f"  Site         {site.url}" + (f"   (not published: {site.error})" if site.error else ""))
        err(f"  MCP URL      {base}/mcp")
        err(f"  Project id   {creds.project_id}   (name: {creds.project_name})")
        err(f"  Manager key  {creds.manager_key}")
        err(f"  Viewer key   {creds.viewer_key}")
        err(f"  Sign in      {creds.email} / {creds.password}   (OAuth clients connecting by URL alone)")
        err(
            f"  Try: curl -H 'x-api-key: {creds.manager_key}' -H 'x-project-id: {creds.project_id}' "
            f"{base}/api/projects/{creds.project_id}/state"
        )
        err("")
    else:
        run_core(settings, _noop)  # migrate before workers start, so they don't race to do it
    run(settings, host=host, port=port, workers=workers, access_log=access_log)


async def _noop(core: Core) -> None:
    return None


@app.command()
def mcp(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Serve MCP over stdio (credentials: COMSTACK_API_KEY and COMSTACK_PROJECT_ID)."""
    from comstack_mcp.stdio import run_stdio

    run_stdio(settings_from(data_dir, database_url))


@app.command()
def migrate(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Bring the database schema up to date (server mode; the embedded default does it on open)."""
    settings = settings_from(data_dir, database_url).model_copy(update={"auto_migrate": False})

    async def main() -> None:
        from comstack_core.db import Database

        db = Database(settings.resolved_database_url())
        try:
            await db.migrate()
        finally:
            await db.dispose()

    asyncio.run(main())
    err("database is up to date")


@app.command()
def publish(
    project: Annotated[str, typer.Option(help="Project id.")],
    yes: Annotated[bool, typer.Option("--yes", help="Confirm without asking.")] = False,
    public_url: Annotated[
        str | None,
        typer.Option(
            "--public-url", help="Base URL of the site's server (default: the one the server recorded)."
        ),
    ] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Publish a project: dry run, show the manifest, confirm, follow the job. Prints the publish id."""
    from .publish_cli import run_publish

    settings = settings_from(data_dir, database_url, public_url=public_url)
    publish_id = run_core(settings, lambda core: run_publish(core, project, assume_yes=yes))
    if publish_id is None:
        raise typer.Exit(1)
    typer.echo(publish_id)


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="The folder: an MkDocs project, a Hugo or Docusaurus content folder.")],
    project: Annotated[str, typer.Option(help="Project id.")],
    plan: Annotated[bool, typer.Option("--plan", help="Show what would change; write nothing.")] = False,
    approve: Annotated[bool, typer.Option("--approve", help="Approve the imported drafts.")] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Import without asking.")] = False,
    unpublish_removed: Annotated[
        bool, typer.Option("--unpublish-removed", help="Take down pages whose file is gone from the tree.")
    ] = False,
    language: Annotated[str | None, typer.Option(help="Language of pages that name none.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the report as JSON on stdout.")] = False,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Import a folder of Markdown into a project; exits 1 listing the files that failed."""
    from comstack_core.schemas.imports import ImportRequest

    from .import_cli import failures, run_import

    settings = settings_from(data_dir, database_url)
    request = ImportRequest(plan_only=plan, approve=approve, unpublish_removed=unpublish_removed, language=language)
    report = run_core(settings, lambda core: run_import(core, project, path, request, assume_yes=yes))
    if report is None:
        raise typer.Exit(1)
    if json_out:
        typer.echo(report.model_dump_json(indent=2))
    failed = failures(report)
    if failed:
        err(f"{len(failed)} file(s) failed:")
        for line in failed:
            err(f"  {line}")
        raise typer.Exit(1)


app.command()(backup_cli.backup)
app.command()(backup_cli.restore)
app.command()(backup_cli.export)


@admin_app.command("verify-domain")
def verify_domain(
    project: Annotated[str, typer.Option(help="Project id.")],
    hostname: Annotated[str, typer.Option(help="The domain, once its DNS points at this server.")],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Mark a project's custom domain verified so the server answers it with the site; prints the domain id."""

    domain = run_core(
        settings_from(data_dir, database_url),
        lambda core: core.members.verify_domain(Principal.system(), project, hostname),
    )
    typer.echo(domain.id)


@admin_app.command("set-plan")
def set_plan(
    project: Annotated[str, typer.Option(help="Project id.")],
    plan: Annotated[str, typer.Option(help="trial or standard (its quotas come from the project's template).")],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Set a project's plan, e.g. standard so it may have phone numbers; prints the plan's tier."""
    if plan not in ("trial", "standard"):
        err("error: --plan must be trial or standard")
        raise typer.Exit(2)
    data = PlanUpdate.model_validate({"tier": plan})
    view = run_core(
        settings_from(data_dir, database_url),
        lambda core: core.plans.update_plan(Principal.system(), project, data),
    )
    typer.echo(view.plan.tier)


@admin_app.command("create-user")
def create_user(
    email: Annotated[str, typer.Option(help="The user's email.")],
    password: Annotated[str | None, typer.Option(help="Password for sign-in (optional).")] = None,
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    platform_admin: Annotated[
        bool, typer.Option("--platform-admin", help="Operator of this installation.")
    ] = False,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a user; prints the user id."""
    data = UserCreate(email=email, password=password, display_name=name, is_platform_admin=platform_admin)
    user = run_core(
        settings_from(data_dir, database_url), lambda core: core.users.create_user(Principal.system(), data)
    )
    typer.echo(user.id)


@admin_app.command("create-project")
def create_project(
    name: Annotated[str, typer.Option(help="Project name.")],
    owner: Annotated[str, typer.Option(help="Owner's email; they become manager.")],
    template: Annotated[str, typer.Option(help="Project template id.")] = "knowledge-site",
    locale: Annotated[str, typer.Option(help="Default locale.")] = "en",
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a project; prints the project id."""

    async def action(core: Core) -> str:
        user = await core.users.get_by_email(Principal.system(), owner)
        project = await core.projects.create_project(
            Principal.system(),
            ProjectCreate(name=name, template_id=template, default_locale=locale),
            owner_user_id=user.id,
        )
        return project.id

    typer.echo(run_core(settings_from(data_dir, database_url), action))


@admin_app.command("create-key")
def create_key(
    project: Annotated[str, typer.Option(help="Project id.")],
    role: Annotated[str, typer.Option(help="viewer, editor or manager.")] = "editor",
    name: Annotated[str, typer.Option(help="A name to recognise the key by.")] = "API key",
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create an API key; prints the raw key (shown once)."""
    data = KeyCreate.model_validate({"name": name, "role": role})  # the core's input refuses unknown roles
    key = run_core(
        settings_from(data_dir, database_url),
        lambda core: core.keys.create_key(Principal.system(), project, data),
    )
    typer.echo(key.key)


def main() -> None:
    try:
        app()
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        err(f"error: {problems}")
        sys.exit(2)
    except KeyboardInterrupt:  # pragma: no cover
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()

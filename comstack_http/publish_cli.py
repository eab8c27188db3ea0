"""``comstack publish``: the same three steps as over MCP and REST, as the operator, with a progress bar."""

from __future__ import annotations

import asyncio

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

from comstack_core import Core, Principal
from comstack_core.schemas import Manifest, PublishConfirm, PublishRequest

console = Console(stderr=True)


def show_manifest(manifest: Manifest) -> None:
    table = Table(title=f"Publish {manifest.project_name} → {manifest.target_site_url}")
    for column in ("change", "page", "language", "url"):
        table.add_column(column)
    for page in manifest.pages:
        table.add_row(page.change_type, page.slug, page.language, page.url or "(internal)")
    console.print(table)
    if manifest.theme_changes:
        console.print("theme changes: " + ", ".join(manifest.theme_changes))
    if manifest.nav_changes:
        console.print("navigation changes: " + ", ".join(manifest.nav_changes))
    if manifest.translations_planned:
        console.print(f"translations planned: {len(manifest.translations_planned)}")
    if manifest.lint.warnings:
        console.print(f"lint warnings: {manifest.lint.warnings}")


async def run_publish(core: Core, project_id: str, *, assume_yes: bool) -> str | None:
    operator = Principal.system(door="cli")
    # The site's absolute URLs come from the server's public URL (or one given here), never a default.
    await core.installation.public_url(required=True)
    project = await core.projects.get_project(operator, project_id)
    dry = await core.publishing.publish(operator, project_id, PublishRequest(project_name=project.name))
    show_manifest(dry.manifest)
    if not assume_yes and not typer.confirm(f"Publish these changes to {project.name}?", err=True):
        console.print("Not published.")
        return None
    started = await core.publishing.publish_confirm(
        operator,
        project_id,
        PublishConfirm(project_name=project.name, confirmation_token=dry.confirmation_token),
    )
    # Run the job here unless a server's runner already took it; either way, follow its status.
    runner = asyncio.create_task(core.runner.run_pending())
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        console=console,
    ) as progress:
        task = progress.add_task("queued", total=None)
        while True:
            status = await core.publishing.publish_status(operator, project_id, started.publish_id)
            shown = status.progress
            progress.update(task, description=shown.step, completed=shown.done, total=shown.total or None)
            if status.status != "running":
                break
            await asyncio.sleep(0.2)
    await runner
    if status.status != "succeeded":
        console.print(f"[red]Publish {status.status}[/red]: {status.error or ''}")
        return None
    console.print(
        f"Published: {status.site_url} ({status.counts.rendered or 0} pages rendered, "
        f"{status.duration_seconds or 0:.1f} s)"
    )
    return started.publish_id

"""``comstack backup``, ``restore`` and ``export``: a progress bar on stderr, a summary, the archive's or the
data directory's path on stdout, exit status 2 with the reason when refused."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from comstack_core import Core, Principal
from comstack_core.backup import create_backup, restore_backup
from comstack_core.backup.export import ExportSummary
from comstack_core.errors import DomainError

from .cli_options import DatabaseUrl, DataDir, settings_from

T = TypeVar("T")
console = Console(stderr=True, soft_wrap=True)  # messages stay whole lines for scripts and logs
SUMMARY_TABLES = ("projects", "users", "pages", "page_revisions", "images", "publishes", "audit_log")


@contextmanager
def _bar(verb: str) -> Iterator[Progress]:
    with Progress(TextColumn(f"{verb} {{task.description}}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=True) as progress:
        yield progress


Report = Callable[[str, int, int], None]


def _run(verb: str, make: Callable[[Report], Awaitable[T]]) -> T:
    async def main(report: Report) -> T:
        return await make(report)

    with _bar(verb) as progress:
        tasks: dict[str, TaskID] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total or None)
            progress.update(tasks[stage], completed=done, total=total or None)

        try:
            return asyncio.run(main(report))
        except DomainError as error:
            console.print(f"error: {error.message}", markup=False, highlight=False)
            raise typer.Exit(2) from None


def _size(path: Path) -> str:
    size = float(path.stat().st_size)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""  # pragma: no cover


def backup(
    to: Annotated[Path, typer.Option("--to", help="The archive to write (FILE.tar.gz).")],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Back up the installation while it runs: database, published sites, images, settings; prints the archive."""
    settings = settings_from(data_dir, database_url)
    started = time.monotonic()

    manifest = _run("backing up", lambda report: create_backup(settings, to, report))
    files = sum(1 for m in manifest.members if m.name.startswith("sites/"))
    blobs = sum(1 for m in manifest.members if m.name.startswith("blobs/"))
    counts = ", ".join(f"{manifest.counts.get(t, 0)} {t}" for t in SUMMARY_TABLES)
    console.print(f"Backed up {manifest.source_database} schema {manifest.schema_revision}: {counts}; "
                  f"{files} site files, {blobs} images; {_size(to)} in {time.monotonic() - started:.1f} s",
                  markup=False, highlight=False)
    for key in manifest.missing_blobs:
        console.print(f"warning: image blob {key} was missing (deleted during the backup?)", markup=False)
    typer.echo(str(to))


def restore(
    archive: Annotated[Path, typer.Argument(help="A backup made by `comstack backup` (FILE.tar.gz).")],
    data_dir: Annotated[Path, typer.Option("--data-dir", help="The data directory to restore into (empty).")],
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="Restore the database into PostgreSQL instead.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the data (and database) already there.")] = False,
) -> None:
    """Restore a backup into an empty data directory (and database); checks the whole archive first."""

    result = _run("restoring", lambda report: restore_backup(
        archive, data_dir, database_url=database_url, force=force, progress=report))
    manifest = result.manifest
    migrated = f", migrated from schema {result.migrated_from}" if result.migrated_from else ""
    console.print(
        f"Restored the backup of {manifest.created_at:%Y-%m-%d %H:%M} UTC into {result.database}{migrated}: "
        f"{manifest.counts.get('projects', 0)} projects, {manifest.counts.get('pages', 0)} pages. The archive's "
        "settings.json lists the settings it ran with (not applied: they are environment variables).",
        markup=False, highlight=False,
    )
    typer.echo(str(data_dir))


def export(
    project: Annotated[str, typer.Option(help="Project id.")],
    to: Annotated[Path, typer.Option("--to", help="A new or empty folder to write the files into.")],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Export a project as files `comstack import` reads back (Markdown, HTML, images, YAML); prints the folder."""
    settings = settings_from(data_dir, database_url)

    async def action(_report: Report) -> ExportSummary:
        async with Core.open(settings) as core:
            return await core.exports.export_project(Principal.system(door="cli"), project, to)

    summary = _run("exporting", action)
    console.print(
        f"Exported {summary.pages} pages ({summary.drafts} unpublished drafts), {summary.custom_pages} custom "
        f"pages and {summary.images} images: {len(summary.files)} files. Import them with "
        f"`comstack import {to} --project ID`.",
        markup=False, highlight=False,
    )
    typer.echo(str(to))

"""``comstack import``: a folder of Markdown (an MkDocs project, a Hugo or Docusaurus content folder) into a
project, as the operator: the plan first, then (confirmed) the import with a progress bar and a summary."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from comstack_core import Core, Principal
from comstack_core.schemas.imports import ImportReport, ImportRequest

console = Console(stderr=True)
_ACTIONS = ("create", "update", "approve", "unchanged", "conflict", "removed", "unpublished", "deleted")
_PROGRESS_FROM = 50  # pages: below this an import is over before a bar is worth drawing


def show(report: ImportReport) -> None:
    verb = "Imported" if report.applied else "Plan for"
    source = f"{report.kind}" + (f" site {report.site_name!r}" if report.site_name else "")
    table = Table(title=f"{verb} {source}")
    table.add_column("pages")
    table.add_column("count", justify="right")
    table.add_column("examples")
    for action in _ACTIONS:
        pages = [p for p in report.pages if p.action == action]
        if pages:
            table.add_row(
                action,
                str(len(pages)),
                ", ".join(p.slug for p in pages[:4]) + (" …" if len(pages) > 4 else ""),
            )
    files = Table(title="Files")
    files.add_column("status")
    files.add_column("count", justify="right")
    for status in ("imported", "converted", "skipped", "failed"):
        files.add_row(status, str(report.counts.get(f"files_{status}", 0)))
    console.print(table)
    console.print(files)
    skipped = [
        f
        for f in report.files
        if f.status == "skipped" and f.code not in ("not_markdown", "navigation_config")
    ]
    for f in skipped[:20]:
        console.print(f"[yellow]skipped[/yellow] {f.path}: {f.reason}")
    if len(skipped) > 20:
        console.print(f"… and {len(skipped) - 20} more skipped")
    for group in report.navigation:
        if group.action != "unchanged":
            console.print(f"sidebar group {group.title!r}: {group.action} ({len(group.page_slugs)} pages)")
    for page in report.pages:
        if page.action == "removed":
            console.print(
                f"[yellow]removed from the tree[/yellow] {page.source_path} (page {page.slug}); "
                "--unpublish-removed takes it down"
            )


@contextmanager
def bar() -> Iterator[Progress]:
    with Progress(
        TextColumn("importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        yield progress


async def run_import(
    core: Core, project_id: str, root: Path, request: ImportRequest, *, assume_yes: bool
) -> ImportReport | None:
    operator = Principal.system(door="cli")
    plan = await core.imports.import_tree(
        operator, project_id, root, request.model_copy(update={"plan_only": True})
    )
    if request.plan_only:
        show(plan)
        return plan
    changes = sum(p.action not in ("unchanged", "conflict", "failed") for p in plan.pages)
    if not changes and all(g.action == "unchanged" for g in plan.navigation):
        show(plan)
        console.print("Nothing to import: the project already has this tree.")
        return plan
    if not assume_yes:
        show(plan)
        if not typer.confirm(f"Import {changes} page change(s) into the project?", err=True):
            console.print("Nothing imported.")
            return None
    if len(plan.pages) < _PROGRESS_FROM:
        report = await core.imports.import_tree(operator, project_id, root, request, origin="cli")
    else:
        with bar() as progress:
            task = progress.add_task("import", total=len(plan.pages))

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            report = await core.imports.import_tree(
                operator, project_id, root, request, origin="cli", progress=advance
            )
    show(report)
    return report


def failures(report: ImportReport) -> list[str]:
    return [f"{f.path}: {f.reason or f.code}" for f in report.files if f.status == "failed"]

"""What an import would change, given what earlier imports wrote: the basis of an idempotent import.

Each page written by an import remembers its source path and the plan's `content_hash` for it (a
`SourceRecord`). Importing the same tree again then changes nothing; after edits, only pages whose
hash moved are changed; records whose file is gone are `removed` (the integration reports them and
unpublishes only on an explicit flag). A slug already held by a page that no import wrote is a
`conflict`: the import must not silently take over a page a person made.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .model import ImportPlan, PlannedPage


@dataclass(frozen=True)
class SourceRecord:
    source_path: str
    content_hash: str
    slug: str
    language: str
    page_path: str | None = None  # the page's stable id in the project, for the integration


@dataclass
class PlanChanges:
    new: list[PlannedPage] = field(default_factory=list)
    changed: list[tuple[PlannedPage, SourceRecord]] = field(default_factory=list)
    unchanged: list[tuple[PlannedPage, SourceRecord]] = field(default_factory=list)
    removed: list[SourceRecord] = field(default_factory=list)
    conflicts: list[tuple[PlannedPage, str]] = field(default_factory=list)  # page, why

    def counts(self) -> dict[str, int]:
        return {
            "new": len(self.new), "changed": len(self.changed), "unchanged": len(self.unchanged),
            "removed": len(self.removed), "conflicts": len(self.conflicts),
        }


def compare(
    plan: ImportPlan, previous: Iterable[SourceRecord], existing: Iterable[tuple[str, str]] = ()
) -> PlanChanges:
    """`previous`: the records of pages earlier imports wrote; `existing`: every (slug, language) of the
    project, so that hand-made pages are never overwritten."""
    by_source = {r.source_path: r for r in previous}
    by_slug = {(r.slug, r.language): r for r in by_source.values()}
    taken = set(existing)
    out = PlanChanges()
    matched: set[str] = set()
    for page in plan.pages:
        key = (page.slug, page.language)
        record = by_source.get(page.source_path)
        if record is not None and (record.slug, record.language) != key:
            record = None  # its slug changed: the old page is 'removed', this one is new
        if record is None:
            record = by_slug.get(key)  # a file renamed or moved, keeping its slug
        if record is None:
            if key in taken:
                out.conflicts.append(
                    (page, f"A page {page.slug!r} in {page.language} exists already and was not written by an import.")
                )
            else:
                out.new.append(page)
            continue
        matched.add(record.source_path)
        (out.unchanged if record.content_hash == page.content_hash else out.changed).append((page, record))
    out.removed = [r for r in by_source.values() if r.source_path not in matched]
    return out

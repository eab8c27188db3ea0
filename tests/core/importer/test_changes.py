"""Idempotence from source path + content hash: the same tree changes nothing, an edit changes one page."""

from __future__ import annotations

from pathlib import Path

from comstack_core.importer import ImportPlan, SourceRecord, compare, read_tree

from .trees import PNG, write


def records(plan: ImportPlan) -> list[SourceRecord]:
    return [
        SourceRecord(p.source_path, p.content_hash, p.slug, p.language, f"pg_{n}")
        for n, p in enumerate(plan.pages)
    ]


def test_reimport_edit_move_delete(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "index.md": "# Home\n\n![logo](logo.png) [a](a.md)\n",
            "a.md": "# A\n",
            "b.md": "# B\n",
            "logo.png": PNG,
        },
    )
    first = read_tree(root)
    saved = records(first)
    same = compare(read_tree(root), saved, existing=[(r.slug, r.language) for r in saved])
    assert same.counts() == {"new": 0, "changed": 0, "unchanged": 3, "removed": 0, "conflicts": 0}

    (root / "a.md").write_text("# A\n\nEdited.\n")
    (root / "logo.png").write_bytes(PNG + b"new")  # the image changed: the page showing it changes too
    (root / "b.md").rename(root / "c.md")
    write(root, {"made-by-hand.md": "# Mine\n"})
    later = compare(
        read_tree(root), saved, existing=[*((r.slug, r.language) for r in saved), ("made-by-hand", "en")]
    )
    assert sorted(p.slug for p, _ in later.changed) == ["a", "index"]
    assert [p.slug for p in later.new] == ["c"]
    assert [r.source_path for r in later.removed] == ["b.md"]
    assert [p.slug for p, _ in later.conflicts] == ["made-by-hand"]


def test_unusable_targets_keep_their_text_and_definitions_point_nowhere() -> None:
    from comstack_core.importer.links import DROP, rewrite

    lines = [
        (1, "A [broken *link*](gone.md) and ![a diagram](gone.png) and [kept](ok.md)."),
        (2, "[ref]: gone.md"),
        (3, '<img src="gone.png"> `[code](gone.md)`'),
        (4, "[outer [inner]](gone.md)"),
    ]
    out = rewrite(lines, lambda target, _: "/ok/" if target == "ok.md" else DROP)
    assert [text for _, text in out] == [
        "A broken *link* and a diagram and [kept](/ok/).",
        "[ref]: #",
        '<img src="#"> `[code](gone.md)`',
        "outer [inner]",
    ]

"""A slot's build state saved by copying the rows saved before (publishing/state_file.py): the file is, byte for
byte, the state's JSON, whichever records are new, moved, renamed or copied from other files, gone or not;
and a record keeps where its row is, not the row."""

from __future__ import annotations

import gc
import os
import random
import tracemalloc
from pathlib import Path

import pytest

from comstack_core.publishing.state_file import write_state
from comstack_core.site import BuildState
from comstack_core.site.model import PageRecord


def record(n: int, rng: random.Random, size: int = 60) -> PageRecord:
    return PageRecord(
        input_hash=f"h{n}-{rng.random()}",
        files=[f"p{n}/index.html", f"p{n}/index.md"],
        bytes=rng.randrange(10_000),
        links={"../x": "../x/", f"é{n}": "«ü»"},
        excerpt=f"Excerpt «{n}» with \"quotes\" and a \\ backslash. " * (size // 60 + 1),
        context=f"ctx{n}",
        group=n % 3,
        toc=[(2, f"h-{n}", f"Heading {n}")],
        terms="word " * size,
    )


def state(pages: dict[str, PageRecord]) -> BuildState:
    return BuildState(
        shared_hash="s", pages=pages, shared_files={"sitemap.xml": (10, "ab")}, navs={"en": "n"}, places={"en": "p"}
    )


def saved(path: Path, built: BuildState) -> str:
    write_state(path, built)
    text = path.read_text()
    assert text == built.to_json()
    assert BuildState.from_json(text) == built
    return text


def test_a_state_saved_again_and_again_is_its_json(tmp_path: Path) -> None:
    rng = random.Random(5)
    slots = [tmp_path / name for name in "abc"]
    for slot in slots:
        slot.mkdir()
    pages = {f"p{n}/index.html": record(n, rng) for n in range(120)}
    saved(slots[0] / "state.json", state(pages))
    for _ in range(40):
        keys = list(pages)
        for _ in range(rng.randrange(4)):  # edited pages: new records
            key = rng.choice(keys)
            pages[key] = record(rng.randrange(10_000), rng)
        if rng.random() < 0.3:  # pages moved in the build order
            rng.shuffle(keys)
            pages = {key: pages[key] for key in keys}
        if rng.random() < 0.2:  # a page gone, another added
            del pages[rng.choice(keys)]
            pages[f"new{rng.random()}/index.html"] = record(rng.randrange(10_000), rng)
        if rng.random() < 0.1:  # a record kept under another page's name
            a, b = rng.sample(list(pages), 2)
            pages[a], pages[b] = pages[b], pages[a]
        slot = rng.choice(slots)
        path = slot / "state.json"
        if rng.random() < 0.3:  # the slot emptied before the build, as a build does
            path.unlink(missing_ok=True)
        saved(path, state(dict(pages)))


def test_rows_of_a_file_replaced_or_removed_since_are_encoded_again(tmp_path: Path) -> None:
    rng = random.Random(1)
    pages = {f"p{n}/index.html": record(n, rng) for n in range(50)}
    first = tmp_path / "a.json"
    text = saved(first, state(pages))
    first.unlink()
    assert saved(tmp_path / "b.json", state(pages)) == text
    (tmp_path / "b.json").write_text(text)  # another file by the same name
    assert saved(tmp_path / "c.json", state(pages)) == text


def test_a_file_changed_in_place_is_not_copied_from(tmp_path: Path) -> None:
    rng = random.Random(2)
    pages = {f"p{n}/index.html": record(n, rng) for n in range(20)}
    first = tmp_path / "a.json"
    text = saved(first, state(pages))
    at = first.read_bytes().index(b'["p0/index.html"')  # where the copy of the rows starts

    def overwrite() -> None:  # what the builder never does: write into a saved state's file
        with first.open("r+b") as f:
            f.seek(at)
            f.write(b"  ")

    overwrite()
    assert saved(tmp_path / "b.json", state(pages)) == text  # its time moved: encoded again
    saved(first, state(pages))
    written = first.stat()
    overwrite()
    os.utime(first, ns=(written.st_atime_ns, written.st_mtime_ns))  # the same identity, other bytes
    with pytest.raises(RuntimeError, match="changed after it was written"):
        write_state(tmp_path / "c.json", state(pages))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.json"]


def test_a_saved_record_keeps_where_its_row_is_not_the_row(tmp_path: Path) -> None:
    rng = random.Random(3)
    pages = {f"p{n}/index.html": record(n, rng, size=4000) for n in range(500)}
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        saved(tmp_path / "a.json", state(pages))
        saved(tmp_path / "b.json", state(pages))
        per_page = (tracemalloc.get_traced_memory()[0] - before) / len(pages)
    finally:
        tracemalloc.stop()
    assert per_page < 400, f"{per_page:.0f} bytes a page kept after saving"


@pytest.mark.parametrize("kernel_copy", ["refused", "absent"])
def test_rows_are_copied_by_reading_where_the_kernel_does_not_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kernel_copy: str
) -> None:
    rng = random.Random(4)
    pages = {f"p{n}/index.html": record(n, rng, size=3000) for n in range(400)}  # over a megabyte of rows
    text = saved(tmp_path / "a.json", state(pages))
    if kernel_copy == "absent":
        monkeypatch.delattr(os, "copy_file_range", raising=False)
    else:

        def refused(*args: object) -> int:
            raise OSError(18, "Invalid cross-device link")

        monkeypatch.setattr(os, "copy_file_range", refused)
    pages["p9/index.html"] = record(9999, rng)
    assert saved(tmp_path / "b.json", state(pages)) != text


def test_a_save_leaves_no_object_per_record_for_the_collector(tmp_path: Path) -> None:
    """Objects made per record and kept would bring the interpreter's full garbage collections, each over
    every object of the site, after every few builds of a large site."""
    rng = random.Random(6)
    built = state({f"p{n}/index.html": record(n, rng) for n in range(2000)})
    write_state(tmp_path / "a.json", built)
    gc.collect()
    existing = gc.get_objects()  # held, so that no new object can take the place (and id) of an old one
    known = set(map(id, existing))
    write_state(tmp_path / "b.json", built)
    made = [o for o in gc.get_objects() if id(o) not in known]
    del existing
    assert len(made) < 20, f"{len(made)} objects the collector tracks made by a save of 2,000 records"

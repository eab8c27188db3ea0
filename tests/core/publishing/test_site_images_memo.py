"""The published images a build uses, remembered between builds (publishing/site_images.py): after every
kind of change — the same pages again, a page edited, an image deleted or uploaded, another site address
— the remembered answer equals the one worked out from nothing, and placing files in a slot adds exactly
the missing ones."""

from __future__ import annotations

import os
import random
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from comstack_core.models import Project
from comstack_core.publishing.site_images import (
    SiteImages,
    _ByPage,
    _folder_state,
    _Memo,
    _named,
    _settled,
    place_images,
    site_images,
    with_images,
)
from comstack_core.schemas.images import ImageDelete
from comstack_core.services.images import ImageStorage
from comstack_core.site import SitePage

from ...conftest import World
from ..images.factory import encode, natural

BASE = "https://docs.example.com/sites/acme/"
PUBLIC = "https://docs.example.com"


def page(page_id: str, content: str, revision: str) -> SitePage:
    return SitePage(
        id=page_id, slug=page_id, language="en", title=page_id.title(), description="", page_type="knowledge",
        content=content, body_html=None, translatable_strings={}, canonical_slug=page_id, doc_template_id="docs",
        schema_org_type="", schema_org_fields={}, metadata={}, updated_at=datetime(2026, 1, 1, tzinfo=UTC),
        revision=revision,
    )


def test_pages_that_name_no_image_share_one_empty_set() -> None:
    """A runner remembers the images of every page of every site it builds; at 50,000 pages an empty set
    of its own for each page without an image would cost 10 MB."""
    image = "img_" + "a" * 24
    pages = [page(f"p{i}", "No pictures here.\n", f"r{i}") for i in range(5)]
    pages.append(page("pic", f"![a](image:{image})\n", "r9"))
    memo = _Memo()
    assert _named(memo, pages)
    assert memo.named == {image: 1}
    *empty, named = memo.mentions.in_order(pages)
    assert named == {image} and empty == [frozenset()] * 5
    assert all(ids is empty[0] for ids in empty)


async def generation(world: World) -> int:
    async with world.core.db.read() as session:
        return (await session.get_one(Project, world.project_id)).image_generation


async def answers(
    world: World, remembered: ImageStorage, pages: list[SitePage], base: str = BASE
) -> tuple[SiteImages, list[SitePage]]:
    """The remembering storage's answer, checked against a storage that has never seen the project."""
    async with world.core.db.read() as session:
        project = await session.get_one(Project, world.project_id)
        kept = await site_images(session, project, pages, base, remembered)
        fresh = await site_images(session, project, pages, base, ImageStorage(world.core.settings))
    assert kept == fresh
    rewritten = with_images(pages, kept, PUBLIC)
    assert rewritten == with_images(pages, fresh, PUBLIC)
    return kept, rewritten


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_remembered_images_equal_a_fresh_answer_after_each_change(world: World, tmp_path: Path) -> None:
    core = world.core
    stored = [
        await core.images.store_image(world.editor, world.project_id, encode(natural(700, 400, seed), "PNG"), alt="x")
        for seed in (1, 2, 3)
    ]
    one, two, three = (image.reference for image in stored)
    memo = ImageStorage(core.settings)
    pages = [
        page("a", f"![a]({one})\n\n![b]({two})\n", "r1"),
        page("b", f"![c]({three})\n", "r2"),
        page("c", "No pictures here.\n", "r3"),
    ]
    first, rewritten = await answers(world, memo, pages)
    assert len(first.urls) == 3 and one not in rewritten[0].content and first.urls[stored[0].id] in rewritten[0].content

    # The same page objects again: the same answer, and the same pages, without working them out again.
    again, rewritten_again = await answers(world, memo, pages)
    assert again is first
    assert all(x is y for x, y in zip(rewritten_again, rewritten, strict=True))

    # A page edited (a new object): it now shows the first image only.
    pages[1] = page("b", f"![a again]({one})\n", "r4")
    edited, rewritten = await answers(world, memo, pages)
    assert set(edited.urls) == {stored[0].id, stored[1].id}

    # The third image named again, then deleted: the remembered answer drops it as a fresh one does.
    pages[2] = page("c", f"![c]({three})\n", "r5")
    await answers(world, memo, pages)
    await core.images.delete_image(world.manager, world.project_id, stored[2].id,
                                   ImageDelete(project_name=world.project_name))
    deleted, _ = await answers(world, memo, pages)
    assert stored[2].id not in deleted.urls and len(deleted.urls) == 2

    # A new upload named by a page, and another address for the site. Uploads and deletions move the
    # project's image generation, which is how a build learns that the images changed.
    before = await generation(world)
    fourth = await core.images.store_image(world.editor, world.project_id, encode(natural(500, 300, 4), "JPEG"))
    assert await generation(world) == before + 1
    pages.append(page("d", f"![d]({fourth.reference})\n", "r6"))
    added, _ = await answers(world, memo, pages)
    assert fourth.id in added.urls
    moved, _ = await answers(world, memo, pages, base="https://elsewhere.example.org/")
    assert all(url.startswith("https://elsewhere.example.org/") for url in moved.urls.values())

    # The same pages in another order, then one page gone from the middle (the only one naming its image),
    # then back, and a page naming twice what another names: counted per page object, not per list position.
    pages.reverse()
    reordered, rewritten = await answers(world, memo, pages)
    assert reordered == added and [p.id for p in rewritten] == [p.id for p in pages]
    only_fourth = next(k for k, p in enumerate(pages) if p.id == "d")
    without = pages[:only_fourth] + pages[only_fourth + 1 :]
    dropped, _ = await answers(world, memo, without)
    assert fourth.id not in dropped.urls and set(dropped.urls) == set(added.urls) - {fourth.id}
    back, _ = await answers(world, memo, pages)
    assert set(back.urls) == set(added.urls)
    pages.append(page("e", f"![a]({one})\n\n![a twice]({one})\n", "r7"))
    await answers(world, memo, pages)
    pages = [p for p in pages if p.id != "a"]
    still, _ = await answers(world, memo, pages)
    assert stored[0].id in still.urls  # "b" and "e" still name it

    # Placing: every file the first time, then only what went missing from the slot.
    out = tmp_path / "slot"
    assert sorted(place_images(out, moved, memo)) == sorted(moved.files)
    assert place_images(out, moved, memo) == []
    gone = sorted(moved.files)[0]
    (out / gone).unlink()
    assert place_images(out, moved, memo) == [gone]


def test_a_settled_folder_is_not_read_again_until_it_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    storage = ImageStorage.__new__(ImageStorage)  # only the placement memo and a blob store are used
    storage.placed = {}
    placed: list[str] = []

    class Blobs:
        def place(self, key: str, target: Path) -> None:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(key)
            placed.append(target.name)

    storage.blobs = Blobs()  # type: ignore[assignment]
    images = SiteImages({}, {}, {f"assets/img/{n}.webp": f"blob{n}" for n in range(3)})
    out = tmp_path / "slot"
    assert len(place_images(out, images, storage)) == 3
    folder = out / "assets/img"
    long_ago = 1_700_000_000
    os.utime(folder, (long_ago, long_ago))  # the folder has not changed for a while
    assert place_images(out, images, storage) == []  # read once more, then remembered

    def no_listing(path: object) -> list[str]:
        raise AssertionError("the folder was read again")

    monkeypatch.setattr(os, "listdir", no_listing)
    assert place_images(out, images, storage) == []
    monkeypatch.undo()
    (folder / "1.webp").unlink()  # the folder changes: read again, the missing file placed
    assert place_images(out, images, storage) == ["assets/img/1.webp"]
    other = SiteImages({}, {}, dict(images.files))  # other images (an equal answer, another object): read again
    monkeypatch.setattr(os, "listdir", no_listing)
    with pytest.raises(AssertionError):
        place_images(out, other, storage)


def test_how_long_a_folder_must_stay_unchanged_follows_its_clock(tmp_path: Path) -> None:
    """A file system with sub-second times steps its clock by the kernel's tick: a folder unchanged for a
    few tenths of a second is settled. One with whole-second times may hide a change for up to two seconds."""
    folder = tmp_path / "img"
    folder.mkdir()

    def settled_at(mtime_ns: int) -> bool:
        os.utime(folder, ns=(mtime_ns, mtime_ns))
        state = _folder_state(folder)
        assert state is not None and state[1] == mtime_ns
        return _settled(state)

    def ago(ns: int) -> int:  # that long ago, off any whole second
        then = time.time_ns() - ns
        return then if then % 1_000_000_000 else then - 1

    assert settled_at(ago(300_000_000))
    assert not settled_at(ago(10_000_000))
    whole = ago(300_000_000) // 1_000_000_000 * 1_000_000_000  # 0.3 to 1.3 s ago, on a whole second
    assert not settled_at(whole)
    assert settled_at(whole - 2_000_000_000)
    assert _settled(None)


def test_what_is_kept_per_page_follows_the_page_objects_in_any_list() -> None:
    """Against the plain answer (set differences of the objects in the two lists), over random lists drawn
    from a few objects: edits, reorders, insertions, removals, and the same object twice."""
    pool = [page(f"p{n}", "", f"r{n}") for n in range(12)]
    kept: _ByPage[str] = _ByPage()
    present: list[SitePage] = []
    rng = random.Random(7)
    for _ in range(2000):
        pages = list(present)
        move = rng.randrange(5)
        if move == 0 or not pages:
            pages.insert(rng.randrange(len(pages) + 1), rng.choice(pool))
        elif move == 1:
            pages.pop(rng.randrange(len(pages)))
        elif move == 2:
            pages[rng.randrange(len(pages))] = rng.choice(pool)
        elif move == 3:
            rng.shuffle(pages)
        went, new = kept.update(pages)
        before, now = {id(p) for p in present}, {id(p) for p in pages}
        assert {id(p) for p in new} == now - before and len(new) == len(now - before)
        assert sorted(went) == sorted({p.id for p in present if id(p) not in now})
        for p in new:
            kept.add(p, p.id)
        assert kept.in_order(pages) == [p.id for p in pages]
        present = pages

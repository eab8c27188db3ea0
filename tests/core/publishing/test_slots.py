"""Deployment slots share unchanged files by hard links: the first publish leaves the idle slots holding
copies of its site, and a slot catches up with the served build by linking what changed since its own, so
every publish renders and checks only what changed for it; no publish changes a file of the served (or the
kept) deployment; and every deployment equals a full build of its content."""

from __future__ import annotations

from pathlib import Path

import pytest

from comstack_core import Settings
from comstack_core.errors import Conflict
from comstack_core.publishing import deploy
from comstack_core.publishing.plan import plan_dir
from comstack_core.schemas import PageRef, PageStatusUpdate, PageUpdate, PublishRequest
from comstack_core.site import builder

from .conftest import Pub
from .harness import add_ready_pages, publish_and_run, reference_build, served_dir, served_slot, snapshot

PAGES = [
    (f"docs/p{i}", f"Page {i}", f"# Page {i}\n\nSee [the next](/docs/p{(i + 1) % 12}).\n") for i in range(12)
]


def inodes(directory: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(directory).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in directory.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }


async def edit(pub: Pub, slug: str, content: str) -> None:
    core, editor, pid = pub.core, pub.world.editor, pub.project_id
    page = await core.pages.get_page(editor, pid, PageRef(slug=slug))
    await core.editing.update_page(
        editor, pid, PageRef(slug=slug), PageUpdate(base_version=page.version, content=content)
    )
    await core.pages.set_page_status(
        editor, pid, PageRef(slug=slug), PageStatusUpdate(status="ready", project_name=pub.name)
    )


@pytest.fixture(params=[True, False], ids=["dry-run-checked", "unchecked"])
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    return settings.model_copy(update={"publish_check_plan": request.param})


async def test_publishes_after_the_first_render_only_what_changed(pub: Pub, tmp_path: Path) -> None:
    core, manager, pid = pub.core, pub.world.manager, pub.project_id
    sites = core.settings.sites_dir
    # When the dry run built and checked the planned site, the job starts from that build: it renders
    # nothing of its own (its counts include the dry run's build) and checks only what it wrote.
    checked = core.settings.publish_check_plan
    await add_ready_pages(core, pub.world.editor, pid, pub.name, PAGES)
    first = await publish_and_run(core, manager, pid, pub.name)
    assert first.status == "succeeded", first.error
    assert "seed" in first.timings
    assert (first.counts.rendered, first.counts.gate) == (12, "changed files" if checked else "full")
    if checked:  # the served site is the dry run's build itself, file for file (links, nothing rendered again)
        assert inodes(served_dir(core, pid)) == inodes(plan_dir(sites, pid))
    served = served_slot(core, pid)
    links = inodes(served_dir(core, pid))
    for slot in set(deploy.SLOTS) - {served}:
        # The idle slots are the same site, file for file the same inodes.
        assert inodes(deploy.slot_path(sites, pid, slot)) == links

    history = []
    for n in range(4):
        await edit(pub, f"docs/p{n}", f"# Page {n}\n\nVersion {n + 2}, see [p5](/docs/p5).\n")
        before_slot = served_slot(core, pid)
        before, before_links = snapshot(served_dir(core, pid)), inodes(served_dir(core, pid))
        status = await publish_and_run(core, manager, pid, pub.name)
        assert status.status == "succeeded", status.error
        assert status.counts.gate == "changed files"
        assert "seed" not in status.timings
        # The deployment it replaced (kept for a revert) did not change under its readers.
        old = deploy.slot_path(sites, pid, before_slot)
        assert snapshot(old) == before and inodes(old) == before_links
        assert snapshot(served_dir(core, pid)) == await reference_build(core, pid, tmp_path / f"ref-{n}")
        history.append(status)
    # A slot first takes the files of the dry run's build, or else of the served build, for the pages edited
    # since its own build (links), so each publish renders at most the page edited for it.
    assert [s.counts.rendered for s in history] == [1, 1, 1, 1]


def test_catch_up_links_what_differs_and_gives_the_other_build(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from comstack_core.publishing.build import catch_up
    from comstack_core.site import SiteConfig, SitePage, build_site

    def page(slug: str, text: str) -> SitePage:
        return SitePage(
            id=slug, slug=slug, language="en", title=slug.title(), description="", page_type="knowledge",
            content=text, body_html=None, translatable_strings={}, canonical_slug=slug, doc_template_id="docs",
            schema_org_type="TechArticle", schema_org_fields={}, metadata={},
            updated_at=datetime(2025, 1, 1, tzinfo=UTC),
        )  # fmt: skip

    config = SiteConfig("Docs", "docs", "https://example.com/", "en", ["en"])
    old = [page("index", "Home."), page("a", "A [b](/b)."), page("b", "B."), page("gone", "Gone.")]
    new = [page("index", "Home."), page("a", "A, edited [b](/b)."), page("b", "B."), page("c", "C.")]
    have = build_site(config, old, tmp_path / "slot").state
    want = build_site(config, new, tmp_path / "served").state
    served = inodes(tmp_path / "served")
    before = inodes(tmp_path / "slot")
    assert catch_up(tmp_path / "slot", have, tmp_path / "served", want)
    assert snapshot(tmp_path / "slot") == snapshot(tmp_path / "served")
    now = inodes(tmp_path / "slot")
    assert now["b/index.html"] == before["b/index.html"]  # unchanged: not touched
    assert now["a/index.html"] == served["a/index.html"]  # changed: a link to the served file
    assert inodes(tmp_path / "served") == served
    themed = build_site(
        SiteConfig("Docs", "docs", "https://example.com/", "en", ["en"], theme={"dark_mode": "dark"}),
        new,
        tmp_path / "t",
    ).state
    assert not catch_up(tmp_path / "slot", want, tmp_path / "t", themed)  # theme differs: clone instead


async def test_a_deleted_page_leaves_the_site_at_the_next_publish(pub: Pub, tmp_path: Path) -> None:
    core, manager, pid = pub.core, pub.world.manager, pub.project_id
    await add_ready_pages(
        core, pub.world.editor, pid, pub.name, [*PAGES, ("extra/alone", "Alone", "Nobody links here.")]
    )
    assert (await publish_and_run(core, manager, pid, pub.name)).status == "succeeded"
    assert (served_dir(core, pid) / "extra/alone/index.html").exists()
    await edit(pub, "docs/p3", "# Page 3\n\nEdited too.\n")
    await core.pages.delete_page(manager, pid, PageRef(slug="extra/alone"), pub.name)

    dry = await core.publishing.publish(manager, pid, PublishRequest(project_name=pub.name))
    assert {(p.slug, p.change_type) for p in dry.manifest.pages} == {
        ("docs/p3", "updated"),
        ("extra/alone", "removed"),
    }
    status = await publish_and_run(core, manager, pid, pub.name)
    assert status.status == "succeeded", status.error
    assert not (served_dir(core, pid) / "extra").exists()
    assert snapshot(served_dir(core, pid)) == await reference_build(core, pid, tmp_path / "ref")
    # Nothing left to publish: the deletion is not listed again.
    with pytest.raises(Conflict):
        await core.publishing.publish(manager, pid, PublishRequest(project_name=pub.name))


async def test_builds_after_the_first_patch_the_previous_one(
    pub: Pub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dry run's check and the job lend each other their unchanged page objects, so the build that
    follows either finds the pages that changed by identity and patches the previous build (index,
    navigation, site-wide files), instead of redoing them from every page; and each page is held once."""
    core, manager, pid = pub.core, pub.world.manager, pub.project_id
    await add_ready_pages(core, pub.world.editor, pid, pub.name, PAGES)
    assert (await publish_and_run(core, manager, pid, pub.name)).status == "succeeded"
    found: list[int | None] = []

    def spy(*args: object) -> object:
        changed = memo_changed(*args)
        found.append(None if changed is None else len(changed))
        return changed

    memo_changed = builder.changed_pages
    monkeypatch.setattr(builder, "changed_pages", spy)
    for n in range(3):
        await edit(pub, f"docs/p{n}", f"# Page {n}\n\nVersion {n + 2}.\n")
        assert (await publish_and_run(core, manager, pid, pub.name)).status == "succeeded"
    # One edited page for the check's build (from the served build), none for the job's (from the check's).
    assert found == ([1, 0] if core.settings.publish_check_plan else [1]) * 3
    if core.settings.publish_check_plan:
        job, plan = core.runner.inputs.for_job(pid)
        assert plan is not None and len(plan.pages) == len(job.pages) == len(PAGES)
        assert all(plan.pages[key][1] is page for key, (_, page) in job.pages.items())

"""`comstack backup` while writers keep writing, then `comstack restore`: every page acknowledged before the
backup started is back, whole, and the restored server serves the same site bytes; refusals exit 2."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from comstack_core import Core, Settings
from comstack_core.models import Page
from comstack_core.schemas import PageCreate, PageRef, PageUpdate, ProjectCreate
from comstack_http.app import create_app

from ...conftest import REPO, World
from ...core.backup.site import publish_site
from ...core.publishing.harness import served_dir, snapshot
from ...lifespan import running

WRITERS = 4


@pytest.fixture
def backend() -> str:
    return "sqlite"


def _body(writer: int, n: int) -> str:
    # Long enough to span several database pages, so a torn write would show as a cut body.
    return f"# Write {writer}-{n}\n\n" + "\n".join(f"line {k} of {writer}-{n}" for k in range(400)) + "\n\nend."


async def _cli(*args: str, settings: Settings | None = None) -> tuple[int, str, str]:
    env = {**os.environ}
    env.pop("COMSTACK_DATABASE_URL", None)
    if settings is not None:
        env["COMSTACK_DATA_DIR"] = str(settings.data_dir)
        env["COMSTACK_DATABASE_URL"] = settings.resolved_database_url()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "comstack_http.cli", *args, cwd=REPO, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 300)
    return proc.returncode or 0, out.decode(), err.decode()


async def test_backup_under_concurrent_writes_restores_every_acknowledged_page(world: World, tmp_path: Path) -> None:
    core = world.core
    await publish_site(core, world.manager, world.project_id, world.project_name)
    # Each writer creates its own pages now and then and keeps rewriting one of them (title and body carry
    # the same counter, so a torn write would show as a mismatch).
    acked: list[tuple[str, int, float]] = []
    stop, warm = asyncio.Event(), asyncio.Event()  # warm: every writer has written a few times

    async def writer(w: int) -> None:
        made = await core.editing.create_page(
            world.editor, world.project_id, PageCreate(slug=f"w{w}/main", title=f"Write {w}-0", content=_body(w, 0))
        )
        version, n = made.page.version, 0
        acked.append((f"w{w}/main", 0, time.monotonic()))
        while not stop.is_set():
            n += 1
            if n % 10 == 0 and n <= 100:
                slug = f"w{w}/p{n}"
                await core.editing.create_page(
                    world.editor, world.project_id, PageCreate(slug=slug, title=f"Write {w}-{n}", content=_body(w, n))
                )
            else:
                slug = f"w{w}/main"
                saved = await core.editing.update_page(
                    world.editor, world.project_id, PageRef(slug=slug),
                    PageUpdate(base_version=version, title=f"Write {w}-{n}", content=_body(w, n)),
                )
                version = saved.page.version
            acked.append((slug, n, time.monotonic()))
            if len({s.split("/")[0] for s, *_ in acked}) == WRITERS and len(acked) >= 3 * WRITERS:
                warm.set()

    writers = [asyncio.create_task(writer(w)) for w in range(WRITERS)]
    await asyncio.wait_for(warm.wait(), 120)
    started = time.monotonic()
    archive = tmp_path / "backups" / "site.tar.gz"
    code, out, err = await _cli("backup", "--to", str(archive), settings=core.settings)
    stop.set()
    await asyncio.gather(*writers)
    assert code == 0, err
    assert out.strip() == str(archive) and "Backed up sqlite" in err
    before: dict[str, int] = {}  # page -> the last write acknowledged before the backup started
    for slug, n, at in acked:
        if at < started:
            before[slug] = max(n, before.get(slug, 0))
    assert len(before) >= WRITERS and any(at >= started for *_, at in acked), "the writers did not overlap"

    restored_dir = tmp_path / "restored"
    code, out, err = await _cli("restore", str(archive), "--data-dir", str(restored_dir))
    assert code == 0, err
    assert out.strip() == str(restored_dir)
    settings = Settings(data_dir=restored_dir, public_url=core.settings.public_url)
    async with Core.open(settings) as restored:
        async with restored.db.read() as session:
            slugs = set((await session.exec(select(Page.slug).where(Page.project_id == world.project_id))).all())
        assert set(before) <= slugs
        for slug in sorted(s for s in slugs if s.startswith("w")):
            page = await restored.pages.get_page(world.editor, world.project_id, PageRef(slug=slug))
            w, n = (int(x) for x in page.title.removeprefix("Write ").split("-"))
            assert slug.startswith(f"w{w}/") and page.content == _body(w, n), f"{slug} is not whole"
            assert n >= before.get(slug, 0), f"{slug} lost a write acknowledged before the backup"
        await _same_site_bytes(core, restored, world)


async def _same_site_bytes(original: Core, restored: Core, world: World) -> None:
    project_id = world.project_id
    files = snapshot(served_dir(original, project_id))
    assert files == snapshot(served_dir(restored, project_id))
    project = await original.projects.get_project(world.manager, project_id)
    async with running(create_app(restored.settings, core=restored)) as app:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            for name in files:
                served = await http.get(f"/sites/{project.slug}/{name}")
                assert served.status_code == 200, name
                assert served.content == (served_dir(original, project_id) / name).read_bytes(), name


async def test_restore_refusals_exit_2_and_write_nothing(world: World, tmp_path: Path) -> None:
    archive = tmp_path / "b.tar.gz"
    code, _, err = await _cli("backup", "--to", str(archive), settings=world.core.settings)
    assert code == 0, err
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(archive.read_bytes()[:-200])
    code, out, err = await _cli("restore", str(cut), "--data-dir", str(tmp_path / "target"))
    assert code == 2 and out == "" and "error: The archive is damaged or incomplete" in err
    assert not (tmp_path / "target").exists()
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "comstack.db").write_bytes(b"someone's database")
    code, out, err = await _cli("restore", str(archive), "--data-dir", str(occupied))
    assert code == 2 and "is not empty" in err and "--force" in err
    assert [p.name for p in occupied.iterdir()] == ["comstack.db"]
    assert (occupied / "comstack.db").read_bytes() == b"someone's database"


async def test_export_then_import_from_the_shell(world: World, tmp_path: Path) -> None:
    core = world.core
    await publish_site(core, world.manager, world.project_id, world.project_name)
    out = tmp_path / "export"
    code, stdout, err = await _cli("export", "--project", world.project_id, "--to", str(out), settings=core.settings)
    assert code == 0, err
    assert stdout.strip() == str(out) and "Exported 4 pages (0 unpublished drafts), 0 custom pages and 2 images" in err
    copy = await core.projects.create_project(world.manager, ProjectCreate(name="Acme Copy"))
    code, _, err = await _cli("import", str(out), "--project", copy.id, "--yes", "--approve", settings=core.settings)
    assert code == 0, err
    listed = await core.pages.list_pages(world.manager, copy.id)
    assert sorted(p.slug for p in listed.pages) == ["guides/setup", "guides/use", "index", "reference/api"]
    code, _, err = await _cli("export", "--project", world.project_id, "--to", str(out), settings=core.settings)
    assert code == 2 and "is not empty" in err

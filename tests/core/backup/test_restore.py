"""Backup and restore through the core: a round trip keeps every row, the sites and the referenced images
(and only those); each refusal names its reason and writes nothing; older schemas are migrated forward."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import tarfile
from contextlib import closing
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine

from comstack_core import Core, Settings
from comstack_core.backup import BackupError, create_backup, restore_backup
from comstack_core.db import MIGRATIONS_DIR
from comstack_core.images.blobs import FileBlobStore
from comstack_core.schemas.images import ImageFilter

from ...conftest import World
from ..publishing.harness import served_dir, snapshot
from .site import png, publish_site


@pytest.fixture
def backend() -> str:
    return "sqlite"


def _listing(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) if root.exists() else []


def _rewrite(archive: Path, out: Path, change: dict[str, bytes]) -> None:
    """The archive with some members' bytes replaced (the manifest left as it was, unless named)."""
    with tarfile.open(archive, "r:gz") as src, tarfile.open(out, "w:gz") as dst:
        for info in src.getmembers():
            data = src.extractfile(info).read() if info.isreg() else None  # type: ignore[union-attr]
            if info.name in change:
                data = change[info.name]
                info.size = len(data)
            dst.addfile(info, io.BytesIO(data) if data is not None else None)


async def test_round_trip_keeps_rows_sites_and_only_referenced_images(world: World, tmp_path: Path) -> None:
    core = world.core
    images = await publish_site(core, world.manager, world.project_id, world.project_name)
    orphan = FileBlobStore.in_data_dir(core.settings.data_dir).put(b"not referenced by any image")
    _leftover(core.settings.sites_dir / ".deleted-prj_gone-1234")  # a deleted project's site on its way out
    before = snapshot(served_dir(core, world.project_id))

    manifest = await create_backup(core.settings, tmp_path / "b.tar.gz")
    names = {m.name for m in manifest.members}
    assert f"blobs/{orphan[:2]}/{orphan[2:4]}/{orphan}" not in names
    assert manifest.counts["images"] == 2 and manifest.counts["pages"] == 4 and not manifest.missing_blobs

    result = await restore_backup(tmp_path / "b.tar.gz", tmp_path / "restored")
    assert result.database == "sqlite" and result.migrated_from is None
    settings = Settings(data_dir=tmp_path / "restored", public_url=core.settings.public_url)
    async with Core.open(settings) as restored:
        assert snapshot(served_dir(restored, world.project_id)) == before
        for image_id in images:
            view = await restored.images.get_image(world.manager, world.project_id, image_id)
            assert restored.images.storage.blobs.read(view.sha256)[:8] == b"\x89PNG\r\n\x1a\n"
        listed = await restored.pages.list_pages(world.manager, world.project_id)
        assert sorted(p.slug for p in listed.pages) == ["guides/setup", "guides/use", "index", "reference/api"]
    assert not (tmp_path / "restored" / "blobs" / orphan[:2] / orphan[2:4] / orphan).exists()
    assert not any(name.startswith("sites/.") for name in names)


def _leftover(path: Path) -> None:
    path.mkdir(parents=True)
    (path / "index.html").write_text("gone")


def _cut(archive: Path, out: Path) -> Path:
    data = archive.read_bytes()
    out.parent.mkdir()
    out.write_bytes(data[: len(data) * 2 // 3])
    return out


@pytest.fixture
async def archive(world: World, tmp_path: Path) -> Path:
    await world.core.images.store_image(world.manager, world.project_id, png((1, 2, 3)), alt="x")
    path = tmp_path / "good.tar.gz"
    await create_backup(world.core.settings, path)
    return path


async def _refused(archive: Path, target: Path, code: str, **options: object) -> str:
    before = _listing(target.parent)
    with pytest.raises(BackupError) as refused:
        await restore_backup(archive, target, **options)  # type: ignore[arg-type]
    assert refused.value.code == code, refused.value.message
    assert _listing(target.parent) == before, "a refused restore wrote something"
    return refused.value.message


async def test_truncated_archive_is_refused(archive: Path, tmp_path: Path) -> None:
    cut = _cut(archive, tmp_path / "in" / "cut.tar.gz")
    message = await _refused(cut, tmp_path / "in" / "target", "backup_damaged")
    assert "damaged or incomplete" in message and "nothing was restored" in message


async def test_changed_member_is_refused(archive: Path, tmp_path: Path) -> None:
    tampered = tmp_path / "in" / "tampered.tar.gz"
    tampered.parent.mkdir()
    _rewrite(archive, tampered, {"settings.json": b'{"public_url": "http://evil.example"}'})
    message = await _refused(tampered, tmp_path / "in" / "target", "backup_damaged")
    assert "settings.json does not match its checksum" in message


async def test_newer_schema_is_refused(archive: Path, tmp_path: Path) -> None:
    with tarfile.open(archive, "r:gz") as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    manifest["schema_revision"] = "9999"
    newer = tmp_path / "in" / "newer.tar.gz"
    newer.parent.mkdir()
    _rewrite(archive, newer, {"manifest.json": json.dumps(manifest).encode()})
    message = await _refused(newer, tmp_path / "in" / "target", "backup_schema_newer")
    assert "9999" in message and "newer than this ComStack" in message


async def test_non_empty_target_needs_force(archive: Path, tmp_path: Path) -> None:
    target = tmp_path / "in" / "target"
    target.mkdir(parents=True)
    (target / "notes.txt").write_text("mine")
    message = await _refused(archive, target, "restore_target_not_empty")
    assert "--force" in message
    await restore_backup(archive, target, force=True)
    assert (target / "comstack.db").is_file() and (target / "notes.txt").read_text() == "mine"


async def test_older_schema_is_migrated_forward(world: World, archive: Path, tmp_path: Path) -> None:
    work = tmp_path / "old"
    work.mkdir()
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(work, filter="data")
    database = work / "database" / "comstack.db"
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with create_engine(f"sqlite:///{database}").begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "-1")
    with closing(sqlite3.connect(database)) as conn:
        old = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    manifest = json.loads((work / "manifest.json").read_text())
    manifest["schema_revision"] = old
    for member in manifest["members"]:
        if member["name"] == "database/comstack.db":
            member["sha256"] = hashlib.sha256(database.read_bytes()).hexdigest()
            member["size"] = database.stat().st_size
    (work / "manifest.json").write_text(json.dumps(manifest))
    older = tmp_path / "older.tar.gz"
    with tarfile.open(older, "w:gz") as tar:
        for member in manifest["members"]:
            tar.add(work / member["name"], member["name"])
        tar.add(work / "manifest.json", "manifest.json")

    result = await restore_backup(older, tmp_path / "restored")
    assert result.migrated_from == old
    async with Core.open(Settings(data_dir=tmp_path / "restored")) as restored:
        listed = await restored.images.list_images(world.manager, world.project_id, ImageFilter())
        assert len(listed.images) == 1


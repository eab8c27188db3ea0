"""Files the importer refuses one by one (reported), and trees or archives it refuses as a whole."""

from __future__ import annotations

import io
import os
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest

from comstack_core.importer import (
    ArchiveLimits,
    ArchiveRefused,
    ArchiveTooLarge,
    ImportLimits,
    ImportOptions,
    ImportRefused,
    extract_archive,
    read_tree,
)

from .trees import write


def test_bad_files_fail_alone_with_their_reason(tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("# Outside\n")
    root = write(tmp_path / "docs", {
        "good.md": "# Good\n",
        "broken.md": "---\ntitle: [unclosed\n---\nBody\n",
        "never-closed.md": "---\ntitle: x\n",
        "binary.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00",
        "latin1.md": "caf\xe9".encode("latin-1"),
        "list.md": "---\n- a\n- b\n---\n",
    })
    with open(root / "huge.md", "wb") as fh:  # 20 MB, sparse: refused from its size, never read
        fh.truncate(20 * 1024 * 1024)
    (root / "escape.md").symlink_to(outside)
    (root / "dangling.md").symlink_to(root / "nothing.md")
    (root / "inside.md").symlink_to(root / "good.md")
    plan = read_tree(root)
    status = {f.path: (f.status, f.code) for f in plan.files}
    assert status["good.md"] == ("imported", "")
    assert status["broken.md"] == ("failed", "front_matter_invalid")
    assert status["never-closed.md"] == ("failed", "front_matter_invalid")
    assert status["binary.md"] == ("failed", "binary_file")
    assert status["latin1.md"] == ("failed", "not_utf8")
    assert status["list.md"] == ("failed", "front_matter_invalid")
    assert status["huge.md"] == ("failed", "file_too_large")
    assert status["escape.md"] == ("failed", "symlink_outside")
    assert status["dangling.md"] == ("failed", "symlink_broken")
    assert status["inside.md"] == ("imported", "")
    broken = next(f for f in plan.files if f.path == "broken.md")
    assert "Invalid YAML front matter" in broken.reason and "line" in broken.reason
    assert "20.0 MB" in next(f for f in plan.files if f.path == "huge.md").reason
    assert sorted(p.slug for p in plan.pages) == ["good", "inside"]


def test_whole_tree_refusals(tmp_path: Path) -> None:
    root = write(tmp_path / "many", {f"p{i}.md": f"# {i}\n" for i in range(30)})
    with pytest.raises(ImportRefused) as many:
        read_tree(root, ImportOptions(limits=ImportLimits(max_files=20)))
    assert many.value.code == "too_many_files"
    with pytest.raises(ImportRefused) as total:
        read_tree(root, ImportOptions(limits=ImportLimits(max_total_bytes=40)))
    assert total.value.code == "tree_too_large"
    with pytest.raises(ImportRefused) as missing:
        read_tree(tmp_path / "nope")
    assert missing.value.code == "not_a_folder"
    write(tmp_path / "mk", {"mkdocs.yml": "site_name: x\ndocs_dir: ../elsewhere\n"})
    with pytest.raises(ImportRefused) as docs_dir:
        read_tree(tmp_path / "mk")
    assert docs_dir.value.code == "docs_dir_missing"
    write(tmp_path / "bad", {"mkdocs.yml": "site_name: [x\n"})
    with pytest.raises(ImportRefused) as config:
        read_tree(tmp_path / "bad")
    assert config.value.code == "config_invalid" and "line" in config.value.message


def _zip(entries: list[tuple[str, bytes, int | None]]) -> io.BytesIO:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data, mode in entries:
            info = zipfile.ZipInfo(name)
            if mode is not None:
                info.external_attr = mode << 16
            zf.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    buf.seek(0)
    return buf


def _tar(entries: list[tarfile.TarInfo], data: dict[str, bytes] | None = None) -> io.BytesIO:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for info in entries:
            payload = (data or {}).get(info.name)
            if payload is not None:
                info.size = len(payload)
            tf.addfile(info, io.BytesIO(payload) if payload is not None else None)
    buf.seek(0)
    return buf


def test_archives_unpack_with_the_top_folder_stripped(tmp_path: Path) -> None:
    zipped = _zip([("my-docs/", b"", None), ("my-docs/index.md", b"# Home\n", None),
                   ("my-docs/guide/a.md", b"# A\n", None), ("__MACOSX/my-docs/._a.md", b"x", None)])
    with extract_archive(zipped, temp_dir=tmp_path) as tree:
        assert sorted(p.relative_to(tree.path).as_posix() for p in tree.path.rglob("*.md")) == ["guide/a.md", "index.md"]
        assert tree.files == 2 and tree.skipped == ["__MACOSX/my-docs/._a.md"]
        assert [p.slug for p in read_tree(tree.path).pages] == ["guide/a", "index"]
        folder = tree.path
    assert not folder.exists()
    info = tarfile.TarInfo("docs/index.md")
    with extract_archive(_tar([info], {"docs/index.md": b"# Home\n"}), temp_dir=tmp_path) as tree:
        assert (tree.path / "index.md").read_text() == "# Home\n"


@pytest.mark.parametrize(
    ("archive", "code"),
    [
        (lambda: _zip([("../evil.md", b"x", None)]), "archive_unsafe_path"),
        (lambda: _zip([("docs/../../evil.md", b"x", None)]), "archive_unsafe_path"),
        (lambda: _zip([("/etc/evil.md", b"x", None)]), "archive_unsafe_path"),
        (lambda: _zip([("C:\\evil.md", b"x", None)]), "archive_unsafe_path"),
        (lambda: _zip([("link.md", b"/etc/passwd", stat.S_IFLNK | 0o777)]), "archive_link_entry"),
        (lambda: _zip([("a.md", b"x", None), ("a.md", b"y", None)]), "archive_duplicate"),
        (lambda: _zip([]), "archive_empty"),
        (lambda: io.BytesIO(b"just some text"), "archive_format"),
        (lambda: io.BytesIO(b"PK\x03\x04broken"), "archive_corrupt"),
    ],
)
@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_unsafe_zip_archives_are_refused(tmp_path: Path, archive: object, code: str) -> None:
    assert callable(archive)
    with pytest.raises(ArchiveRefused) as refused:
        extract_archive(archive(), temp_dir=tmp_path)
    assert refused.value.code == code
    assert not any(tmp_path.iterdir()), "nothing is left behind"
    assert not (tmp_path.parent / "evil.md").exists()


def test_unsafe_tar_archives_are_refused(tmp_path: Path) -> None:
    link = tarfile.TarInfo("docs/link.md")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    hard = tarfile.TarInfo("docs/hard.md")
    hard.type, hard.linkname = tarfile.LNKTYPE, "docs/x.md"
    device = tarfile.TarInfo("docs/dev")
    device.type = tarfile.CHRTYPE
    climb = tarfile.TarInfo("../../evil.md")
    for info, code in ((link, "archive_link_entry"), (hard, "archive_link_entry"),
                       (device, "archive_special_entry"), (climb, "archive_unsafe_path")):
        with pytest.raises(ArchiveRefused) as refused:
            extract_archive(_tar([info], {"../../evil.md": b"x"}), temp_dir=tmp_path)
        assert refused.value.code == code
    assert not any(tmp_path.iterdir())


def test_bombs_and_oversized_archives(tmp_path: Path) -> None:
    bomb = _zip([("zeros.md", b"\x00" * (30 * 1024 * 1024), None)])  # ~30 KB compressed, 30 MB inside
    with pytest.raises(ArchiveTooLarge) as refused:
        extract_archive(bomb, temp_dir=tmp_path)
    assert refused.value.code == "archive_bomb"
    with pytest.raises(ArchiveTooLarge) as total:
        extract_archive(_zip([("a.md", os.urandom(4096), None)]), ArchiveLimits(max_uncompressed_bytes=1000),
                        temp_dir=tmp_path)
    assert total.value.code == "archive_too_large"
    with pytest.raises(ArchiveTooLarge) as compressed:
        extract_archive(_zip([("a.md", os.urandom(4096), None)]), ArchiveLimits(max_compressed_bytes=1000),
                        temp_dir=tmp_path)
    assert compressed.value.code == "archive_too_large"
    assert not any(tmp_path.iterdir())

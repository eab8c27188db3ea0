"""Unpacking an uploaded `.zip` or `.tar.gz` of a docs tree into a temporary folder, safely.

Refused, with nothing left behind: more than the compressed cap, an uncompressed total over its cap
or a compression ratio of a bomb (counted on the bytes really written, not on sizes the archive
declares), absolute or `..` entry names, links, devices and other special entries, duplicate names
and too many entries. A single top folder (`my-docs/...`, as zips made by hand or by GitHub have)
is stripped, so the tree starts where its files do.
"""

from __future__ import annotations

import shutil
import stat
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

from .errors import ArchiveRefused, ArchiveTooLarge

_CHUNK = 64 * 1024


@dataclass(frozen=True)
class ArchiveLimits:
    max_compressed_bytes: int = 50 * 1024 * 1024
    max_uncompressed_bytes: int = 500 * 1024 * 1024
    max_ratio: float = 100.0  # uncompressed / compressed, checked once past `ratio_floor_bytes`
    ratio_floor_bytes: int = 10 * 1024 * 1024
    max_entries: int = 20_000


@dataclass
class ExtractedTree:
    """A temporary folder holding the archive's tree; remove it with `cleanup()` or use it as a context."""

    path: Path
    files: int = 0
    bytes: int = 0
    skipped: list[str] = field(default_factory=list)  # entries deliberately left out (macOS metadata)
    _base: Path | None = None

    def cleanup(self) -> None:
        if self._base is not None:
            shutil.rmtree(self._base, ignore_errors=True)

    def __enter__(self) -> ExtractedTree:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cleanup()


@dataclass
class _Entry:
    name: str
    is_dir: bool
    is_file: bool
    size: int
    open: object  # () -> binary stream


def extract_archive(
    archive: IO[bytes], limits: ArchiveLimits | None = None, *, temp_dir: Path | None = None
) -> ExtractedTree:
    """Unpack `archive` (a seekable binary file) into a new temporary folder under `temp_dir`."""
    limits = limits or ArchiveLimits()
    archive.seek(0, 2)
    compressed = archive.tell()
    archive.seek(0)
    if compressed > limits.max_compressed_bytes:
        raise ArchiveTooLarge(
            f"The archive is {compressed / 1_048_576:.1f} MB; the limit is "
            f"{limits.max_compressed_bytes / 1_048_576:.0f} MB.",
            code="archive_too_large",
            limit=limits.max_compressed_bytes,
        )
    head = archive.read(4)
    archive.seek(0)
    base = Path(tempfile.mkdtemp(prefix="comstack-import-", dir=temp_dir))
    out = ExtractedTree(base / "tree", _base=base)
    out.path.mkdir()
    try:
        if head.startswith(b"PK"):
            entries = _zip_entries(archive)
        elif head.startswith(b"\x1f\x8b"):
            entries = _tar_entries(archive)
        else:
            raise ArchiveRefused(
                "Not a .zip or .tar.gz archive; upload the docs folder as one of those.", code="archive_format"
            )
        _extract(entries, out, compressed, limits)
    except BaseException:
        out.cleanup()
        raise
    return out


def _zip_entries(archive: IO[bytes]) -> Iterator[_Entry]:
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ArchiveRefused(f"The zip archive cannot be read: {exc}.", code="archive_corrupt") from None
    with zf:
        for info in zf.infolist():
            mode = info.external_attr >> 16
            kind = stat.S_IFMT(mode) if mode else 0
            if kind == stat.S_IFLNK:
                raise ArchiveRefused(
                    f"The archive holds a symbolic link ({info.filename!r}); links are refused. Archive the files "
                    "themselves.",
                    code="archive_link_entry",
                )
            if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
                raise ArchiveRefused(
                    f"The archive holds a special file ({info.filename!r}); only files and folders are accepted.",
                    code="archive_special_entry",
                )
            yield _Entry(info.filename, info.is_dir(), not info.is_dir(), info.file_size, lambda i=info: zf.open(i))


def _tar_entries(archive: IO[bytes]) -> Iterator[_Entry]:
    try:
        tf = tarfile.open(fileobj=archive, mode="r:gz")  # noqa: SIM115 - closed by the with below
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise ArchiveRefused(f"The .tar.gz archive cannot be read: {exc}.", code="archive_corrupt") from None
    with tf:
        try:
            for member in tf:
                if member.issym() or member.islnk():
                    raise ArchiveRefused(
                        f"The archive holds a link ({member.name!r}); links are refused. Archive the files "
                        "themselves.",
                        code="archive_link_entry",
                    )
                if not (member.isfile() or member.isdir()):
                    if member.type in (tarfile.XHDTYPE, tarfile.XGLTYPE, tarfile.GNUTYPE_LONGNAME):
                        continue
                    raise ArchiveRefused(
                        f"The archive holds a special file ({member.name!r}); only files and folders are accepted.",
                        code="archive_special_entry",
                    )
                yield _Entry(member.name, member.isdir(), member.isfile(), member.size,
                             lambda m=member: tf.extractfile(m))
        except (tarfile.TarError, OSError, EOFError, zipfile.BadZipFile) as exc:
            raise ArchiveRefused(f"The archive is damaged: {exc}.", code="archive_corrupt") from None


def _safe_name(name: str) -> PurePosixPath | None:
    """The entry's relative path; None for the archive's own root entry ('./'). Refuses escapes."""
    if "\x00" in name:
        raise ArchiveRefused(f"Entry name {name!r} holds a NUL byte.", code="archive_unsafe_path")
    clean = name.replace("\\", "/")
    if clean.startswith("/") or (len(clean) > 1 and clean[1] == ":"):
        raise ArchiveRefused(
            f"Entry {name!r} has an absolute path; the archive must hold relative paths only.",
            code="archive_unsafe_path",
        )
    parts = [p for p in clean.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise ArchiveRefused(
            f"Entry {name!r} climbs out of the archive with '..'; it is refused.", code="archive_unsafe_path"
        )
    return PurePosixPath(*parts) if parts else None


def _extract(entries: Iterator[_Entry], out: ExtractedTree, compressed: int, limits: ArchiveLimits) -> None:
    written = 0
    seen: set[PurePosixPath] = set()
    files: list[PurePosixPath] = []
    staging = out.path
    for count, entry in enumerate(entries, 1):
        if count > limits.max_entries:
            raise ArchiveRefused(
                f"The archive has more than {limits.max_entries} entries.", code="archive_too_many_files"
            )
        rel = _safe_name(entry.name)
        if rel is None:
            continue
        if rel.parts[0] == "__MACOSX" or rel.name == ".DS_Store":
            out.skipped.append(str(rel))
            continue
        if rel in seen and not entry.is_dir:
            raise ArchiveRefused(f"Entry {entry.name!r} appears twice in the archive.", code="archive_duplicate")
        seen.add(rel)
        target = staging.joinpath(*rel.parts)
        if entry.is_dir:
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        opener = entry.open
        assert callable(opener)
        source: IO[bytes] | None = opener()
        if source is None:
            continue
        with source, open(target, "xb") as sink:
            while chunk := source.read(_CHUNK):
                written += len(chunk)
                _check_size(written, compressed, limits)
                sink.write(chunk)
        files.append(rel)
    if not files:
        raise ArchiveRefused("The archive holds no files.", code="archive_empty")
    out.files, out.bytes = len(files), written
    _strip_single_top(out, files)


def _check_size(written: int, compressed: int, limits: ArchiveLimits) -> None:
    if written > limits.max_uncompressed_bytes:
        raise ArchiveTooLarge(
            f"The archive unpacks to more than {limits.max_uncompressed_bytes / 1_048_576:.0f} MB.",
            code="archive_too_large",
        )
    if written > limits.ratio_floor_bytes and written > compressed * limits.max_ratio:
        raise ArchiveTooLarge(
            f"The archive unpacks to over {limits.max_ratio:.0f} times its size: refused as a compression bomb.",
            code="archive_bomb",
        )


def _strip_single_top(out: ExtractedTree, files: list[PurePosixPath]) -> None:
    tops = {f.parts[0] for f in files}
    if len(tops) != 1 or any(len(f.parts) == 1 for f in files):
        return
    top = out.path / tops.pop()
    moved = out.path.parent / "stripped"
    top.rename(moved)
    out.path.rmdir() if not any(out.path.iterdir()) else shutil.rmtree(out.path)
    moved.rename(out.path)

"""Writing and checking the ``.tar.gz``: every member hashed as it is written, and on the way back every
member hashed again and compared with the manifest before a single byte lands anywhere.

Hard links between members (a site's image and its blob are one file on disk) stay hard links in the
archive, so an image is stored once however many builds show it.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import IO

from .manifest import MANIFEST, BackupError, Manifest, Member, safe_member_name

CHUNK = 1 << 20
SLOT_NAMES = ("a", "b", "c")


class _Hashing(io.RawIOBase):
    """Reads through to a file while hashing what tarfile copies into the archive."""

    def __init__(self, inner: IO[bytes]) -> None:
        self.inner = inner
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.inner.read(size)
        self.digest.update(data)
        return data


class ArchiveWriter:
    def __init__(self, path: Path) -> None:
        self.tar = tarfile.open(path, "w:gz", compresslevel=6)  # noqa: SIM115 - closed by finish()/abort()
        self.members: list[Member] = []

    def add_path(self, source: Path, name: str) -> None:
        info = self.tar.gettarinfo(str(source), arcname=name)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        if info.isreg():
            with open(source, "rb") as handle:
                hashing = _Hashing(handle)
                self.tar.addfile(info, hashing)
            self.members.append(Member(name=name, size=info.size, sha256=hashing.digest.hexdigest()))
        elif info.islnk():
            self.tar.addfile(info)
            self.members.append(Member(name=name, kind="hardlink", link=info.linkname))
        elif info.issym():
            self.tar.addfile(info)
            self.members.append(Member(name=name, kind="symlink", link=info.linkname))
        # Directories are implied by the files in them; nothing else belongs in a data directory.

    def add_bytes(self, name: str, data: bytes) -> None:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        info.mode = 0o644
        self.tar.addfile(info, io.BytesIO(data))
        self.members.append(Member(name=name, size=len(data), sha256=hashlib.sha256(data).hexdigest()))

    def finish(self, manifest: Manifest) -> None:
        data = manifest.model_dump_json(indent=2).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(data)
        info.mode = 0o644
        self.tar.addfile(info, io.BytesIO(data))
        self.tar.close()

    def abort(self) -> None:
        self.tar.close()


def _damaged(detail: str) -> BackupError:
    return BackupError(
        f"The archive is damaged or incomplete ({detail}); nothing was restored. Use another copy of the backup.",
        code="backup_damaged",
    )


def _check_link(info: tarfile.TarInfo, seen: dict[str, Member]) -> Member:
    if info.issym():
        # The only symbolic link a data directory has: a site's ``current``, naming one of its slots.
        if not (info.name.endswith("/current") and info.name.count("/") == 2 and info.linkname in SLOT_NAMES):
            raise _damaged(f"unexpected link {info.name}")
        return Member(name=info.name, kind="symlink", link=info.linkname)
    if info.linkname not in seen or seen[info.linkname].kind != "file":
        raise _damaged(f"{info.name} links to a member that is not before it")
    return Member(name=info.name, kind="hardlink", link=info.linkname)


def verify_archive(path: Path, progress: Callable[[int], None] | None = None) -> Manifest:
    """Read the whole archive, hash every member and compare with its manifest. Writes nothing."""
    seen: dict[str, Member] = {}
    raw: bytes | None = None
    try:
        with gzip.open(path, "rb") as stream, tarfile.open(fileobj=stream, mode="r|") as tar:
            for info in tar:
                if not safe_member_name(info.name) or info.name in seen:
                    raise _damaged(f"unexpected member {info.name!r}")
                if info.isreg():
                    digest = hashlib.sha256()
                    handle = tar.extractfile(info)
                    assert handle is not None
                    body = bytearray() if info.name == MANIFEST else None
                    while chunk := handle.read(CHUNK):
                        digest.update(chunk)
                        if body is not None:
                            body.extend(chunk)
                    if body is not None:
                        raw = bytes(body)
                        continue
                    seen[info.name] = Member(name=info.name, size=info.size, sha256=digest.hexdigest())
                elif info.issym() or info.islnk():
                    seen[info.name] = _check_link(info, seen)
                elif not info.isdir():
                    raise _damaged(f"unexpected entry {info.name!r}")
                if progress:
                    progress(len(seen))
            # Read to the end of the gzip stream, so its length and CRC are checked too.
            while stream.read(CHUNK):
                pass
    except BackupError:
        raise
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile, OSError) as error:
        raise _damaged(str(error) or type(error).__name__) from None
    if raw is None:
        raise _damaged("it has no manifest.json, so it was cut short or is not a ComStack backup")
    try:
        manifest = Manifest.model_validate(json.loads(raw))
    except ValueError:
        raise _damaged("its manifest cannot be read") from None
    listed = {m.name: m for m in manifest.members}
    if listed.keys() != seen.keys():
        missing = sorted(listed.keys() - seen.keys())[:3]
        extra = sorted(seen.keys() - listed.keys())[:3]
        raise _damaged(f"members missing: {missing}, not in the manifest: {extra}")
    for name, member in seen.items():
        expected = listed[name]
        if (member.kind, member.sha256, member.link) != (expected.kind, expected.sha256, expected.link) or (
            member.kind == "file" and member.size != expected.size
        ):
            raise _damaged(f"{name} does not match its checksum")
    return manifest


def extract_archive(path: Path, into: Path, skip: frozenset[str] = frozenset()) -> None:
    """Write a verified archive's members under ``into`` (which nothing else uses yet)."""
    with gzip.open(path, "rb") as stream, tarfile.open(fileobj=stream, mode="r|") as tar:
        for info in tar:
            if info.name == MANIFEST or info.name in skip or info.isdir():
                continue
            if not safe_member_name(info.name):  # verified already; a second reading must agree
                raise _damaged(f"unexpected member {info.name!r}")
            target = into / info.name
            target.parent.mkdir(parents=True, exist_ok=True)
            if info.issym():
                os.symlink(info.linkname, target)
            elif info.islnk():
                os.link(into / info.linkname, target)
            else:
                handle = tar.extractfile(info)
                assert handle is not None
                with open(target, "wb") as out:
                    while chunk := handle.read(CHUNK):
                        out.write(chunk)
                os.chmod(target, 0o644)

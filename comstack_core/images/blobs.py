"""Content-addressed blob storage: the key of a blob is the SHA-256 of its bytes.

`BlobStore` is what the rest of ComStack uses; `FileBlobStore` keeps blobs under the data directory as
`blobs/ab/cd/<sha256>`. Blobs are immutable: a put of bytes already stored is a no-op that answers the
same key, so the same image uploaded twice is one file.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

from comstack_core.errors import InvalidInput, NotFound
from comstack_core.images.files import create_file, fsync_dir

_KEY = re.compile(r"[0-9a-f]{64}")


def blob_key(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_key(key: str) -> str:
    """A key is exactly 64 lowercase hex digits: nothing else can name a path in the store."""
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise InvalidInput(
            "A blob key is the SHA-256 of the bytes as 64 lowercase hex digits.",
            code="blob_key_invalid",
        )
    return key


class BlobStore(Protocol):
    def put(self, data: bytes) -> str:
        """Store `data` (idempotent) and return its key."""
        ...

    def open(self, key: str) -> BinaryIO: ...

    def read(self, key: str) -> bytes: ...

    def exists(self, key: str) -> bool: ...

    def size(self, key: str) -> int: ...

    def delete(self, key: str) -> bool:
        """Remove the blob; False when there was none."""
        ...

    def place(self, key: str, target: Path) -> None:
        """Put the blob's bytes at `target` (a file in a site build): a hard link when the store is on
        the same file system, else a copy. `target` is replaced atomically if it exists."""
        ...

    def local_path(self, key: str) -> Path | None:
        """The blob's file when the store is on local disk (lets a server send it with sendfile)."""
        ...

    def keys(self) -> Iterator[str]: ...


class FileBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> FileBlobStore:
        return cls(Path(data_dir) / "blobs")

    def path(self, key: str) -> Path:
        check_key(key)
        return self.root / key[:2] / key[2:4] / key

    def put(self, data: bytes) -> str:
        key = blob_key(data)
        path = self.path(key)
        try:
            if path.stat().st_size == len(data):
                # Already stored. Touch it: a garbage collector that spares young blobs then also
                # spares one just referenced again by a new upload.
                os.utime(path)
                return key
        except FileNotFoundError:
            pass
        made = not path.parent.exists()
        path.parent.mkdir(parents=True, exist_ok=True)
        if made:
            fsync_dir(path.parent.parent)
        if not create_file(path, data) and path.stat().st_size != len(data):
            # A same-named file of the wrong size can only be damage (a disk error, a hand edit):
            # the bytes we hold are the right ones, so they replace it.
            path.unlink()
            create_file(path, data)
        return key

    def _existing(self, key: str) -> Path:
        path = self.path(key)
        if not path.is_file():
            raise NotFound(f"No blob {key} in the store.", code="blob_not_found")
        return path

    def open(self, key: str) -> BinaryIO:
        try:
            return self.path(key).open("rb")
        except FileNotFoundError:
            raise NotFound(f"No blob {key} in the store.", code="blob_not_found") from None

    def read(self, key: str) -> bytes:
        with self.open(key) as handle:
            return handle.read()

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def size(self, key: str) -> int:
        return self._existing(key).stat().st_size

    def delete(self, key: str) -> bool:
        try:
            self.path(key).unlink()
        except FileNotFoundError:
            return False
        return True

    def place(self, key: str, target: Path) -> None:
        source = self._existing(key)
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.blob")
        try:
            os.link(source, temp)
        except OSError:  # another file system (EXDEV), no hard links, or the inode's link limit
            shutil.copyfile(source, temp)
        try:
            os.replace(temp, target)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise

    def local_path(self, key: str) -> Path | None:
        return self._existing(key)

    def keys(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for first in sorted(self.root.iterdir()):
            if not first.is_dir():
                continue
            for second in sorted(first.iterdir()):
                if not second.is_dir():
                    continue
                for entry in sorted(second.iterdir()):
                    if _KEY.fullmatch(entry.name):
                        yield entry.name

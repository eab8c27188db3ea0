"""The store behind tus 1.0 resumable uploads (core protocol + creation, checksum, termination,
expiration). Not HTTP: the door maps each method to a tus request and each error to its status.

On disk, under `<data_dir>/uploads/`, like tus servers do it: `<id>.part` holds the bytes received and
`<id>.info` a small JSON record (declared length, committed offset, creation and expiry times, the
client's metadata). The committed offset lives in the record, not in the size of `.part`: bytes are
written, flushed, and only then is the new offset recorded (by an atomic rename), so a crash or a
refused chunk leaves at most unreferenced bytes past the offset, which the next chunk overwrites.

Writers exclude each other with an exclusive `flock` on `<id>.part`, taken without waiting: of two
chunks racing on one upload (threads, or processes sharing the data directory), one is written and the
other is answered `upload_busy` (409) at once; a chunk at a stale offset gets `upload_offset_mismatch`.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from comstack_core.clock import Clock, new_id, utcnow
from comstack_core.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge
from comstack_core.images.config import DEFAULT_UPLOAD_CONFIG, UploadConfig
from comstack_core.images.errors import UploadChecksumMismatch, UploadGone
from comstack_core.images.files import replace_file
from comstack_core.images.tus import Checksum

_ID = re.compile(r"up_[a-z0-9]{24}")


@dataclass(frozen=True)
class UploadState:
    id: str
    length: int
    offset: int
    created_at: datetime
    expires_at: datetime
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return self.offset == self.length

    def to_json(self) -> bytes:
        record = {
            "id": self.id,
            "length": self.length,
            "offset": self.offset,
            "created_at": self.created_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
            "metadata": self.metadata,
        }
        return json.dumps(record, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> UploadState:
        record = json.loads(raw)
        return cls(
            id=record["id"],
            length=int(record["length"]),
            offset=int(record["offset"]),
            created_at=datetime.fromisoformat(record["created_at"]),
            expires_at=datetime.fromisoformat(record["expires_at"]),
            metadata=dict(record.get("metadata") or {}),
        )


def upload_not_found(upload_id: str) -> NotFound:
    return NotFound(
        f"No upload {upload_id}: it was finished, abandoned or never created. Start a new upload.",
        code="upload_not_found",
    )


class Chunk:
    """One PATCH body being received: `write` the pieces as they arrive (see `FileUploadStore.receive`)."""

    def __init__(self, fd: int, state: UploadState, max_bytes: int, checksum: Checksum | None) -> None:
        self._fd = fd
        self.start = state
        self.state = state  # the upload after this chunk, once committed
        self.written = 0
        self._limit = min(max_bytes, state.length - state.offset)
        self._max_bytes = max_bytes
        self._hash = hashlib.new(checksum.algorithm) if checksum else None
        self.refused = False

    def write(self, piece: bytes) -> None:
        if self.written + len(piece) > self._limit:
            self.refused = True
            if self.written + len(piece) > self._max_bytes:
                raise PayloadTooLarge(
                    f"A chunk may carry at most {self._max_bytes} bytes; send the rest in further PATCH "
                    "requests from the new offset.",
                    code="upload_chunk_too_large",
                    max_chunk_bytes=self._max_bytes,
                )
            raise PayloadTooLarge(
                f"This chunk would take the upload past its declared length of {self.start.length} bytes "
                f"(offset {self.start.offset}, at most {self.start.length - self.start.offset} bytes left).",
                code="upload_length_exceeded",
                offset=self.start.offset,
                length=self.start.length,
            )
        view = memoryview(piece)
        position = self.start.offset + self.written
        while view:
            done = os.pwrite(self._fd, view, position)
            view, position = view[done:], position + done
        if self._hash is not None:
            self._hash.update(piece)
        self.written += len(piece)

    def digest(self) -> bytes | None:
        return self._hash.digest() if self._hash is not None else None


class FileUploadStore:
    def __init__(
        self, root: Path, config: UploadConfig = DEFAULT_UPLOAD_CONFIG, clock: Clock = utcnow
    ) -> None:
        self.root = Path(root)
        self.config = config
        self.clock = clock

    @classmethod
    def in_data_dir(
        cls, data_dir: Path, config: UploadConfig = DEFAULT_UPLOAD_CONFIG, clock: Clock = utcnow
    ) -> FileUploadStore:
        return cls(Path(data_dir) / "uploads", config, clock)

    def _paths(self, upload_id: str) -> tuple[Path, Path]:
        # Ids are ours (random, fixed shape): anything else names no upload and no path.
        if not isinstance(upload_id, str) or not _ID.fullmatch(upload_id):
            raise upload_not_found(str(upload_id)[:40])
        return self.root / f"{upload_id}.part", self.root / f"{upload_id}.info"

    def create(self, length: int, metadata: Mapping[str, str] | None = None) -> UploadState:
        """tus creation: a new empty upload that will hold `length` bytes."""
        if isinstance(length, bool) or not isinstance(length, int) or length < 1:
            raise InvalidInput(
                "Upload-Length must be the whole file's size in bytes, a positive integer.",
                code="upload_length_invalid",
            )
        if length > self.config.max_upload_bytes:
            raise PayloadTooLarge(
                f"The upload declares {length} bytes; the limit is {self.config.max_upload_bytes} bytes.",
                code="upload_too_large",
                max_upload_bytes=self.config.max_upload_bytes,
            )
        self.root.mkdir(parents=True, exist_ok=True)
        now = self.clock()
        state = UploadState(
            id=new_id("up", 24),
            length=length,
            offset=0,
            created_at=now,
            expires_at=now + timedelta(seconds=self.config.ttl_seconds),
            metadata=dict(metadata or {}),
        )
        part, info = self._paths(state.id)
        os.close(os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        # The record is what makes the upload exist: a crash before it leaves an orphan `.part` that
        # the sweep removes.
        replace_file(info, state.to_json())
        return state

    def _read_state(self, upload_id: str) -> UploadState:
        _, info = self._paths(upload_id)
        try:
            state = UploadState.from_json(info.read_bytes())
        except FileNotFoundError:
            raise upload_not_found(upload_id) from None
        except (ValueError, KeyError):
            raise upload_not_found(upload_id) from None  # a damaged record: the sweep removes it
        if self.clock() >= state.expires_at:
            raise UploadGone(
                f"Upload {upload_id} expired at {state.expires_at.isoformat()} (uploads must finish within "
                f"{timedelta(seconds=self.config.ttl_seconds)} of being created). Start a new upload.",
                code="upload_expired",
            )
        return state

    def state(self, upload_id: str) -> UploadState:
        """tus HEAD: the offset to resume from."""
        return self._read_state(upload_id)

    @contextmanager
    def _locked(self, upload_id: str, *, wait_seconds: float = 0.0) -> Iterator[int]:
        part, _ = self._paths(upload_id)
        try:
            fd = os.open(part, os.O_RDWR)
        except FileNotFoundError:
            raise upload_not_found(upload_id) from None
        try:
            deadline = time.monotonic() + wait_seconds
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise Conflict(
                            f"Another request is writing to upload {upload_id} right now. Wait for it, "
                            "then ask for the offset (HEAD) and continue from there.",
                            code="upload_busy",
                        ) from None
                    time.sleep(0.02)
            # The upload may have been terminated (its files unlinked) between our open and our lock.
            try:
                if os.stat(part).st_ino != os.fstat(fd).st_ino:
                    raise upload_not_found(upload_id)
            except FileNotFoundError:
                raise upload_not_found(upload_id) from None
            yield fd
        finally:
            os.close(fd)  # releases the lock

    @contextmanager
    def receive(self, upload_id: str, offset: int, checksum: Checksum | None = None) -> Iterator[Chunk]:
        """tus PATCH, streamed: write the body's pieces to the yielded `Chunk` as they arrive.

        On a clean exit the chunk is checked against `checksum` (if given) and committed. If the body
        stops early (the client went away: an exception inside the block), what arrived is kept when no
        checksum was declared (tus asks servers to keep partial bodies) and dropped when one was (it
        cannot be verified). A refused chunk (too large, past the length, checksum mismatch) never moves
        the offset. The new state is `chunk.state` after the block.
        """
        with self._locked(upload_id) as fd:
            state = self._read_state(upload_id)
            if offset != state.offset:
                raise Conflict(
                    f"Upload-Offset {offset} does not match the upload's offset {state.offset}. Ask for the "
                    "offset (HEAD) and send the bytes from there.",
                    code="upload_offset_mismatch",
                    offset=state.offset,
                )
            chunk = Chunk(fd, state, self.config.max_chunk_bytes, checksum)
            try:
                yield chunk
            except BaseException:
                if checksum is None and not chunk.refused and chunk.written:
                    self._commit(fd, state, chunk)
                else:
                    os.ftruncate(fd, state.offset)
                raise
            if checksum is not None and chunk.digest() != checksum.digest:
                os.ftruncate(fd, state.offset)
                raise UploadChecksumMismatch(
                    f"The chunk's {checksum.algorithm} does not match Upload-Checksum; nothing was written "
                    f"and the offset is still {state.offset}. Send the chunk again.",
                    offset=state.offset,
                )
            self._commit(fd, state, chunk)

    def _commit(self, fd: int, state: UploadState, chunk: Chunk) -> None:
        os.fsync(fd)  # the bytes are on disk before the record says they exist
        new = UploadState(
            state.id, state.length, state.offset + chunk.written, state.created_at, state.expires_at, state.metadata
        )
        replace_file(self._paths(state.id)[1], new.to_json())
        chunk.state = new

    def append(self, upload_id: str, offset: int, data: bytes, checksum: Checksum | None = None) -> UploadState:
        """tus PATCH with the whole chunk in memory."""
        with self.receive(upload_id, offset, checksum) as chunk:
            chunk.write(data)
        return chunk.state

    def _completed(self, upload_id: str) -> tuple[UploadState, Path]:
        state = self._read_state(upload_id)
        if not state.complete:
            raise Conflict(
                f"Upload {upload_id} has {state.offset} of its {state.length} bytes; send the rest first.",
                code="upload_incomplete",
                offset=state.offset,
                length=state.length,
            )
        return state, self._paths(upload_id)[0]

    def read_complete(self, upload_id: str) -> bytes:
        """The whole file of a finished upload, for the same checks as a direct upload."""
        state, part = self._completed(upload_id)
        with part.open("rb") as handle:
            return handle.read(state.length)

    def complete_path(self, upload_id: str) -> Path:
        """The file of a finished upload (its first `length` bytes are the upload)."""
        return self._completed(upload_id)[1]

    def terminate(self, upload_id: str) -> None:
        """tus termination (DELETE), also used once a finished upload has been stored as an image."""
        with self._locked(upload_id, wait_seconds=5.0):
            self._remove(upload_id)

    def _remove(self, upload_id: str) -> None:
        part, info = self._paths(upload_id)
        info.unlink(missing_ok=True)  # first: without its record the upload no longer exists
        part.unlink(missing_ok=True)

    def sweep(self) -> list[str]:
        """Remove expired uploads (finished or not), orphaned `.part` files and stale temp files older
        than the time to live. Returns the ids removed. Run it periodically from any one process."""
        if not self.root.is_dir():
            return []
        now = self.clock()
        removed = []
        for info in sorted(self.root.glob("up_*.info")):
            upload_id = info.name.removesuffix(".info")
            try:
                state = UploadState.from_json(info.read_bytes())
            except FileNotFoundError:
                continue
            except (ValueError, KeyError):
                state = None  # an unreadable record (hand edit, disk damage): the upload is lost anyway
            if state is not None and now < state.expires_at:
                continue
            try:
                with self._locked(upload_id):
                    self._remove(upload_id)
                removed.append(upload_id)
            except (Conflict, NotFound):
                continue  # being written right now, or already gone
        cutoff = time.time() - self.config.ttl_seconds
        for leftover in [*self.root.glob("up_*.part"), *self.root.glob(".tmp-*")]:
            try:
                if leftover.suffix == ".part" and leftover.with_suffix(".info").exists():
                    continue
                if leftover.stat().st_mtime < cutoff:
                    leftover.unlink()
            except FileNotFoundError:
                continue
        return removed

"""Saving a slot's build state (``.build-state.json``) without keeping its text in memory.

A state holds a row per page, tens of MB at tens of thousands of pages, and a runner saves one after every
build, most of whose records it saved before. Keeping each record's encoded row beside its fields would
hold every row twice between publishes, and encoding them all again would cost a large site seconds a
build. So each saved record points to the file it was last saved to, which knows where its row is, and
the next save copies those bytes from that file (a run of consecutive rows at once, file to file in the
kernel where it can) and encodes only the rest. The state is written as it is made, never as one string.

A state file is never written in place (a new file is renamed over it), so while a file's identity
(device, inode, modification time, size) is the one it had when written, its bytes are the ones written.
A file that has been replaced or removed since is not copied from: its records are encoded again.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..site import BuildState
from ..site.files import TEMP_SUFFIX
from ..site.model import PageRecord

CHUNK = 1 << 20  # bytes gathered before each write

FileId = tuple[int, int, int, int]


def identity(st: os.stat_result) -> FileId:
    return st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size


class SavedFile:
    """A state file as written: for each page, where its row is and which record it was.

    Every record saved in the file points to this one object. Nothing is made per record (a number per page
    in two dicts): a save that made an object per record, for every page on every build, kept the
    interpreter's full garbage collections coming, each over the whole site's objects."""

    __slots__ = ("identity", "path", "records", "rows")

    def __init__(self, path: str, identity: FileId, rows: dict[str, int], records: dict[str, int]) -> None:
        self.path, self.identity = path, identity
        self.rows = rows  # page -> start << 32 | length
        self.records = records  # page -> id() of the record saved under it

    def row(self, key: str, record: PageRecord) -> tuple[int, int] | None:
        """Where ``record``'s row is, if it was saved here under ``key``. (The record is alive and points to
        this file, so no other object saved here can have its id.)"""
        if self.records.get(key) != id(record):
            return None
        at = self.rows[key]
        return at >> 32, at & 0xFFFFFFFF


def _row_start(key: str) -> bytes:
    return b"[" + json.dumps(key, ensure_ascii=False).encode()


class _Writer:
    def __init__(self, fd: int, head: bytes) -> None:
        self.fd = fd
        self.buffer = [head]
        self.buffered = len(head)
        self.at = len(head)  # where the next byte goes, counting what is buffered or still to be copied
        # The run of rows to copy: source descriptor (-1: none), start, end, the first row's page.
        self.run_fd, self.run_start, self.run_end, self.run_first = -1, 0, 0, ""
        self.sources: dict[SavedFile, int | None] = {}  # opened for this save; None: not the file written
        self.rows: dict[str, int] = {}
        self.records: dict[str, int] = {}

    def _source(self, file: SavedFile) -> int | None:
        if file not in self.sources:
            try:
                fd = os.open(file.path, os.O_RDONLY)
            except OSError:
                fd = None
            if fd is not None and identity(os.fstat(fd)) != file.identity:
                os.close(fd)
                fd = None
            self.sources[file] = fd
        return self.sources[file]

    def row(self, key: str, record: PageRecord, first: bool) -> None:
        saved = record.saved_at
        where = source = None
        if isinstance(saved, SavedFile):
            where = saved.row(key, record)
            if where is not None:
                source = self._source(saved)
        offset = self.at if first else self.at + 1
        if where is not None and source == self.run_fd and self.run_end + 1 == where[0]:
            # The next row in the same file: the comma between the two is copied with them.
            self.run_end = where[0] + where[1]
            length = where[1]
        else:
            self._copy()
            if not first:
                self._put(b",")
            if where is not None and source is not None:
                self.run_fd, self.run_start, self.run_end, self.run_first = source, where[0], where[0] + where[1], key
                length = where[1]
            else:
                data = record.to_row(key).encode()
                self._put(data)
                length = len(data)
        self.rows[key] = offset << 32 | length
        self.records[key] = id(record)
        self.at = offset + length

    def finish(self) -> None:
        self._copy()
        self._put(b"]}")
        self._write()

    def close(self) -> None:
        for fd in self.sources.values():
            if fd is not None:
                os.close(fd)

    def _copy(self) -> None:
        if self.run_fd < 0:
            return
        fd, start, end, first = self.run_fd, self.run_start, self.run_end, self.run_first
        self.run_fd = -1
        # A file of the same identity holds the bytes written; if it ever did not, no wrong state is saved.
        head = _row_start(first)
        if os.pread(fd, len(head), start) != head or os.pread(fd, 1, end - 1) != b"]":
            raise RuntimeError("a saved build state changed after it was written")
        self._write()
        _copy_range(fd, self.fd, start, end - start)

    def _put(self, data: bytes) -> None:
        self.buffer.append(data)
        self.buffered += len(data)
        if self.buffered >= CHUNK:
            self._write()

    def _write(self) -> None:
        _write_all(self.fd, b"".join(self.buffer))
        self.buffer, self.buffered = [], 0


def _copy_range(source: int, target: int, start: int, count: int) -> None:
    """Append ``count`` bytes of ``source`` from ``start`` to ``target``: in the kernel where it can."""
    copy = getattr(os, "copy_file_range", None)
    while count and copy is not None:
        try:
            done = copy(source, target, count, start)
        except OSError:  # not between these files (another file system, an old kernel): read and write
            break
        if done == 0:
            raise RuntimeError("a saved build state is shorter than when it was written")
        start, count = start + done, count - done
    while count:
        data = os.pread(source, min(count, CHUNK), start)
        if not data:
            raise RuntimeError("a saved build state is shorter than when it was written")
        _write_all(target, data)
        start, count = start + len(data), count - len(data)


def _write_all(fd: int, data: bytes) -> None:
    done = 0
    while done < len(data):
        done += os.write(fd, data[done:] if done else data)


def write_state(path: Path, state: BuildState) -> FileId:
    """Save ``state`` at ``path`` (through a temporary file renamed over it), copying the rows of records
    saved before from the files they were saved to, and remember where each record's row now is. Answers
    the saved file's identity."""
    temp = path.with_name(f".{path.name}.{os.getpid()}{TEMP_SUFFIX}")
    temp.unlink(missing_ok=True)  # left by a build that died here; maybe a link to another slot's file
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    writer = _Writer(fd, state.json_head().encode())
    try:
        for n, (key, record) in enumerate(state.pages.items()):
            writer.row(key, record, first=n == 0)
        writer.finish()
        file = SavedFile(str(path), identity(os.fstat(fd)), writer.rows, writer.records)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    finally:
        os.close(fd)
        writer.close()
    for record in state.pages.values():
        record.saved_at = file
    return file.identity

"""Functions run in other processes by the concurrency tests (a module of its own so a spawned
interpreter can import them without the test modules' fixtures)."""

from __future__ import annotations

import multiprocessing
import random
from pathlib import Path
from typing import Any

from comstack_core.errors import DomainError
from comstack_core.images import FileBlobStore, FileUploadStore


def spawn() -> Any:
    """Workers forked from a fresh single-threaded server process that has imported this module once:
    nothing shared with the test process but the data directory, and no second import per worker."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context


def blob_bytes(seed: int, size: int) -> bytes:
    return random.Random(seed).randbytes(size)


def put_blobs(root: str, seeds: list[int], size: int, rounds: int, barrier: Any) -> list[str]:
    store = FileBlobStore(Path(root))
    barrier.wait()
    keys = []
    for _ in range(rounds):
        for seed in seeds:
            keys.append(store.put(blob_bytes(seed, size)))
    return keys


def append_racing(root: str, upload_id: str, chunk: bytes, barrier: Any) -> str:
    """Append `chunk` at offset 0 as soon as every racer is ready; 'ok' or the error code."""
    store = FileUploadStore(Path(root))
    barrier.wait()
    try:
        store.append(upload_id, 0, chunk)
    except DomainError as error:
        return error.code
    return "ok"


def hold_chunk_open(root: str, upload_id: str, holding: Any, release: Any) -> int:
    """Start a chunk, write half of it, signal, and finish only when told: the lock is held meanwhile."""
    store = FileUploadStore(Path(root))
    with store.receive(upload_id, 0) as chunk:
        chunk.write(b"a" * 1000)
        holding.set()
        release.wait(30)
        chunk.write(b"b" * 1000)
    return chunk.state.offset

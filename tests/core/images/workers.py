"""Functions run in other processes by the concurrency tests (a module of its own so a spawned
interpreter can import them without the test modules' fixtures)."""

from __future__ import annotations

import multiprocessing
import random
from pathlib import Path
from typing import Any

from comstack_core.images import FileBlobStore


def spawn() -> Any:
    # A fresh interpreter per worker: nothing shared with the test process but the data directory.
    return multiprocessing.get_context("spawn")


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

"""The file blob store: content addressing, atomic writes, one copy per content under concurrent puts
from threads and processes, keys that cannot name another path, placement in a site build."""

from __future__ import annotations

import hashlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from comstack_core.errors import InvalidInput, NotFound
from comstack_core.images import BlobStore, FileBlobStore, blob_key

from .workers import blob_bytes, put_blobs, spawn


@pytest.fixture
def store(tmp_path: Path) -> FileBlobStore:
    return FileBlobStore.in_data_dir(tmp_path / "data")


def files_under(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def test_put_read_and_layout(store: FileBlobStore, tmp_path: Path) -> None:
    data = b"hello blob"
    key = store.put(data)
    assert key == hashlib.sha256(data).hexdigest() == blob_key(data)
    assert store.root == tmp_path / "data" / "blobs"
    assert store.path(key) == store.root / key[:2] / key[2:4] / key
    assert store.read(key) == data
    with store.open(key) as handle:
        assert handle.read() == data
    assert store.exists(key) and store.size(key) == len(data)
    assert store.local_path(key) == store.path(key)
    assert list(store.keys()) == [key]
    assert files_under(store.root) == [store.path(key)]  # no temp file left behind


def test_same_bytes_twice_is_one_blob_and_the_same_file(store: FileBlobStore) -> None:
    key = store.put(b"x" * 1000)
    inode = store.path(key).stat().st_ino
    assert store.put(b"x" * 1000) == key
    assert store.path(key).stat().st_ino == inode  # not rewritten: links to it stay valid
    assert len(files_under(store.root)) == 1


def test_delete(store: FileBlobStore) -> None:
    key = store.put(b"gone soon")
    assert store.delete(key) is True
    assert store.delete(key) is False
    assert not store.exists(key)
    with pytest.raises(NotFound) as caught:
        store.read(key)
    assert caught.value.code == "blob_not_found"
    with pytest.raises(NotFound):
        store.size(key)


@pytest.mark.parametrize(
    "key",
    [
        "../../etc/passwd",
        "a" * 63,
        "a" * 65,
        "A" * 64,
        ("a" * 62) + "/x",
        ("a" * 60) + "/../",
        "g" * 64,
        "",
    ],
)
def test_keys_that_could_name_another_path_are_refused(store: FileBlobStore, key: str) -> None:
    for call in (store.read, store.exists, store.size, store.delete, store.path, store.local_path):
        with pytest.raises(InvalidInput) as caught:
            call(key)
        assert caught.value.code == "blob_key_invalid"
    with pytest.raises(InvalidInput):
        store.place(key, store.root / "x")


def test_a_damaged_copy_is_replaced_by_the_right_bytes(store: FileBlobStore) -> None:
    key = store.put(b"the right bytes")
    store.path(key).write_bytes(b"short")  # a disk error or a hand edit
    assert store.put(b"the right bytes") == key
    assert store.read(key) == b"the right bytes"


def test_place_hard_links_into_a_site_build(store: FileBlobStore, tmp_path: Path) -> None:
    key = store.put(b"image bytes")
    target = tmp_path / "site" / "assets" / "images" / "a1b2c3.png"
    store.place(key, target)
    assert target.read_bytes() == b"image bytes"
    assert target.stat().st_ino == store.path(key).stat().st_ino  # a link, no copy
    other = store.put(b"other bytes")
    store.place(other, target)  # replaced atomically
    assert target.read_bytes() == b"other bytes"
    assert [p.name for p in target.parent.iterdir()] == ["a1b2c3.png"]


def test_place_copies_across_file_systems(store: FileBlobStore) -> None:
    elsewhere = Path("/dev/shm")
    if not elsewhere.is_dir() or elsewhere.stat().st_dev == store.root.parent.parent.stat().st_dev:
        pytest.skip("no second file system to place into")
    key = store.put(b"copied, not linked")
    target = elsewhere / f"comstack-test-{os.getpid()}" / "img.webp"
    try:
        store.place(key, target)
        assert target.read_bytes() == b"copied, not linked"
        assert target.stat().st_ino != store.path(key).stat().st_ino
    finally:
        target.unlink(missing_ok=True)
        target.parent.rmdir()


def test_concurrent_puts_from_threads(store: FileBlobStore) -> None:
    payloads = [blob_bytes(seed, 200_000) for seed in range(4)]
    start = threading.Barrier(16)

    def put(index: int) -> str:
        start.wait()
        return store.put(payloads[index % 4])

    with ThreadPoolExecutor(16) as pool:
        keys = list(pool.map(put, range(64)))
    assert set(keys) == {blob_key(p) for p in payloads}
    assert files_under(store.root) == sorted(store.path(k) for k in set(keys))
    for payload in payloads:
        assert store.read(blob_key(payload)) == payload


def test_concurrent_puts_from_processes_while_a_reader_watches(store: FileBlobStore) -> None:
    size = 2_000_000
    seeds = list(range(16))  # each worker puts them in its own order: many first writes to watch
    expected = {blob_key(blob_bytes(seed, size)): blob_bytes(seed, size) for seed in seeds}
    context = spawn()
    seen_partial = []
    stop = threading.Event()

    def watch() -> None:
        # A reader must see each blob absent or whole, never half written. Sizes are checked (a stat is
        # cheap, so the reader looks often); the contents are compared at the end.
        paths = [store.path(key) for key in expected]
        while not stop.is_set():
            for path in paths:
                try:
                    got = path.stat().st_size
                except FileNotFoundError:
                    continue
                if got != size:
                    seen_partial.append(got)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with context.Manager() as manager, context.Pool(4) as pool:
            barrier = manager.Barrier(4)  # a proxy: it can travel to the pool's processes
            work = [(str(store.root), seeds[i:] + seeds[:i], size, 2, barrier) for i in (0, 4, 8, 12)]
            results = pool.starmap(put_blobs, work)
    finally:
        stop.set()
        watcher.join()
    assert not seen_partial
    assert {key for keys in results for key in keys} == set(expected)
    assert files_under(store.root) == sorted(store.path(k) for k in expected)
    for key, data in expected.items():
        assert store.read(key) == data


def test_file_store_is_a_blob_store(store: FileBlobStore) -> None:
    typed: BlobStore = store  # the protocol the integration codes against
    assert typed.exists(typed.put(b"p")) is True

"""The resumable upload store: offsets, checksums, limits, termination, expiry, racing writers."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest

from comstack_core.errors import Conflict, DomainError, InvalidInput, NotFound, PayloadTooLarge
from comstack_core.images import (
    Checksum,
    FileUploadStore,
    UploadChecksumMismatch,
    UploadConfig,
    UploadGone,
    parse_checksum,
    parse_metadata,
    process_image,
)

from ...conftest import FakeClock
from .factory import encode, natural
from .workers import append_racing, hold_chunk_open, spawn

SMALL = UploadConfig(max_upload_bytes=1000, max_chunk_bytes=100, ttl_seconds=24 * 3600)


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock) -> FileUploadStore:
    return FileUploadStore.in_data_dir(tmp_path, SMALL, clock)


def sha256(data: bytes) -> Checksum:
    return Checksum("sha256", hashlib.sha256(data).digest())


def test_create_then_append_in_chunks(store: FileUploadStore, tmp_path: Path, clock: FakeClock) -> None:
    upload = store.create(250, {"filename": "diagram.png"})
    assert upload.offset == 0 and upload.length == 250 and not upload.complete
    assert upload.expires_at == clock.now + timedelta(hours=24)
    part, info = tmp_path / "uploads" / f"{upload.id}.part", tmp_path / "uploads" / f"{upload.id}.info"
    assert part.exists() and json.loads(info.read_text())["metadata"] == {"filename": "diagram.png"}
    data = os.urandom(250)
    state = store.append(upload.id, 0, data[:100], sha256(data[:100]))
    assert state.offset == 100
    assert store.state(upload.id).offset == 100  # what HEAD answers
    state = store.append(upload.id, 100, data[100:200])
    state = store.append(upload.id, 200, data[200:], sha256(data[200:]))
    assert state.offset == 250 and state.complete
    assert store.read_complete(upload.id) == data
    assert store.complete_path(upload.id).read_bytes()[:250] == data


def test_wrong_offset_is_a_conflict_that_tells_the_right_one(store: FileUploadStore) -> None:
    upload = store.create(300)
    store.append(upload.id, 0, b"a" * 100)
    for offset in (0, 50, 150):
        with pytest.raises(Conflict) as caught:
            store.append(upload.id, offset, b"b" * 10)
        assert caught.value.code == "upload_offset_mismatch"
        assert caught.value.details["offset"] == 100
    assert store.state(upload.id).offset == 100


def test_checksum_mismatch_changes_nothing(store: FileUploadStore, tmp_path: Path) -> None:
    upload = store.create(200)
    store.append(upload.id, 0, b"a" * 100)
    part = tmp_path / "uploads" / f"{upload.id}.part"
    with pytest.raises(UploadChecksumMismatch) as caught:
        store.append(upload.id, 100, b"b" * 100, sha256(b"c" * 100))
    assert isinstance(caught.value, InvalidInput)
    assert caught.value.code == "upload_checksum_mismatch" and caught.value.details["offset"] == 100
    assert store.state(upload.id).offset == 100
    assert part.stat().st_size == 100  # the refused bytes are not left behind either
    store.append(upload.id, 100, b"b" * 100, sha256(b"b" * 100))  # the retry goes through
    assert store.read_complete(upload.id) == b"a" * 100 + b"b" * 100


def test_sha1_checksums_work_too(store: FileUploadStore) -> None:
    upload = store.create(10)
    digest = base64.b64encode(hashlib.sha1(b"0123456789").digest()).decode()
    assert store.append(upload.id, 0, b"0123456789", parse_checksum(f"sha1 {digest}")).complete


def test_size_limits(store: FileUploadStore) -> None:
    with pytest.raises(PayloadTooLarge) as caught:
        store.create(1001)
    assert caught.value.code == "upload_too_large" and caught.value.details["max_upload_bytes"] == 1000
    for bad in (0, -5, True):
        with pytest.raises(InvalidInput) as invalid:
            store.create(bad)
        assert invalid.value.code == "upload_length_invalid"
    upload = store.create(1000)
    with pytest.raises(PayloadTooLarge) as caught:
        store.append(upload.id, 0, b"x" * 101)
    assert caught.value.code == "upload_chunk_too_large"
    small = store.create(150)
    store.append(small.id, 0, b"x" * 100)
    with pytest.raises(PayloadTooLarge) as caught:
        store.append(small.id, 100, b"y" * 51)
    assert caught.value.code == "upload_length_exceeded"
    assert store.state(small.id).offset == 100
    with pytest.raises(Conflict) as incomplete:
        store.read_complete(small.id)
    assert incomplete.value.code == "upload_incomplete"


def test_terminate(store: FileUploadStore, tmp_path: Path) -> None:
    upload = store.create(100)
    store.append(upload.id, 0, b"x" * 40)
    store.terminate(upload.id)
    assert list((tmp_path / "uploads").iterdir()) == []
    calls = [lambda: store.state(upload.id), lambda: store.append(upload.id, 40, b"y"), lambda: store.terminate(upload.id)]
    for call in calls:
        with pytest.raises(NotFound) as caught:
            call()
        assert caught.value.code == "upload_not_found"


def test_unknown_and_malformed_ids_are_not_found(store: FileUploadStore) -> None:
    for upload_id in ("up_" + "a" * 24, "../../etc/passwd", "up_../../x", "", "UP_" + "a" * 24):
        with pytest.raises(NotFound):
            store.state(upload_id)
        with pytest.raises(NotFound):
            store.append(upload_id, 0, b"x")


def test_expiry_and_the_sweep(store: FileUploadStore, tmp_path: Path, clock: FakeClock) -> None:
    old = store.create(100)
    store.append(old.id, 0, b"x" * 10)
    clock.advance(hours=23)
    fresh = store.create(100)
    clock.advance(hours=1)  # `old` is 24 hours old now
    with pytest.raises(UploadGone) as caught:
        store.append(old.id, 10, b"y")
    assert isinstance(caught.value, NotFound) and caught.value.code == "upload_expired"
    with pytest.raises(UploadGone):
        store.state(old.id)
    assert store.sweep() == [old.id]
    with pytest.raises(NotFound) as gone:
        store.state(old.id)
    assert gone.value.code == "upload_not_found"
    assert store.state(fresh.id).offset == 0  # the young one is untouched
    assert sorted(p.name for p in (tmp_path / "uploads").iterdir()) == [f"{fresh.id}.info", f"{fresh.id}.part"]


def test_sweep_removes_orphans_and_stale_temp_files(store: FileUploadStore, tmp_path: Path) -> None:
    store.create(10)
    root = tmp_path / "uploads"
    orphan = root / ("up_" + "o" * 24 + ".part")  # a crash between the two files of create()
    temp = root / ".tmp-1-deadbeef"  # a crash while writing a record
    young_orphan = root / ("up_" + "y" * 24 + ".part")
    for path in (orphan, temp, young_orphan):
        path.write_bytes(b"left over")
    day_ago = time.time() - 25 * 3600
    os.utime(orphan, (day_ago, day_ago))
    os.utime(temp, (day_ago, day_ago))
    store.sweep()
    assert not orphan.exists() and not temp.exists() and young_orphan.exists()


def test_a_streamed_chunk_cut_short_keeps_what_arrived(store: FileUploadStore) -> None:
    upload = store.create(300)
    with pytest.raises(ConnectionError), store.receive(upload.id, 0) as chunk:
        chunk.write(b"a" * 60)
        raise ConnectionError("client went away")
    assert store.state(upload.id).offset == 60  # the client resumes from here (tus: keep partial bodies)
    with pytest.raises(ConnectionError), store.receive(upload.id, 60, sha256(b"b" * 100)) as chunk:
        chunk.write(b"b" * 40)
        raise ConnectionError("client went away")
    assert store.state(upload.id).offset == 60  # with a checksum nothing unverified is kept


def test_a_streamed_chunk_is_refused_as_soon_as_it_passes_a_limit(store: FileUploadStore) -> None:
    upload = store.create(300)
    with pytest.raises(PayloadTooLarge), store.receive(upload.id, 0) as chunk:
        for _ in range(20):
            chunk.write(b"z" * 10)  # the 11th piece passes the 100-byte chunk limit
    assert store.state(upload.id).offset == 0


def test_racing_appends_in_threads_one_wins(store: FileUploadStore) -> None:
    upload = store.create(100)
    chunks = [bytes([65 + i]) * 100 for i in range(8)]
    start = threading.Barrier(8)

    def race(chunk: bytes) -> str:
        start.wait()
        try:
            store.append(upload.id, 0, chunk)
        except DomainError as error:
            return error.code
        return "ok"

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(race, chunks))
    assert outcomes.count("ok") == 1, outcomes
    assert set(outcomes) - {"ok"} <= {"upload_busy", "upload_offset_mismatch"}
    assert store.read_complete(upload.id) == chunks[outcomes.index("ok")]


def test_racing_appends_in_processes_one_wins(tmp_path: Path) -> None:
    store = FileUploadStore.in_data_dir(tmp_path, SMALL)
    upload = store.create(100)
    context = spawn()
    with context.Manager() as manager, context.Pool(4) as pool:
        barrier = manager.Barrier(4)
        jobs = [(str(store.root), upload.id, bytes([97 + i]) * 100, barrier) for i in range(4)]
        outcomes = pool.starmap(append_racing, jobs)
    assert outcomes.count("ok") == 1, outcomes
    assert set(outcomes) - {"ok"} <= {"upload_busy", "upload_offset_mismatch"}
    assert store.read_complete(upload.id) == bytes([97 + outcomes.index("ok")]) * 100


def test_a_chunk_in_progress_in_another_process_locks_the_upload(tmp_path: Path) -> None:
    store = FileUploadStore.in_data_dir(tmp_path, UploadConfig())
    upload = store.create(2000)
    context = spawn()
    holding, release = context.Event(), context.Event()
    writer = context.Process(target=hold_chunk_open, args=(str(store.root), upload.id, holding, release))
    writer.start()
    try:
        assert holding.wait(30)
        with pytest.raises(Conflict) as caught:
            store.append(upload.id, 0, b"c" * 10)
        assert caught.value.code == "upload_busy"
        assert store.state(upload.id).offset == 0  # HEAD still answers while a chunk is written
    finally:
        release.set()
        writer.join(30)
    assert writer.exitcode == 0
    assert store.read_complete(upload.id) == b"a" * 1000 + b"b" * 1000


def test_a_finished_upload_goes_through_the_image_checks(store: FileUploadStore, tmp_path: Path) -> None:
    big = FileUploadStore.in_data_dir(tmp_path / "big", UploadConfig())
    image = encode(natural(400, 300), "PNG")
    upload = big.create(len(image))
    for offset in range(0, len(image), 50_000):
        piece = image[offset : offset + 50_000]
        big.append(upload.id, offset, piece, sha256(piece))
    processed = process_image(big.read_complete(upload.id))
    assert (processed.format, processed.width, processed.height) == ("png", 400, 300)
    big.terminate(upload.id)


def test_parse_checksum_header() -> None:
    digest = hashlib.sha256(b"chunk").digest()
    assert parse_checksum("sha256 " + base64.b64encode(digest).decode()) == Checksum("sha256", digest)
    assert parse_checksum("SHA256  " + base64.b64encode(digest).decode()).algorithm == "sha256"
    for header, code in [
        ("md5 " + base64.b64encode(hashlib.md5(b"x").digest()).decode(), "upload_checksum_unsupported"),
        ("crc32 AAAA", "upload_checksum_unsupported"),
        ("sha256 not-base64!", "upload_checksum_invalid"),
        ("sha256 " + base64.b64encode(b"short").decode(), "upload_checksum_invalid"),
        ("sha256", "upload_checksum_invalid"),
    ]:
        with pytest.raises(InvalidInput) as caught:
            parse_checksum(header)
        assert caught.value.code == code, header


def test_parse_metadata_header() -> None:
    name = base64.b64encode("Schéma final.png".encode()).decode()
    assert parse_metadata(f"filename {name},is_confidential") == {"filename": "Schéma final.png", "is_confidential": ""}
    assert parse_metadata("") == {}
    assert parse_metadata("filename") == {"filename": ""}  # a key alone is valid
    for header in ("a b c", "a !!!", "a YQ==,a YQ==", "bad\u00e9key YQ==", "k " + "YQ==" * 2000, "k /w=="):
        with pytest.raises(InvalidInput) as caught:
            parse_metadata(header)
        assert caught.value.code == "upload_metadata_invalid", header

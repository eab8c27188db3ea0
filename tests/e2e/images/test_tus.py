"""Resumable image uploads (tus 1.0) driven by the real `tuspy` client against a real server on
loopback, on both databases: create, chunks with sha256 checksums, a transfer cut mid-chunk and resumed,
checksum mismatch, termination, expiry, limits, and other projects' uploads out of reach."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import io
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
import requests
from tusclient.client import TusClient
from tusclient.exceptions import TusCommunicationError
from tusclient.uploader import Uploader

from comstack_core import Core, Settings
from comstack_core.schemas import KeyCreate
from comstack_core.schemas.images import ImageFilter
from comstack_http.app import create_app

from ...conftest import FakeClock, World
from ...core.images.factory import encode, photo
from ...lifespan import serve


class Sha256Uploader(Uploader):
    """tuspy sends sha1 checksums by default; ComStack clients are told to use sha256."""

    CHECKSUM_ALGORITHM_PAIR = ("sha256", hashlib.sha256)


@dataclass
class Server:
    url: str
    world: World
    key: str
    other_key: str

    @property
    def endpoint(self) -> str:
        return f"{self.url}/api/projects/{self.world.project_id}/images/uploads"

    def headers(self, key: str | None = None) -> dict[str, str]:
        pid = self.world.project_id if key in (None, self.key) else self.world.other_project_id
        return {"x-api-key": key or self.key, "x-project-id": pid}

    def client(self) -> TusClient:
        return TusClient(self.endpoint, headers=self.headers())


@pytest.fixture
async def server(settings: Settings, world: World, clock: FakeClock) -> Iterator[Server]:
    key = await world.core.keys.create_key(world.manager, world.project_id, KeyCreate(name="up", role="editor"))
    other = await world.core.keys.create_key(
        world.outsider, world.other_project_id, KeyCreate(name="other", role="manager")
    )
    app = create_app(settings.model_copy(update={"run_publish_jobs": False}), clock=clock)
    with serve(app) as url:
        yield Server(url, world, key.key, other.key)


def jpeg(size: int = 600) -> bytes:
    return encode(photo(size, size * 2 // 3), "JPEG", quality=95)


async def images(core: Core, world: World) -> list[str]:
    return [i.sha256 for i in (await core.images.list_images(world.viewer, world.project_id, ImageFilter())).images]


async def test_chunked_upload_with_sha256_checksums(server: Server) -> None:
    data = jpeg()
    assert len(data) > 3 * 64 * 1024
    uploader = Sha256Uploader(
        file_stream=io.BytesIO(data), client=server.client(), chunk_size=64 * 1024,
        metadata={"alt": "A mountain at dawn", "filename": "dawn.jpg"}, upload_checksum=True,
    )
    await asyncio.to_thread(uploader.upload)
    final = uploader.request.response_headers
    assert final["image-id"].startswith("img_") and final["tus-resumable"] == "1.0.0"
    image = await server.world.core.images.get_image(server.world.viewer, server.world.project_id, final["image-id"])
    assert (image.format, image.alt) == ("jpeg", "A mountain at dawn")
    direct = await server.world.core.images.store_image(server.world.editor, server.world.project_id, data)
    assert direct.id == image.id  # the same checks and the same content address as a direct upload
    gone = await asyncio.to_thread(requests.head, uploader.url, headers={**server.headers(), "Tus-Resumable": "1.0.0"})
    assert gone.status_code == 404  # a finished upload is the image now


def _cut_patch(url: str, headers: dict[str, str], offset: int, declared: int, sent: bytes) -> None:
    """A PATCH that declares `declared` bytes, sends `sent`, and drops the connection."""
    parts = urlsplit(url)
    head = [f"PATCH {parts.path} HTTP/1.1", f"Host: {parts.netloc}", f"Content-Length: {declared}",
            "Content-Type: application/offset+octet-stream", "Tus-Resumable: 1.0.0", f"Upload-Offset: {offset}"]
    head += [f"{k}: {v}" for k, v in headers.items()]
    with socket.create_connection((parts.hostname, parts.port)) as sock:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + sent)
        sock.shutdown(socket.SHUT_WR)
        sock.settimeout(10)
        with contextlib.suppress(OSError):
            sock.recv(1024)


async def test_a_transfer_cut_in_the_middle_resumes(server: Server) -> None:
    data = jpeg(700)
    chunk = 128 * 1024
    image_id = await asyncio.to_thread(_cut_and_resume, server, data, chunk)
    image = await server.world.core.images.get_image(server.world.viewer, server.world.project_id, image_id)
    processed = await server.world.core.images.store_image(server.world.editor, server.world.project_id, data)
    assert processed.id == image.id and processed.sha256 == image.sha256


def _cut_and_resume(server: Server, data: bytes, chunk: int) -> str:
    first = Sha256Uploader(file_stream=io.BytesIO(data), client=server.client(), chunk_size=chunk, upload_checksum=True)
    first.upload(stop_at=chunk)  # one whole chunk, checked
    assert first.offset == chunk
    # The next chunk is cut half way, without a checksum: the server keeps what arrived (tus).
    _cut_patch(first.url, server.headers(), chunk, chunk, data[chunk : chunk + chunk // 2])
    resumed = Sha256Uploader(
        file_stream=io.BytesIO(data), url=first.url, client=server.client(), chunk_size=chunk, upload_checksum=True
    )
    assert chunk <= resumed.offset <= chunk + chunk // 2  # from HEAD, where the server stands
    resumed.upload()
    return str(resumed.request.response_headers["image-id"])


def test_checksum_mismatch_is_460_and_moves_nothing(server: Server) -> None:
    data = jpeg(300)
    created = requests.post(server.endpoint, headers={
        **server.headers(), "Tus-Resumable": "1.0.0", "Upload-Length": str(len(data))})
    assert created.status_code == 201, created.text
    location = server.url + created.headers["location"]
    wrong = base64.b64encode(hashlib.sha256(b"something else").digest()).decode()
    patched = requests.patch(location, data=data[:1000], headers={
        **server.headers(), "Tus-Resumable": "1.0.0", "Upload-Offset": "0",
        "Content-Type": "application/offset+octet-stream", "Upload-Checksum": f"sha256 {wrong}"})
    assert patched.status_code == 460 and patched.json()["code"] == "upload_checksum_mismatch"
    head = requests.head(location, headers={**server.headers(), "Tus-Resumable": "1.0.0"})
    assert head.status_code == 200 and head.headers["upload-offset"] == "0"
    assert head.headers["upload-length"] == str(len(data)) and head.headers["cache-control"] == "no-store"
    bad_type = requests.patch(location, data=b"x", headers={
        **server.headers(), "Tus-Resumable": "1.0.0", "Upload-Offset": "0", "Content-Type": "image/jpeg"})
    assert bad_type.status_code == 400 and bad_type.json()["code"] == "upload_content_type"
    stale = requests.patch(location, data=b"x", headers={
        **server.headers(), "Tus-Resumable": "1.0.0", "Upload-Offset": "5",
        "Content-Type": "application/offset+octet-stream"})
    assert stale.status_code == 409 and stale.json()["code"] == "upload_offset_mismatch"
    old = requests.head(location, headers={**server.headers(), "Tus-Resumable": "0.2.2"})
    assert old.status_code == 412 and old.headers["tus-version"] == "1.0.0"


def test_termination_and_expiry(server: Server, clock: FakeClock) -> None:
    tus = {**server.headers(), "Tus-Resumable": "1.0.0"}
    one = server.url + requests.post(server.endpoint, headers={**tus, "Upload-Length": "100"}).headers["location"]
    assert requests.delete(one, headers=tus).status_code == 204
    assert requests.head(one, headers=tus).status_code == 404
    two = requests.post(server.endpoint, headers={**tus, "Upload-Length": "100"})
    assert "upload-expires" in two.headers
    clock.advance(hours=24, seconds=1)
    expired = requests.head(server.url + two.headers["location"], headers=tus)
    assert expired.status_code == 410
    patched = requests.patch(server.url + two.headers["location"], data=b"x" * 10, headers={
        **tus, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"})
    assert patched.status_code == 410 and patched.json()["code"] == "upload_expired"
    # The next creation sweeps expired uploads off the disk.
    requests.post(server.endpoint, headers={**tus, "Upload-Length": "10"})
    upload_id = two.headers["location"].rsplit("/", 1)[1]
    assert not list(server.world.core.image_uploads.store.root.glob(f"{upload_id}*"))


async def test_limits_and_the_final_checks(server: Server) -> None:
    await asyncio.to_thread(_limits, server)
    assert await images(server.world.core, server.world) == []


def _limits(server: Server) -> None:
    tus = {**server.headers(), "Tus-Resumable": "1.0.0"}
    too_long = requests.post(server.endpoint, headers={**tus, "Upload-Length": str(50 * 1024 * 1024 + 1)})
    assert too_long.status_code == 413 and too_long.json()["code"] == "upload_too_large"
    assert requests.post(server.endpoint, headers=tus).json()["code"] == "upload_length_invalid"
    big = requests.post(server.endpoint, headers={**tus, "Upload-Length": str(6 * 1024 * 1024)})
    chunk = requests.patch(server.url + big.headers["location"], data=b"\0" * (5 * 1024 * 1024 + 1), headers={
        **tus, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"})
    assert chunk.status_code == 413 and chunk.json()["code"] == "upload_chunk_too_large"
    # When the last byte arrives the file goes through the direct upload's checks: HTML is refused.
    html = b"<!doctype html><title>x</title><script>alert(1)</script>"
    uploader = Sha256Uploader(file_stream=io.BytesIO(html), client=server.client(), upload_checksum=True)
    with pytest.raises(TusCommunicationError) as refused:
        uploader.upload()
    assert refused.value.status_code == 400 and b"image_type_unsupported" in refused.value.response_content


def test_other_projects_uploads_are_out_of_reach(server: Server) -> None:
    tus = {**server.headers(), "Tus-Resumable": "1.0.0"}
    mine = server.url + requests.post(server.endpoint, headers={**tus, "Upload-Length": "100"}).headers["location"]
    upload_id = mine.rsplit("/", 1)[1]
    other = {**server.headers(server.other_key), "Tus-Resumable": "1.0.0"}
    other_base = f"{server.url}/api/projects/{server.world.other_project_id}/images/uploads"
    # Through the other project's own path and key: no such upload there.
    assert requests.head(f"{other_base}/{upload_id}", headers=other).status_code == 404
    assert requests.delete(f"{other_base}/{upload_id}", headers=other).status_code == 404
    patched = requests.patch(f"{other_base}/{upload_id}", data=b"x", headers={
        **other, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"})
    assert patched.status_code == 404 and patched.json()["code"] == "upload_not_found"
    # The other project's key on this project's path: refused before anything is looked up.
    for method in ("head", "delete", "options"):
        assert requests.request(method, mine if method != "options" else server.endpoint, headers=other).status_code == 403
    assert requests.head(mine, headers=tus).headers["upload-offset"] == "0"
    options = requests.options(server.endpoint, headers=tus)
    assert options.status_code == 204 and "checksum" in options.headers["tus-extension"]
    assert "sha256" in options.headers["tus-checksum-algorithm"]

"""REST images: every accepted type, the refusals (nothing stored), metadata stripping, dedupe, the quota
under concurrent uploads, management routes and cross-project refusals."""

from __future__ import annotations

import asyncio
import io
import random

import pytest
from PIL import Image

from comstack_core.schemas import PlanUpdate

from ..core.images.factory import encode, exif_with_gps, picture, png_header_only, png_with_text
from .conftest import Rest

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="red"/></svg>'


def blob_files(rest: Rest) -> list[str]:
    root = rest.core.images.storage.blobs.root
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


async def upload(rest: Rest, data: bytes, who: str | dict[str, str] = "editor", **kwargs: object):  # type: ignore[no-untyped-def]
    return await rest.call("POST", rest.p("/images"), who, content=data, **kwargs)


@pytest.mark.parametrize(
    ("fmt", "data", "size"),
    [
        ("png", encode(picture(64, 48), "PNG"), (64, 48)),
        ("jpeg", encode(picture(64, 48), "JPEG"), (64, 48)),
        ("webp", encode(picture(64, 48), "WEBP"), (64, 48)),
        ("gif", encode(picture(64, 48).convert("P"), "GIF"), (64, 48)),
        ("svg", SVG, (40, 20)),
    ],
)
async def test_each_accepted_type(rest: Rest, fmt: str, data: bytes, size: tuple[int, int]) -> None:
    # The header says something else on purpose: the type comes from the bytes.
    answer = await upload(rest, data, headers={"content-type": "application/octet-stream"}, params={"alt": "Logo"})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert {"id", "url", "content_type", "width", "height", "bytes", "sha256", "alt"} <= set(body)
    assert (body["format"], body["width"], body["height"], body["alt"]) == (fmt, *size, "Logo")
    assert body["reference"] == f"image:{body['id']}" and body["url"].endswith(f"/media/{body['id']}.{'jpg' if fmt == 'jpeg' else fmt}")
    served = await rest.client.get(body["url"].removeprefix("http://testserver"))
    assert served.status_code == 200 and served.headers["content-type"].startswith(body["content_type"])
    assert len(served.content) == body["bytes"] and "immutable" in served.headers["cache-control"]


async def test_multipart_with_alt_field(rest: Rest) -> None:
    data = encode(picture(30, 20), "PNG")
    answer = await rest.call(
        "POST", rest.p("/images"), "editor", files={"file": ("photo.txt", data, "text/plain")}, data={"alt": "A chart"}
    )
    assert answer.status_code == 201, answer.text
    assert (answer.json()["format"], answer.json()["alt"]) == ("png", "A chart")
    missing = await rest.call("POST", rest.p("/images"), "editor", files={"upload": ("a.png", data, "image/png")})
    assert missing.status_code == 400 and missing.json()["code"] == "invalid_input"


async def test_refusals_store_nothing(rest: Rest) -> None:
    png = encode(picture(64, 48), "PNG")
    cases = {
        "html as png": (b"<!doctype html><html><script>alert(1)</script></html>", "image_type_unsupported"),
        "polyglot": (png_with_text(picture(64, 48), "Comment", "<script>alert(1)</script>"), "image_polyglot"),
        "truncated": (png[: len(png) // 2], "image_corrupt"),
        "bomb": (png_header_only(60_000, 60_000), "image_too_many_pixels"),
        "svg script": (SVG.replace(b"<rect", b'<script>alert(1)</script><rect'), "svg_unsafe"),
        "empty": (b"", "image_empty"),
    }
    for name, (data, code) in cases.items():
        answer = await upload(rest, data, headers={"content-type": "image/png"})
        assert answer.status_code == 400, (name, answer.text)
        assert answer.json()["code"] == code, name
        assert answer.json()["error"]
    limit = rest.core.settings.max_image_bytes
    too_big = await upload(rest, b"\x89PNG" + b"\0" * (limit - 3))
    assert too_big.status_code == 413 and too_big.json()["code"] == "payload_too_large"
    listed = await rest.call("GET", rest.p("/images"), "viewer")
    assert listed.json()["total"] == 0 and listed.json()["used_bytes"] == 0
    assert blob_files(rest) == []


async def test_too_large_is_refused_before_the_body_is_read(rest: Rest) -> None:
    limit = rest.core.settings.max_image_bytes
    sent = 0

    async def body():  # type: ignore[no-untyped-def]
        nonlocal sent
        for _ in range(limit // 65536 + 2):
            sent += 65536
            yield b"\0" * 65536

    answer = await rest.call(
        "POST", rest.p("/images"), "editor", content=body(), headers={"content-length": str(limit + 1)}
    )
    assert answer.status_code == 413
    assert sent < limit  # answered from the declared length


async def test_gps_is_stripped_and_orientation_applied(rest: Rest) -> None:
    source = picture(60, 40)
    data = encode(source, "JPEG", exif=exif_with_gps(orientation=6).tobytes())
    answer = await upload(rest, data)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert (body["width"], body["height"]) == (40, 60)  # rotated upright
    stored = (await rest.client.get(body["url"].removeprefix("http://testserver"))).content
    image = Image.open(io.BytesIO(stored))
    exif = image.getexif()
    assert 0x8825 not in exif and not exif.get_ifd(0x8825)
    assert b"GPS" not in stored and "xmp" not in image.info


async def test_same_bytes_twice_are_one_image_and_one_blob(rest: Rest) -> None:
    data = encode(picture(50, 50), "PNG")
    first, second = await upload(rest, data), await upload(rest, data, params={"alt": "later alt"})
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert second.json()["alt"] == "later alt"  # an image without alt takes the first one given
    assert (await rest.call("GET", rest.p("/images"), "viewer")).json()["total"] == 1
    # The other project uploading the same bytes gets its own image over the same blob.
    other = await rest.call("POST", rest.p("/images", rest.world.other_project_id), "outsider", content=data)
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]
    assert other.json()["sha256"] == first.json()["sha256"]
    assert blob_files(rest).count(first.json()["sha256"]) == 1


async def test_quota_holds_under_concurrent_uploads(rest: Rest) -> None:
    await rest.core.plans.update_plan(rest.world.admin, rest.world.project_id, PlanUpdate(quotas={"max_image_mb": 1}))
    # Eight different images of about 200 KB each: five fit in 1 MB at most.
    blobs = [encode(Image.frombytes("RGB", (256, 256), random.Random(i).randbytes(256 * 256 * 3)), "PNG") for i in range(8)]
    sizes = {len(b) for b in blobs}
    assert min(sizes) > 150_000
    answers = await asyncio.gather(*(upload(rest, b) for b in blobs))
    created = [a for a in answers if a.status_code == 201]
    refused = [a for a in answers if a.status_code != 201]
    assert refused and all(a.status_code == 403 and a.json()["code"] == "image_quota_exceeded" for a in refused)
    listed = (await rest.call("GET", rest.p("/images"), "viewer")).json()
    assert listed["total"] == len(created)
    assert listed["used_bytes"] == sum(a.json()["bytes"] for a in created) <= 1024 * 1024 == listed["quota_bytes"]


async def test_manage_list_get_alt_delete(rest: Rest) -> None:
    ids = []
    for width in (10, 20, 30):
        answer = await upload(rest, encode(picture(width, 10), "PNG"))
        ids.append(answer.json()["id"])
        rest.world.core.ctx.clock.advance(seconds=1)  # type: ignore[attr-defined]
    page = await rest.call("GET", rest.p("/images"), "viewer", params={"limit": 2})
    assert [i["id"] for i in page.json()["images"]] == ids[::-1][:2] and page.json()["total"] == 3
    rest_page = await rest.call("GET", rest.p("/images"), "viewer", params={"limit": 2, "offset": 2})
    assert [i["id"] for i in rest_page.json()["images"]] == ids[:1]
    one = await rest.call("GET", rest.p(f"/images/{ids[0]}"), "viewer")
    assert one.status_code == 200 and one.json()["width"] == 10
    patched = await rest.call("PATCH", rest.p(f"/images/{ids[0]}"), "editor", json={"alt": "  A   tiny chart "})
    assert patched.status_code == 200 and patched.json()["alt"] == "A tiny chart"
    by_editor = await rest.call("DELETE", rest.p(f"/images/{ids[0]}"), "editor", params={"project_name": rest.world.project_name})
    assert by_editor.status_code == 403 and by_editor.json()["code"] == "role_too_low"
    wrong_name = await rest.call("DELETE", rest.p(f"/images/{ids[0]}"), "manager", params={"project_name": "Nope"})
    assert wrong_name.status_code == 400 and wrong_name.json()["code"] == "project_name_mismatch"
    sha = one.json()["sha256"]
    deleted = await rest.call("DELETE", rest.p(f"/images/{ids[0]}"), "manager", params={"project_name": rest.world.project_name})
    assert deleted.status_code == 204
    assert (await rest.call("GET", rest.p(f"/images/{ids[0]}"), "viewer")).status_code == 404
    assert sha not in blob_files(rest)
    gone = await rest.client.get(one.json()["url"].removeprefix("http://testserver"))
    assert gone.status_code == 404


async def test_viewer_cannot_upload(rest: Rest) -> None:
    answer = await upload(rest, encode(picture(10, 10), "PNG"), "viewer")
    assert answer.status_code == 403 and answer.json()["code"] == "role_too_low"


async def test_cross_project_access_refused_on_every_route(rest: Rest) -> None:
    mine = (await upload(rest, encode(picture(12, 12), "PNG"))).json()["id"]
    other = rest.world.other_project_id
    key = await rest.key("manager")
    name = rest.world.project_name
    calls = [
        ("POST", rest.p("/images", other), {"content": encode(picture(9, 9), "PNG")}),
        ("GET", rest.p("/images", other), {}),
        ("GET", rest.p(f"/images/{mine}", other), {}),
        ("PATCH", rest.p(f"/images/{mine}", other), {"json": {"alt": "x"}}),
        ("DELETE", rest.p(f"/images/{mine}", other), {"params": {"project_name": name}}),
        ("POST", rest.p("/images/uploads", other), {"headers": {"tus-resumable": "1.0.0", "upload-length": "10"}}),
    ]
    for method, url, kwargs in calls:
        for who in ("manager", key):
            answer = await rest.call(method, url, who, **kwargs)  # type: ignore[arg-type]
            assert answer.status_code in (403, 404), (method, url, answer.text)
            assert answer.json()["code"] in ("project_not_found", "project_mismatch")
    # The other project's own manager cannot reach this project's image through their project either.
    theirs = await rest.call("GET", rest.p(f"/images/{mine}", other), "outsider")
    assert theirs.status_code == 404 and theirs.json()["code"] == "image_not_found"
    assert (await rest.call("DELETE", rest.p(f"/images/{mine}", other), "outsider", params={"project_name": "Other Co"})).status_code == 404


async def test_pages_name_images_read_preview_and_dry_run(rest: Rest) -> None:
    image = (await upload(rest, encode(picture(40, 30), "PNG"))).json()
    ghost = "image:img_" + "z" * 24
    content = f"![A chart]({image['reference']})\n\n![]({image['url']})\n\n![Gone]({ghost})\n"
    made = await rest.call("POST", rest.p("/docs"), "editor", json={
        "slug": "guides/charts", "title": "Charts of the quarter",
        "description": "The quarter's charts with notes on what changed and why it matters to you.",
        "content": content})
    assert made.status_code == 201, made.text
    path = made.json()["page"]["path"]
    read = (await rest.call("GET", rest.p(f"/docs/{path}"), "editor")).json()
    resolved = {i["id"]: i for i in read["images"]}
    assert resolved[image["id"]]["found"] and resolved[image["id"]]["url"] == image["url"]
    assert (resolved[image["id"]]["width"], resolved[image["id"]]["height"]) == (40, 30)
    assert resolved["img_" + "z" * 24]["found"] is False
    preview = await rest.call("GET", rest.p(f"/docs/{path}/preview"), "editor")
    assert preview.status_code == 200 and f'src="{image["url"]}"' in preview.text
    ready = await rest.call("PATCH", rest.p(f"/docs/{path}/status"), "editor",
                            json={"status": "ready", "project_name": rest.world.project_name})
    assert ready.status_code == 200, ready.text
    blocked = await rest.call("POST", rest.p("/publish"), "manager", json={"project_name": rest.world.project_name})
    assert blocked.status_code == 400 and blocked.json()["code"] == "image_missing", blocked.text
    assert "guides/charts" in blocked.json()["error"]
    # Without the missing image the dry run passes, warning about the image without alt text.
    version = (await rest.call("GET", rest.p(f"/docs/{path}"), "editor")).json()["version"]
    fixed = await rest.call("PATCH", rest.p(f"/docs/{path}"), "editor", json={
        "base_version": version, "content": content.replace(f"![Gone]({ghost})", "")})
    assert fixed.status_code == 200, fixed.text
    await rest.call("PATCH", rest.p(f"/docs/{path}/status"), "editor",
                    json={"status": "ready", "project_name": rest.world.project_name})
    dry = await rest.call("POST", rest.p("/publish"), "manager", json={"project_name": rest.world.project_name})
    assert dry.status_code == 200, dry.text
    rules = [(f["slug"], f["rule"]) for f in dry.json()["manifest"]["lint"]["findings"]]
    assert rules.count(("guides/charts", "image-alt-missing")) == 1  # ![](url) of an image stored without alt

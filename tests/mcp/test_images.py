"""upload-image, list-images and delete-image through the SDK's client over real HTTP, on both
databases: storing, refusals, the name echo, roles, and other projects' images out of reach."""

from __future__ import annotations

import base64

import pytest
from mcp.shared.exceptions import MCPError

from ..core.images.factory import encode, picture
from .conftest import EDITOR_TOKEN, Seed
from .harness import LiveServer, bearer, key_headers, mcp_client
from .test_http import data, text


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


async def test_upload_list_delete(live: LiveServer, seed: Seed) -> None:
    png = encode(picture(80, 40), "PNG")
    async with mcp_client(live.mcp_url, key_headers(seed.keys["editor"], seed.project_id)) as client:
        made = data(await client.call_tool("upload-image", {
            "project_id": seed.project_id, "data_base64": b64(png), "alt": "Quarterly chart"}))
        assert (made["format"], made["width"], made["height"], made["alt"]) == ("png", 80, 40, "Quarterly chart")
        assert made["reference"] == f"image:{made['id']}"
        again = data(await client.call_tool("upload-image", {"project_id": seed.project_id, "data_base64": b64(png)}))
        assert again["id"] == made["id"]
        listed = data(await client.call_tool("list-images", {"project_id": seed.project_id}))
        assert listed["total"] == 1 and listed["images"][0]["id"] == made["id"]
        bad = await client.call_tool("upload-image", {"project_id": seed.project_id, "data_base64": "not base64!"})
        assert bad.is_error and "image_encoding_invalid" in text(bad)
        html = await client.call_tool("upload-image", {
            "project_id": seed.project_id, "data_base64": b64(b"<html><script>x</script></html>")})
        assert html.is_error and "image_type_unsupported" in text(html)
        # An editor key does not even see delete-image; calling it is refused by the core.
        assert "delete-image" not in {t.name for t in (await client.list_tools()).tools}
    async with mcp_client(live.mcp_url, key_headers(seed.keys["manager"], seed.project_id)) as client:
        wrong = await client.call_tool("delete-image", {
            "project_id": seed.project_id, "image_id": made["id"], "project_name": "Someone Else"})
        assert wrong.is_error and "project_name_mismatch" in text(wrong)
        gone = data(await client.call_tool("delete-image", {
            "project_id": seed.project_id, "image_id": made["id"], "project_name": seed.world.project_name}))
        assert gone == {"deleted": True, "id": made["id"], "pages": []}
        assert data(await client.call_tool("list-images", {"project_id": seed.project_id}))["total"] == 0


async def test_other_projects_are_refused_on_every_tool(live: LiveServer, seed: Seed) -> None:
    mine = await seed.world.core.images.store_image(seed.world.editor, seed.project_id, encode(picture(9, 9), "PNG"))
    other = seed.world.other_project_id
    calls = {
        "upload-image": {"project_id": other, "data_base64": b64(encode(picture(5, 5), "PNG"))},
        "list-images": {"project_id": other},
        "delete-image": {"project_id": other, "image_id": mine.id, "project_name": "Other Co"},
    }
    for headers in (key_headers(seed.keys["manager"], seed.project_id), bearer(EDITOR_TOKEN)):
        async with mcp_client(live.mcp_url, headers) as client:
            for name, args in calls.items():
                try:
                    result = await client.call_tool(name, args)
                except MCPError as error:  # a key naming another project is refused before the tool runs
                    assert "cannot be used on project" in error.message, name
                    continue
                assert result.is_error, name
                assert "project_not_found" in text(result), (name, text(result))
    assert (await seed.world.core.images.get_image(seed.world.viewer, seed.project_id, mine.id)).id == mine.id

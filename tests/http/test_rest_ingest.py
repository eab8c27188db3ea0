"""REST ingestion: capture -> extract -> save -> drafts -> delete, images of a capture, every refusal
(with nothing stored), and CORS for extension origins on the ingest routes only."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from comstack_core.ingest import IngestSettings
from comstack_core.schemas import ModuleUpdate
from comstack_http.app import create_app

from ..core.images.factory import encode, picture
from ..core.test_support import snapshot
from ..lifespan import running
from .conftest import Rest

URL = "https://help.example.com/articles/reset"
ARTICLE = (
    "<!doctype html><html lang='en'><head><title>Reset your password | Help</title></head><body>"
    "<nav><a href='/'>Home</a> <a href='/pricing'>Pricing</a></nav><main><article><h1>Reset your password</h1>"
    "<p>Open the sign-in page and choose Forgot password. We send a link that works for one hour.</p>"
    "<p><img src='/img/form.png' alt='The reset form'></p>"
    "<p>Follow the link and type a new password twice; it must have at least twelve characters.</p>"
    "</article></main></body></html>"
)
EXTENSION = "chrome-extension://abcdefghijklmnopabcdefghijklmnop"


async def switch_on(rest: Rest) -> None:
    await rest.core.modules.configure_module(
        rest.world.manager, rest.world.project_id, "chrome_ingest", ModuleUpdate(enabled=True)
    )


async def test_capture_extract_save_list_delete(rest: Rest) -> None:
    await switch_on(rest)
    captured = await rest.call("POST", rest.p("/ingest/capture"), "editor", json={"url": URL, "html": ARTICLE})
    assert captured.status_code == 200, captured.text
    capture = captured.json()
    assert (capture["already_imported"], capture["page"]) == (False, None)
    extracted = await rest.call("POST", rest.p("/ingest/extract"), "editor", json={"capture_id": capture["capture_id"]})
    assert extracted.status_code == 200, extracted.text
    proposed = extracted.json()
    assert (proposed["title"], proposed["slug"], proposed["language"]) == ("Reset your password", "articles/reset", "en")
    assert proposed["images"] == [
        {"url": "https://help.example.com/img/form.png", "alt": "The reset form", "title": "", "source": "content"}
    ]

    # The extension sends the image's bytes; the draft then names the stored image instead of the source.
    png = encode(picture(40, 30), "PNG")
    uploaded = await rest.call(
        "POST", rest.p(f"/ingest/captures/{capture['capture_id']}/images"), "editor", content=png,
        params={"source_url": proposed["images"][0]["url"], "alt": "The reset form"},
    )
    assert uploaded.status_code == 201, uploaded.text
    image = uploaded.json()["image"]
    assert (image["format"], image["alt"]) == ("png", "The reset form")
    content = proposed["content"].replace(proposed["images"][0]["url"], image["reference"])
    draft = {k: proposed[k] for k in ("title", "description", "slug", "language", "doc_template_id", "fields")}
    saved = await rest.call(
        "POST", rest.p("/ingest/save"), "editor",
        json={"capture_id": capture["capture_id"], "draft": {**draft, "content": content}},
    )
    assert saved.status_code == 200, saved.text
    page = saved.json()["page"]
    assert (page["slug"], page["status"], saved.json()["created"]) == ("articles/reset", "draft", True)
    read = await rest.call("GET", rest.p(f"/docs/{page['path']}"), "editor")
    assert read.status_code == 200, read.text
    assert read.json()["content"] == content and [i["id"] for i in read.json()["images"]] == [image["id"]]

    drafts = await rest.call("GET", rest.p("/ingest/drafts"), "editor")
    assert [d["page"]["path"] for d in drafts.json()["drafts"]] == [page["path"]]
    again = await rest.call("POST", rest.p("/ingest/capture"), "editor", json={"url": URL + "#top", "html": ARTICLE})
    assert again.json()["already_imported"] and again.json()["page"]["path"] == page["path"]

    deleted = await rest.call("DELETE", rest.p(f"/ingest/captures/{capture['capture_id']}"), "editor")
    assert deleted.status_code == 204
    gone = await rest.call("DELETE", rest.p(f"/ingest/captures/{capture['capture_id']}"), "editor")
    assert (gone.status_code, gone.json()["code"]) == (404, "capture_not_found")
    assert (await rest.call("GET", rest.p(f"/docs/{page['path']}"), "editor")).status_code == 200


async def test_refusals_store_nothing(rest: Rest) -> None:
    good = {"url": URL, "html": ARTICLE}
    before = await snapshot(rest.core, rest.world.project_id)

    async def refused(status: int, code: str, method: str, path: str, who: str = "editor", **kwargs: object) -> str:
        answer = await rest.call(method, path, who, **kwargs)
        assert (answer.status_code, answer.json()["code"]) == (status, code), answer.text
        assert await snapshot(rest.core, rest.world.project_id) == before
        return str(answer.json()["error"])

    assert "chrome_ingest" in await refused(403, "module_disabled", "POST", rest.p("/ingest/capture"), json=good)
    await refused(403, "module_disabled", "GET", rest.p("/ingest/drafts"))
    await switch_on(rest)
    before = await snapshot(rest.core, rest.world.project_id)
    await refused(403, "role_too_low", "POST", rest.p("/ingest/capture"), "viewer", json=good)
    await refused(404, "project_not_found", "POST", rest.p("/ingest/capture"), "outsider", json=good)
    big = {"url": URL, "html": ARTICLE + "<!--" + "x" * (1024 * 1024) + "-->"}
    assert "1,048,576" in await refused(413, "html_too_large", "POST", rest.p("/ingest/capture"), json=big)
    # Past the route's body limit the request is refused from its Content-Length, before it is read.
    huge = json.dumps({"url": URL, "html": "<p>" + "x" * (3 * 1024 * 1024) + "</p>"})
    await refused(413, "payload_too_large", "POST", rest.p("/ingest/capture"), content=huge,
                  headers={"content-type": "application/json"})
    await refused(400, "not_html", "POST", rest.p("/ingest/capture"), json={"url": URL, "html": "%PDF-1.7 binary"})
    shell = "<html><head><title>Loading</title></head><body><div id='root'></div></body></html>"
    assert "fully loaded" in await refused(400, "empty_content", "POST", rest.p("/ingest/capture"),
                                           json={"url": URL, "html": shell})
    await refused(400, "invalid_url", "POST", rest.p("/ingest/capture"), json={"url": "file:///etc/passwd", "html": ARTICLE})
    await refused(400, "invalid_input", "POST", rest.p("/ingest/capture"), json={"url": URL})

    # Another project's capture is not found from this project, whichever route names it.
    other = rest.world.other_project_id
    await rest.core.modules.configure_module(rest.world.outsider, other, "chrome_ingest", ModuleUpdate(enabled=True))
    theirs = await rest.call("POST", rest.p("/ingest/capture", other), "outsider", json=good)
    assert theirs.status_code == 200
    cid = theirs.json()["capture_id"]
    draft = {"title": "Reset", "slug": "reset", "content": "Text."}
    await refused(404, "capture_not_found", "POST", rest.p("/ingest/extract"), json={"capture_id": cid})
    await refused(404, "capture_not_found", "POST", rest.p("/ingest/save"), json={"capture_id": cid, "draft": draft})
    await refused(404, "capture_not_found", "DELETE", rest.p(f"/ingest/captures/{cid}"))
    await refused(404, "capture_not_found", "POST", rest.p(f"/ingest/captures/{cid}/images"),
                  content=encode(picture(8, 8), "PNG"))


async def test_cors_for_extensions_on_ingest_routes_only(rest: Rest) -> None:
    await switch_on(rest)
    preflight = {"origin": EXTENSION, "access-control-request-method": "POST",
                 "access-control-request-headers": "content-type, x-api-key, x-project-id"}
    answer = await rest.client.options(rest.p("/ingest/capture"), headers=preflight)
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == EXTENSION
    assert {"x-api-key", "x-project-id", "content-type"} <= {
        h.strip() for h in answer.headers["access-control-allow-headers"].lower().split(",")}
    assert "POST" in answer.headers["access-control-allow-methods"]
    # The real request answers readable by the extension, errors included.
    headers = {"origin": EXTENSION, **await rest.key("editor")}
    ok = await rest.client.post(rest.p("/ingest/capture"), json={"url": URL, "html": ARTICLE}, headers=headers)
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == EXTENSION
    bad = await rest.client.post(rest.p("/ingest/capture"), json={"url": URL, "html": "{}"}, headers=headers)
    assert bad.status_code == 400 and bad.headers["access-control-allow-origin"] == EXTENSION
    huge = await rest.client.post(rest.p("/ingest/capture"), content=b"x" * (4 * 1024 * 1024), headers=headers)
    assert huge.status_code == 413 and huge.headers["access-control-allow-origin"] == EXTENSION

    # No web origin, and no other route, gets CORS.
    for origin, path in (
        ("https://evil.example", rest.p("/ingest/capture")),
        ("null", rest.p("/ingest/capture")),
        ("chrome-extension://../", rest.p("/ingest/capture")),
        (EXTENSION, rest.p("/images")),
        (EXTENSION, rest.p("/docs")),
        (EXTENSION, "/mcp"),
        (EXTENSION, rest.p("/ingestion")),
    ):
        refused = await rest.client.options(path, headers={**preflight, "origin": origin})
        assert "access-control-allow-origin" not in refused.headers, (origin, path)
        plain = await rest.client.get(path, headers={**headers, "origin": origin})
        assert "access-control-allow-origin" not in plain.headers, (origin, path)


@pytest.fixture
async def narrowed(rest: Rest) -> AsyncIterator[httpx.AsyncClient]:
    settings = rest.core.settings.model_copy(
        update={"ingest": IngestSettings(extension_ids=["abcdefghijklmnopabcdefghijklmnop"])}
    )
    async with (
        running(create_app(settings, core=rest.core)) as app,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client,
    ):
        yield client


async def test_extension_ids_narrow_cors(rest: Rest, narrowed: httpx.AsyncClient) -> None:
    preflight = {"access-control-request-method": "POST", "access-control-request-headers": "x-api-key"}
    allowed = await narrowed.options(rest.p("/ingest/capture"), headers={**preflight, "origin": EXTENSION})
    assert allowed.headers["access-control-allow-origin"] == EXTENSION
    other = "chrome-extension://ppppppppppppppppppppppppppppppppp"
    refused = await narrowed.options(rest.p("/ingest/capture"), headers={**preflight, "origin": other})
    assert "access-control-allow-origin" not in refused.headers


def test_extension_ids_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMSTACK_INGEST_EXTENSION_IDS", " abcdefghijklmnopabcdefghijklmnop , pppppppppppppppppppppppppppppppp")
    assert IngestSettings().extension_ids == ["abcdefghijklmnopabcdefghijklmnop", "pppppppppppppppppppppppppppppppp"]
    monkeypatch.setenv("COMSTACK_INGEST_EXTENSION_IDS", "https://evil.example")
    with pytest.raises(ValueError, match="not an extension id"):
        IngestSettings()

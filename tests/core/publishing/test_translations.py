"""Translation fan-out: a second locale makes each publish open tasks; a submitted translation goes live with
the next publish, with reciprocal hreflang. The optional HTTP provider, against a tiny local server that
implements the documented contract (POST {source_language, target_language, texts} → {texts})."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser
from sqlalchemy import update
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from comstack_core import Core
from comstack_core.models import TranslationTask
from comstack_core.schemas import PageRef, PageStatusUpdate, PageUpdate, PublishRequest, SettingsUpdate

from ...lifespan import serve
from .conftest import Pub, wait_published
from .harness import add_ready_pages, publish_and_run

INTRO = (
    "guides/intro",
    "Getting started",
    "# Getting started\n\nHello and welcome.\n\nSee [setup](/guides/setup).\n",
)
SETUP = ("guides/setup", "Setting things up", "# Setup\n\nHello again.\n")
ALONE = ("guides/intro", "Getting started", "# Getting started\n\nHello and welcome.\n")
SPANISH = {
    "guides/intro": (
        "Primeros pasos",
        "# Primeros pasos\n\nHola y bienvenidos.\n\nVea [setup](/guides/setup).\n",
    ),
    "guides/setup": ("Configuración", "# Configuración\n\nHola otra vez.\n"),
}


async def two_locales(pub: Pub) -> None:
    await pub.core.project_settings.update_settings(
        pub.world.manager,
        pub.project_id,
        SettingsUpdate(knowledge_locales=["en", "es"], custom_page_locales=["en", "es"]),
    )


def alternates(html: str) -> dict[str, str]:
    tree = LexborHTMLParser(html)
    return {
        n.attributes["hreflang"]: n.attributes["href"]
        for n in tree.css('head link[rel="alternate"][hreflang]')
    }


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_tasks_then_submit_then_the_locale_goes_live(client: httpx.AsyncClient, pub: Pub) -> None:
    await two_locales(pub)
    await add_ready_pages(pub.core, pub.world.editor, pub.project_id, pub.name, [INTRO, SETUP])

    dry = await client.post(pub.url("/publish"), headers=pub.headers, json={"project_name": pub.name})
    planned = dry.json()["manifest"]["translations_planned"]
    assert sorted((t["slug"], t["language"], t["provider"]) for t in planned) == [
        ("guides/intro", "es", "tasks"),
        ("guides/setup", "es", "tasks"),
    ]
    started = await client.post(
        pub.url("/publish/confirm"),
        headers=pub.headers,
        json={"project_name": pub.name, "confirmation_token": dry.json()["confirmation_token"]},
    )
    first = await wait_published(client, pub.project_id, pub.headers, started.json()["publish_id"])
    assert first["status"] == "succeeded" and first["counts"]["translation_tasks"] == 2
    assert (await client.get("/sites/acme-docs/es/guides/intro/")).status_code == 404

    tasks = (await client.get(pub.url("/translations/tasks"), headers=pub.headers)).json()
    assert sorted((t["source_slug"], t["source_language"], t["target_language"]) for t in tasks) == [
        ("guides/intro", "en", "es"),
        ("guides/setup", "en", "es"),
    ]
    assert all("Hello" in t["content"] for t in tasks)
    for task in tasks:
        title, content = SPANISH[task["source_slug"]]
        saved = await client.post(
            pub.url("/translations/submit"),
            headers=pub.headers,
            json={
                "task_id": task["id"],
                "title": title,
                "description": "Una página traducida.",
                "content": content,
            },
        )
        assert saved.status_code == 200, saved.text
        assert saved.json()["page"]["language"] == "es" and saved.json()["page"]["status"] == "ready"
    done = await client.post(
        pub.url("/translations/submit"),
        headers=pub.headers,
        json={"task_id": tasks[0]["id"], "title": "Otra vez", "content": "x"},
    )
    assert done.status_code == 409 and done.json()["code"] == "task_closed"
    assert (await client.get(pub.url("/translations/tasks"), headers=pub.headers)).json() == []

    second = await publish_and_run(pub.core, pub.world.manager, pub.project_id, pub.name)
    assert second.status == "succeeded", second.error
    assert second.counts.translation_tasks == 0  # translations are not sources themselves

    en = await client.get("/sites/acme-docs/guides/intro/")
    es = await client.get("/sites/acme-docs/es/guides/intro/")
    assert es.status_code == 200 and "Hola y bienvenidos" in es.text and 'lang="es"' in es.text
    en_alts, es_alts = alternates(en.text), alternates(es.text)
    base = "http://testserver/sites/acme-docs/"
    assert en_alts["en"] == es_alts["en"] == base + "guides/intro/"
    assert en_alts["es"] == es_alts["es"] == base + "es/guides/intro/"
    # The Spanish page's link to setup leads to the Spanish setup page.
    link = next(a for a in LexborHTMLParser(es.text).css("main a") if a.text() == "setup")
    assert urljoin(base + "es/guides/intro/", link.attributes["href"]) == base + "es/guides/setup/"

    # Changing the source makes the translation stale: the next publish opens a task again.
    page = await pub.core.pages.get_page(pub.world.editor, pub.project_id, PageRef(slug="guides/intro"))
    await pub.core.editing.update_page(
        pub.world.editor,
        pub.project_id,
        PageRef(slug="guides/intro"),
        PageUpdate(base_version=page.version, content=INTRO[2] + "\nA new paragraph.\n"),
    )
    await pub.core.pages.set_page_status(
        pub.world.editor,
        pub.project_id,
        PageRef(slug="guides/intro"),
        PageStatusUpdate(status="ready", project_name=pub.name),
    )
    third = await publish_and_run(pub.core, pub.world.manager, pub.project_id, pub.name)
    assert third.counts.translation_tasks == 1
    reopened = (await client.get(pub.url("/translations/tasks"), headers=pub.headers)).json()
    assert [(t["source_slug"], t["target_language"]) for t in reopened] == [("guides/intro", "es")]
    # The old translation stays live meanwhile.
    assert "Hola y bienvenidos" in (await client.get("/sites/acme-docs/es/guides/intro/")).text


class Translator:
    """A third-party translation service we cannot reach, replaced by one that keeps its documented contract."""

    def __init__(self, *, fail: bool = False) -> None:
        self.requests: list[dict[str, Any]] = []
        self.fail = fail
        self.app = Starlette(routes=[Route("/translate", self.translate, methods=["POST"])])

    async def translate(self, request: Request) -> JSONResponse:
        body = await request.json()
        self.requests.append({"auth": request.headers.get("authorization"), **body})
        if self.fail:
            return JSONResponse({"error": "overloaded"}, status_code=503)
        words = {
            "Hello": "Hola",
            "welcome": "bienvenidos",
            "Getting started": "Primeros pasos",
            "again": "otra vez",
        }
        out = {}
        for key, text in body["texts"].items():
            for en, es in words.items():
                text = text.replace(en, es)
            out[key] = text
        return JSONResponse({"texts": out})


@pytest.mark.parametrize("fail", [False, True], ids=["ok", "provider-down"])
async def test_http_provider_contract(
    client: httpx.AsyncClient, pub: Pub, tmp_path: Path, fail: bool
) -> None:
    await two_locales(pub)
    await add_ready_pages(pub.core, pub.world.editor, pub.project_id, pub.name, [ALONE])
    translator = Translator(fail=fail)
    with serve(translator.app) as provider:
        settings = pub.core.settings.model_copy(
            update={
                "translation_provider": "http",
                "translation_http_url": provider + "/translate",
                "translation_http_key": "provider-secret",
            }
        )
        async with Core.open(settings, clock=pub.clock) as core:
            dry = await core.publishing.publish(
                pub.world.manager, pub.project_id, PublishRequest(project_name=pub.name)
            )
            assert [t.provider for t in dry.manifest.translations_planned] == ["http"]
            status = await publish_and_run(core, pub.world.manager, pub.project_id, pub.name)
    assert status.status == "succeeded", status.error

    assert len(translator.requests) == 1
    sent = translator.requests[0]
    assert sent["auth"] == "Bearer provider-secret"
    assert sent["source_language"] == "en" and sent["target_language"] == "es"
    assert set(sent["texts"]) == {"title", "description", "content"}
    assert sent["texts"]["title"] == "Getting started" and "Hello and welcome." in sent["texts"]["content"]

    es = await client.get("/sites/acme-docs/es/guides/intro/")
    tasks = (await client.get(pub.url("/translations/tasks"), headers=pub.headers)).json()
    if fail:
        # The provider's failure does not fail the publish: the task stays open for an assistant.
        assert es.status_code == 404
        assert [t["target_language"] for t in tasks] == ["es"]
    else:
        # An automatic translation goes live in the same publish, hreflang both ways.
        assert es.status_code == 200 and "Hola and bienvenidos." in es.text and "Primeros pasos" in es.text
        assert tasks == []
        en = await client.get("/sites/acme-docs/guides/intro/")
        assert alternates(en.text)["es"] == alternates(es.text)["es"]
        assert alternates(es.text)["en"] == alternates(en.text)["en"]


async def mcp_tool(
    client: httpx.AsyncClient, headers: dict[str, str], name: str, args: dict[str, Any]
) -> Any:
    """One stateless JSON-RPC tools/call on /mcp; returns the tool result."""
    answer = await client.post(
        "/mcp",
        headers={**headers, "accept": "application/json, text/event-stream"},
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": name, "arguments": args}},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["result"]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
@pytest.mark.parametrize("undo", ["revert", "failed"])
async def test_tasks_stay_listable_after_their_publish_is_undone(
    client: httpx.AsyncClient, pub: Pub, undo: str
) -> None:
    """A publish reverted, or failed after promoting (and fanning out), leaves its tasks pointing at pages
    with no live revision: they are closed as stale, and listing never fails, at any limit, on both doors."""
    await two_locales(pub)
    pages = [INTRO, SETUP] + (
        [("guides/broken", "A page with a dead link", "See [nothing](/guides/does-not-exist).\n")]
        if undo == "failed"
        else []
    )
    await add_ready_pages(pub.core, pub.world.editor, pub.project_id, pub.name, pages)
    # A dry run refuses a publish that would fail the gate; with that check off, the job's gate fails it.
    unchecked = pub.core.settings.model_copy(update={"publish_check_plan": undo != "failed"})
    async with Core.open(unchecked, clock=pub.clock) as core:
        done = await publish_and_run(core, pub.world.manager, pub.project_id, pub.name)
    if undo == "revert":
        assert done.status == "succeeded", done.error
        opened = (await client.get(pub.url("/translations/tasks"), headers=pub.headers)).json()
        assert len(opened) == 2
        reverted = await client.post(
            pub.url(f"/publish/{done.publish_id}/revert"),
            headers=pub.headers,
            json={"project_name": pub.name},
        )
        assert reverted.status_code == 200, reverted.text
        late = await client.post(
            pub.url("/translations/submit"),
            headers=pub.headers,
            json={
                "task_id": opened[0]["id"],
                "title": "Primeros pasos",
                "description": "",
                "content": "# Hola\n",
            },
        )
        assert late.status_code == 409 and late.json()["code"] == "task_closed", late.text
        assert "stale" in late.json()["error"]
        # A task left open by an older version (closed by nothing) is refused as stale, not a 500.
        async with pub.core.db.write() as session:
            await session.exec(update(TranslationTask).values(status="open"))
        listed = await client.get(pub.url("/translations/tasks?limit=1"), headers=pub.headers)
        assert listed.status_code == 200 and listed.json() == []
        late = await client.post(
            pub.url("/translations/submit"),
            headers=pub.headers,
            json={
                "task_id": opened[0]["id"],
                "title": "Primeros pasos",
                "description": "",
                "content": "# Hola\n",
            },
        )
        assert late.status_code == 409 and late.json()["code"] == "task_stale", late.text
        assert "no longer live" in late.json()["error"]
    else:
        assert done.status == "failed" and done.error and "does-not-exist" in done.error

    for limit in (1, 2, 3, 20, 100):
        rest = await client.get(pub.url(f"/translations/tasks?limit={limit}"), headers=pub.headers)
        assert rest.status_code == 200, rest.text
        assert rest.json() == []
        result = await mcp_tool(
            client, pub.headers, "list-translation-tasks", {"project_id": pub.project_id, "limit": limit}
        )
        assert not result.get("isError"), result
        assert json.loads(result["content"][0]["text"])["tasks"] == []

    # Publishing the pages again opens fresh tasks, listable and limited as asked.
    for slug in ("guides/intro", "guides/setup"):
        page = await pub.core.pages.get_page(pub.world.editor, pub.project_id, PageRef(slug=slug))
        if page.status != "ready":
            await pub.core.pages.set_page_status(
                pub.world.editor,
                pub.project_id,
                PageRef(slug=slug),
                PageStatusUpdate(status="ready", project_name=pub.name),
            )
    if undo == "failed":
        await pub.core.pages.delete_page(
            pub.world.manager, pub.project_id, PageRef(slug="guides/broken"), project_name=pub.name
        )
    again = await publish_and_run(pub.core, pub.world.manager, pub.project_id, pub.name)
    assert again.status == "succeeded", again.error
    one = await client.get(pub.url("/translations/tasks?limit=1"), headers=pub.headers)
    assert one.status_code == 200 and len(one.json()) == 1
    both = await client.get(pub.url("/translations/tasks?limit=100"), headers=pub.headers)
    assert sorted(t["source_slug"] for t in both.json()) == ["guides/intro", "guides/setup"]

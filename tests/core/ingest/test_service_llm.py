"""The LLM extractor configured by settings (URL, key, model) is the one extract uses: checked against a
local HTTP server speaking chat-completions, through the core's use case, with the project's templates,
locales and slugs in the request."""

from __future__ import annotations

from pathlib import Path

import pytest

from comstack_core import Settings
from comstack_core.ingest import CaptureRequest, ExtractRequest, IngestedDraft, IngestSettings, SaveRequest
from comstack_core.schemas import ModuleUpdate, PageRef

from ...conftest import World
from .test_extractors import Provider, provider  # noqa: F401  (the local chat-completions endpoint)

URL = "https://help.example.com/articles/reset"
ARTICLE = (
    "<!doctype html><html lang='en'><head><title>Reset your password | Help</title></head><body>"
    "<nav><a href='/'>Home</a></nav><main><h1>Reset your password</h1>"
    "<p>Open the sign-in page and choose Forgot password. We send a link that works for one hour.</p>"
    "</main></body></html>"
)


@pytest.fixture
def settings(database_url: str, tmp_path: Path, provider: Provider) -> Settings:  # noqa: F811
    ingest = IngestSettings(llm_url=provider.url, llm_key="sk-test", llm_model="test-model")
    return Settings(data_dir=tmp_path / "data", database_url=database_url, public_url="http://testserver", ingest=ingest)


async def test_extract_uses_the_configured_llm_extractor(world: World, provider: Provider) -> None:  # noqa: F811
    core, pid = world.core, world.project_id
    await core.modules.configure_module(world.manager, pid, "chrome_ingest", ModuleUpdate(enabled=True))
    captured = await core.ingest.capture(world.editor, pid, CaptureRequest(url=URL, html=ARTICLE))
    provider.reply({"title": "Resetting your password", "slug": "guides/reset-password",
                    "content": "1. Open the sign-in page.\n2. Choose **Forgot password**."})
    proposed = await core.ingest.extract(
        world.editor, pid, ExtractRequest(capture_id=captured.capture_id, instructions="Make it a numbered list.")
    )
    assert proposed.extractor == "llm" and proposed.capture_id == captured.capture_id
    assert (proposed.title, proposed.slug) == ("Resetting your password", "guides/reset-password")
    [request] = provider.requests
    assert request["headers"]["authorization"] == "Bearer sk-test"
    assert request["json"]["model"] == "test-model"
    sent = request["json"]["messages"][1]["content"]
    assert "Make it a numbered list." in sent and "works for one hour" in sent
    assert '"allowed_languages": ["en"]' in sent and '"id": "faq"' in sent  # the project's locales and templates
    saved = await core.ingest.save(world.editor, pid, SaveRequest(capture_id=captured.capture_id,
                                                                 draft=IngestedDraft(**proposed.as_draft().model_dump())))
    page = await core.pages.get_page(world.editor, pid, PageRef(path=saved.page.path))
    assert page.content == proposed.content == "1. Open the sign-in page.\n2. Choose **Forgot password**.\n"

    # An answer that cannot be used falls back to the default extraction, saying why.
    provider.reply(status=500, raw=b"{}")
    fallback = await core.ingest.extract(world.editor, pid, ExtractRequest(capture_id=captured.capture_id))
    assert fallback.extractor == "default" and "works for one hour" in fallback.content
    assert any("HTTP 500" in note for note in fallback.notes)

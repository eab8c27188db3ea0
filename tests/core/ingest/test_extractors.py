"""The extractor interface, and the optional LLM extractor as a contract test of the OpenAI
chat-completions format against a local HTTP server standing in for the provider."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from pydantic import ValidationError

from comstack_core.errors import InvalidInput
from comstack_core.ingest import (
    ChatCompletionsExtractor,
    DefaultExtractor,
    ExtractionInput,
    IngestSettings,
    extract_page,
)

URL = "https://shop.example.com/products/trail-kettle"
HTML = (
    "<!doctype html><html lang='en'><head><title>Trail kettle | Campfire Shop</title>"
    '<script type="application/ld+json">{"@type": "Product", "sku": "TK-1", "offers": {"price": "30", '
    '"priceCurrency": "USD"}}</script></head><body><nav><a href="/">Shop home</a></nav><main><h1>Trail kettle</h1>'
    "<p>A light kettle for camp stoves that boils a litre in four minutes and packs inside a standard pot.</p>"
    "<p>It has a folding handle, a lid that locks, and a spout that pours without dripping.</p></main></body></html>"
)


@dataclass
class Provider:
    """A chat-completions endpoint: records each request and answers with what the test queued."""

    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    answers: list[tuple[int, bytes, float]] = field(default_factory=list)

    def reply(self, content: Any = None, *, status: int = 200, raw: bytes | None = None, delay: float = 0,
              message: dict[str, Any] | None = None) -> None:
        if raw is None:
            text = content if isinstance(content, str) else json.dumps(content)
            completion = {
                "id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": "test-model",
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": message or {"role": "assistant", "content": text}}],
                "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
            }
            raw = json.dumps(completion).encode()
        self.answers.append((status, raw, delay))


@pytest.fixture
def provider() -> Iterator[Provider]:
    state = Provider(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            state.requests.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "json": json.loads(body)})
            status, raw, delay = state.answers.pop(0)
            time.sleep(delay)
            try:
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting
                pass

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1/chat/completions"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def llm(provider: Provider, **kwargs: Any) -> ChatCompletionsExtractor:
    return ChatCompletionsExtractor(url=provider.url, model="test-model", **{"key": "sk-test", **kwargs})


def data(**kwargs: Any) -> ExtractionInput:
    return ExtractionInput(url=URL, html=HTML, title="Trail kettle | Campfire Shop", **kwargs)


async def test_the_default_extractor_is_extract_page_off_the_event_loop() -> None:
    draft = await DefaultExtractor().extract(data(locales=["en"], taken_slugs={"products/trail-kettle"}))
    assert draft == extract_page(URL, HTML, "Trail kettle | Campfire Shop", locales=["en"],
                                 taken_slugs={"products/trail-kettle"})
    assert draft.slug == "products/trail-kettle-2" and draft.extractor == "default"


async def test_request_and_answer_shapes(provider: Provider) -> None:
    provider.reply({
        "title": "Trail kettle for camp stoves",
        "description": "A one-litre kettle that packs inside a pot.",
        "slug": "products/trail-kettle",
        "language": "en",
        "content": "# Trail kettle for camp stoves\n\nBoils a litre in **four minutes**.\n",
        "doc_template_id": "product",
        "fields": {"sku": "TK-1", "price": 30, "currency": "USD", "in_stock": True},
        "confidence": "high",
    })
    draft = await llm(provider).extract(data(instructions="Keep it short.", locales=["en", "es"]))

    [request] = provider.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["authorization"] == "Bearer sk-test"
    assert request["headers"]["content-type"] == "application/json"
    body = request["json"]
    assert (body["model"], body["temperature"], body["response_format"]) == ("test-model", 0, {"type": "json_object"})
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert all(isinstance(m["content"], str) for m in body["messages"])
    assert '"fields"' in body["messages"][0]["content"]
    page = json.loads(body["messages"][1]["content"])
    assert page["url"] == URL and page["instructions"] == "Keep it short."
    assert page["allowed_languages"] == ["en", "es"]
    assert "boils a litre in four minutes" in page["first_extraction"]["content"]
    assert "Shop home" not in page["first_extraction"]["content"]  # the HTML itself is never sent
    assert page["first_extraction"]["fields"] == {"sku": "TK-1", "price": 30, "currency": "USD"}
    product = next(t for t in page["templates"] if t["id"] == "product")
    assert {"name": "price", "type": "number", "required": True, "instructions": "Price as a number."} in product["fields"]

    assert draft.extractor == "llm"
    assert (draft.title, draft.slug, draft.language) == ("Trail kettle for camp stoves", "products/trail-kettle", "en")
    assert draft.content == "Boils a litre in **four minutes**.\n"  # the repeated title heading is dropped
    assert draft.fields == {"sku": "TK-1", "price": 30, "currency": "USD", "in_stock": True}
    assert set(draft.field_sources.values()) == {"llm"}
    assert draft.notes[-1] == "Extracted by the LLM extractor (test-model)."
    assert draft.metadata.source_url == URL  # what the model does not answer stays as extracted


async def test_a_partial_answer_in_a_code_fence_changes_only_what_it_gives(provider: Provider) -> None:
    provider.reply('```json\n{"description": "Boils a litre in four minutes."}\n```')
    draft = await llm(provider, key=None).extract(data())
    base = extract_page(URL, HTML, "Trail kettle | Campfire Shop")
    assert draft.description == "Boils a litre in four minutes."
    assert (draft.title, draft.content, draft.fields) == (base.title, base.content, base.fields)
    assert "authorization" not in provider.requests[0]["headers"]


async def test_the_callers_template_stands_and_taken_slugs_are_avoided(provider: Provider) -> None:
    provider.reply({"doc_template_id": "product", "slug": "kettle", "fields": {"keywords": ["kettle"]}})
    draft = await llm(provider).extract(data(template_id="docs", taken_slugs={"kettle"}))
    assert (draft.doc_template_id, draft.slug, draft.fields) == ("docs", "kettle-2", {"keywords": ["kettle"]})


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ({"status": 500, "raw": b'{"error": {"message": "overloaded"}}'}, "HTTP 500"),
        ({"raw": b"<html>gateway</html>"}, "not a chat completion"),
        ({"raw": b'{"choices": []}'}, "not a chat completion"),
        ({"content": "Here is the draft you asked for!"}, "not JSON"),
        ({"content": '["a", "list"]'}, "bad answer"),
        ({"content": {"title": 5}}, "bad title"),
        ({"content": {"title": ""}}, "bad title"),
        ({"content": {"slug": "Products/Trail Kettle!"}}, "slug 'Products/Trail Kettle!' is not a valid slug"),
        ({"content": {"doc_template_id": "recipe"}}, "unknown template 'recipe'"),
        ({"content": {"fields": {"price": "cheap"}}}, "price: expected number"),
        ({"content": {"fields": {"colour": "green"}}}, "does not have: colour"),
        ({"content": {"language": "fr"}}, "language 'fr' is not usable (the project has en, es)"),
        ({"message": {"role": "assistant", "content": None, "refusal": "I can't help with that."}}, "refused"),
        ({"content": {"title": "Late"}, "delay": 2}, "did not answer within 0.5 s"),
    ],
)
async def test_a_bad_or_failed_answer_falls_back_with_a_note(
    provider: Provider, answer: dict[str, Any], reason: str
) -> None:
    provider.reply(answer.pop("content", None), **answer)
    draft = await llm(provider, timeout_seconds=0.5).extract(data(locales=["en", "es"]))
    assert draft == extract_page(URL, HTML, "Trail kettle | Campfire Shop", locales=["en", "es"]).model_copy(
        update={"notes": draft.notes}
    )
    assert draft.extractor == "default"
    assert reason in draft.notes[-1] and "this is the default extraction" in draft.notes[-1]


async def test_an_unreachable_endpoint_falls_back() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    extractor = ChatCompletionsExtractor(url=f"http://127.0.0.1:{port}/v1/chat/completions", model="m")
    draft = await extractor.extract(data())
    assert draft.extractor == "default" and "the request failed (ConnectError)" in draft.notes[-1]


async def test_refused_pages_are_refused_before_any_request(provider: Provider) -> None:
    with pytest.raises(InvalidInput) as caught:
        await llm(provider).extract(ExtractionInput(url=URL, html='{"not": "html"}'))
    assert caught.value.code == "not_html" and provider.requests == []


def test_settings_choose_the_extractor(monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(IngestSettings().extractor(), DefaultExtractor)
    monkeypatch.setenv("COMSTACK_INGEST_LLM_URL", "https://llm.example.com/v1/chat/completions")
    monkeypatch.setenv("COMSTACK_INGEST_LLM_MODEL", "small-model")
    monkeypatch.setenv("COMSTACK_INGEST_LLM_KEY", "sk-1")
    extractor = IngestSettings().extractor()
    assert isinstance(extractor, ChatCompletionsExtractor)
    assert (extractor.url, extractor.model, extractor.key) == (
        "https://llm.example.com/v1/chat/completions", "small-model", "sk-1")
    monkeypatch.delenv("COMSTACK_INGEST_LLM_MODEL")
    with pytest.raises(ValidationError, match="COMSTACK_INGEST_LLM_MODEL is required"):
        IngestSettings()
    with pytest.raises(ValidationError, match="must be an http"):
        IngestSettings(llm_url="ftp://llm.example.com", llm_model="m")

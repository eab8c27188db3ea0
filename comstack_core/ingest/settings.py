"""Ingestion settings (``COMSTACK_INGEST_*``) and the extractor they choose."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from .document import MAX_HTML_BYTES
from .extractors import ChatCompletionsExtractor, DefaultExtractor, Extractor

_EXTENSION_ID = re.compile(r"[a-z0-9]{1,64}")


class IngestSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COMSTACK_INGEST_", extra="ignore")

    max_html_bytes: int = Field(default=MAX_HTML_BYTES, ge=1, description="Largest capture accepted (413 above).")
    llm_url: str | None = Field(
        default=None,
        description="OpenAI-style chat-completions endpoint, e.g. https://api.example.com/v1/chat/completions. "
        "Unset: the default extractor only.",
    )
    llm_key: str | None = Field(default=None, description="Sent as 'Authorization: Bearer <key>'.")
    llm_model: str | None = Field(default=None, description="Model name sent in each request.")
    llm_timeout_seconds: float = Field(default=60.0, gt=0, description="Wait this long for an answer.")
    extension_ids: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Browser extension ids whose chrome-extension:// origin may call the ingest routes "
        "(comma-separated). Empty: any extension.",
    )

    @field_validator("extension_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        for extension_id in value or []:
            # Chrome's ids are 32 letters a-p; allowing a little more keeps other Chromium forks working.
            if not isinstance(extension_id, str) or not _EXTENSION_ID.fullmatch(extension_id):
                raise ValueError(f"COMSTACK_INGEST_EXTENSION_IDS: {extension_id!r} is not an extension id.")
        return value

    @model_validator(mode="after")
    def _llm_complete(self) -> IngestSettings:
        if self.llm_url:
            if not self.llm_url.startswith(("http://", "https://")):
                raise ValueError("COMSTACK_INGEST_LLM_URL must be an http(s) URL.")
            if not self.llm_model:
                raise ValueError("COMSTACK_INGEST_LLM_MODEL is required with COMSTACK_INGEST_LLM_URL.")
        return self

    def extractor(self) -> Extractor:
        """The LLM extractor when an endpoint is configured, else the default one."""
        if self.llm_url and self.llm_model:
            return ChatCompletionsExtractor(
                url=self.llm_url, model=self.llm_model, key=self.llm_key, timeout_seconds=self.llm_timeout_seconds
            )
        return DefaultExtractor()

"""Import string for uvicorn workers: ``comstack_http.asgi:app_factory`` (settings from COMSTACK_* env)."""

from __future__ import annotations

from starlette.applications import Starlette

from comstack_core import Settings

from .app import create_app


def app_factory() -> Starlette:
    return create_app(Settings(), freeze_heap=True)  # a server process serves this one app

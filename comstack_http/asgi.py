"""Import string for uvicorn workers: ``comstack_http.asgi:app_factory`` (settings from COMSTACK_* env)."""

from __future__ import annotations

from starlette.applications import Starlette

from comstack_core import Settings

from .app import create_app


def app_factory() -> Starlette:
    settings = Settings()
    # A server process serves this one app; publishing runs beside it unless told otherwise.
    return create_app(settings, freeze_heap=True, runner_process=settings.publish_runner == "process")

"""The browser voice page: one template and one script (no framework, no remote assets).

The door serves ``render_voice_page(...)`` (e.g. at ``/live/{project slug}``) and the files of
``ASSETS`` under ``VoicePage.assets_url``. The script talks to the live-voice routes only:

- ``POST session_url`` with ``x-project-id`` and the caller's credentials (``headers`` given here, or the
  access key typed into the page as ``x-api-key``, or as ``Authorization: Bearer`` when it is an OAuth
  token) and body ``{"language"}`` → ``{"session_id", "token", "expires_at", "greeting", "voice",
  "instructions", "language", "tools", "provider"}``;
- ``POST resume_url`` with ``Authorization: Bearer <token>`` and ``{"session_id"}`` → the same shape;
- ``POST execute_url`` with ``Authorization: Bearer <token>`` and ``{"session_id", "name", "arguments"}``
  → ``{"session_id", "name", "result": {"speech", "found", "source": {"title", "url", …} | null, …}}``;
- errors: any status ≥ 400 with ``{"error", "code"}``; shown as written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

ASSETS_DIR = Path(__file__).parent / "assets"
ASSETS = {"voice.js": "text/javascript; charset=utf-8", "voice.css": "text/css; charset=utf-8"}


@dataclass(frozen=True)
class VoicePage:
    project_id: str
    project_name: str
    language: str  # the project's default locale (the page's language and the sessions' default)
    assets_url: str = "/live/assets/"
    session_url: str = "/api/live/session"
    resume_url: str = "/api/live/session/resume"
    execute_url: str = "/api/live/tools/execute"
    # Credentials the page sends when starting a session (e.g. a viewer key the manager chose to embed).
    # Empty: the page asks for an access key, unless ``ask_for_key`` is off (cookie-based sign-in).
    headers: Mapping[str, str] = field(default_factory=dict)
    ask_for_key: bool = True

    def script_config(self) -> dict[str, object]:
        return {
            "projectId": self.project_id,
            "projectName": self.project_name,
            "language": self.language,
            "sessionUrl": self.session_url,
            "resumeUrl": self.resume_url,
            "executeUrl": self.execute_url,
            "headers": dict(self.headers),
            "askForKey": self.ask_for_key and not self.headers,
        }


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("comstack_core.live", "templates"), autoescape=select_autoescape(["html"])
    )


def render_voice_page(page: VoicePage) -> str:
    template = _environment().get_template("voice.html")
    return template.render(page=page, config=page.script_config())


def asset_path(name: str) -> Path | None:
    """A file of the page's assets by its name, or None (only the listed names are ever served)."""
    return ASSETS_DIR / name if name in ASSETS else None

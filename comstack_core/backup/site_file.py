"""``comstack.yml``, the part of an export the Markdown does not carry: the theme, the header links and the
sidebar as published (titles per locale, icons). An import of a tree that has one applies it after the
pages, replacing the project's navigation and merging the theme, so an exported site comes back whole."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..auth import Principal
from ..errors import InvalidInput
from ..schemas import NavigationUpdate, ThemeUpdate
from ..services.base import Context
from ..services.navigation import NavigationService

SITE_FILE = "comstack.yml"


@dataclass
class SiteFile:
    navigation: NavigationUpdate | None
    theme: dict[str, Any]


def read_site_file(root: Path) -> SiteFile | None:
    """The tree's ``comstack.yml``, checked before anything is imported; None when there is none."""
    path = Path(root) / SITE_FILE
    if not path.is_file():
        return None
    try:
        data = yaml.safe_load(path.read_text("utf-8")) or {}
        if not isinstance(data, dict):
            raise ValueError("it is not a mapping")
        nav = data.get("navigation")
        navigation = NavigationUpdate.model_validate(nav) if nav else None
        theme = data.get("theme") or {}
        ThemeUpdate.model_validate({**theme, "project_name": "-"})
    except (ValueError, yaml.YAMLError, ValidationError) as error:
        raise InvalidInput(
            f"{SITE_FILE} cannot be read ({str(error).splitlines()[0]}); fix or remove it and import again.",
            code="site_file_invalid",
        ) from None
    return SiteFile(navigation, dict(theme))


async def apply_site_file(
    ctx: Context, principal: Principal, project_id: str, project_name: str, site: SiteFile
) -> None:
    navigation = NavigationService(ctx)
    if site.navigation is not None:
        await navigation.update_navigation(principal, project_id, site.navigation)
    if site.theme:
        await navigation.update_theme(
            principal, project_id, ThemeUpdate.model_validate({**site.theme, "project_name": project_name})
        )

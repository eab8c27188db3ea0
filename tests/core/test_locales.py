"""Settings and locales (SPEC §1): BCP-47 normalisation, the locale invariants checked on every settings
write (each violation named), and modules limited to what the project template allows."""

from __future__ import annotations

import pytest

from comstack_core.errors import Conflict, Forbidden, InvalidInput, LocaleConfigDrift, NotFound
from comstack_core.rules.locales import normalize_locale, url_prefix
from comstack_core.schemas import ModuleUpdate, PageCreate, PlanUpdate, ProjectCreate, SettingsUpdate

from ..conftest import World
from .test_support import create_page, expect, snapshot


@pytest.mark.parametrize(
    ("tag", "canonical"),
    [
        ("en", "en"),
        ("EN", "en"),
        ("es-mx", "es-MX"),
        ("ES_mx", "es-MX"),
        ("pt-br", "pt-BR"),
        ("zh-hant-tw", "zh-Hant-TW"),
        ("sr-latn", "sr-Latn"),
        ("es-419", "es-419"),
        ("fil", "fil"),
    ],
)
def test_normalize_locale_accepts_case_variants(tag: str, canonical: str) -> None:
    assert normalize_locale(tag) == canonical


@pytest.mark.parametrize(
    "tag", ["", "e", "english", "en-", "en--us", "123", "en-USA", "en-u-nu", "e n", None, 7]
)
def test_normalize_locale_refuses_malformed_tags(tag: object) -> None:
    with pytest.raises(InvalidInput) as info:
        normalize_locale(tag)
    assert info.value.code == "invalid_locale"


def test_url_prefix_uses_the_short_language_code() -> None:
    assert url_prefix("en", "en") == ""
    assert url_prefix("es-MX", "en") == "es"
    assert url_prefix("es-MX", "es-MX") == ""


async def _settings_drift(world: World, data: SettingsUpdate) -> list[str]:
    before = await snapshot(world.core, world.project_id)
    with pytest.raises(LocaleConfigDrift) as info:
        await world.core.project_settings.update_settings(world.manager, world.project_id, data)
    assert info.value.code == "locale_config_drift"
    assert info.value.to_dict()["error"] == "Locale config drift"
    assert await snapshot(world.core, world.project_id) == before, (
        "a refused settings write changed something"
    )
    return list(info.value.details["violations"])


async def test_each_violation_alone(world: World) -> None:
    cases = [
        # The default locale is missing from an enabled module.
        (
            SettingsUpdate(knowledge_locales=["de"], custom_page_locales=["de", "en"]),
            ["default locale en is missing from modules.knowledge_base.locales"],
        ),
        # Knowledge locales must be a subset of custom-page locales.
        (
            SettingsUpdate(knowledge_locales=["en", "de"], custom_page_locales=["en"]),
            ["knowledge locales must be a subset of custom-page locales; not in custom_pages: de"],
        ),
        # Two variants of one base language.
        (
            SettingsUpdate(
                default_locale="es-MX",
                knowledge_locales=["es-MX", "es-ES"],
                custom_page_locales=["es-MX", "es-ES"],
            ),
            ["two variants of language 'es' cannot coexist: es-ES, es-MX"],
        ),
    ]
    for data, violations in cases:
        assert await _settings_drift(world, data) == violations


async def test_every_violation_is_listed_at_once(world: World) -> None:
    violations = await _settings_drift(
        world, SettingsUpdate(knowledge_locales=["es-MX", "de"], custom_page_locales=["en", "es-ES"])
    )
    assert violations == [
        "default locale en is missing from modules.knowledge_base.locales",
        "knowledge locales must be a subset of custom-page locales; not in custom_pages: es-MX, de",
        "two variants of language 'es' cannot coexist: es-ES, es-MX",
    ]


async def test_subset_rule_only_applies_when_both_modules_are_on(world: World) -> None:
    core, pid = world.core, world.project_id
    await core.modules.configure_module(world.manager, pid, "custom_pages", ModuleUpdate(enabled=False))
    view = await core.project_settings.update_settings(
        world.manager, pid, SettingsUpdate(knowledge_locales=["en", "de"])
    )
    assert view.knowledge_locales == ["en", "de"] and view.locales == ["en", "de"]
    # Turning custom pages back on re-checks the invariants with the module's own locales.
    with pytest.raises(LocaleConfigDrift) as info:
        await core.modules.configure_module(world.manager, pid, "custom_pages", ModuleUpdate(enabled=True))
    assert info.value.details["violations"] == [
        "knowledge locales must be a subset of custom-page locales; not in custom_pages: de"
    ]
    assert not (await core.projects.get_project(world.manager, pid)).modules["custom_pages"].enabled


async def test_module_config_is_checked_too(world: World) -> None:
    with pytest.raises(LocaleConfigDrift) as info:
        await world.core.modules.configure_module(
            world.manager, world.project_id, "custom_pages", ModuleUpdate(config={"locales": ["de"]})
        )
    assert info.value.details["violations"] == [
        "default locale en is missing from modules.custom_pages.locales",
        "knowledge locales must be a subset of custom-page locales; not in custom_pages: en",
    ]


async def test_settings_are_stored_normalised(world: World) -> None:
    core, pid = world.core, world.project_id
    view = await core.project_settings.update_settings(
        world.manager,
        pid,
        SettingsUpdate(
            knowledge_locales=["EN", "es_mx"],
            custom_page_locales=["en", "ES-MX", "es-mx"],
            site={"tagline": "Hi"},
        ),
    )
    assert (view.knowledge_locales, view.custom_page_locales, view.locales) == (
        ["en", "es-MX"],
        ["en", "es-MX"],
        ["en", "es-MX"],
    )
    again = await core.project_settings.get_settings(world.viewer, pid)
    assert again.model_dump() == view.model_dump()
    assert again.site == {"tagline": "Hi"}
    # Site settings merge.
    merged = await core.project_settings.update_settings(
        world.manager, pid, SettingsUpdate(site={"description": "D"})
    )
    assert merged.site == {"tagline": "Hi", "description": "D"}
    # A page in the new locale is addressed by its canonical tag whatever case the caller uses.
    saved = await core.editing.create_page(
        world.editor, pid, PageCreate(slug="hola", language="ES-mx", title="Hola")
    )
    assert saved.page.language == "es-MX"


async def test_invalid_locale_in_settings(world: World) -> None:
    await expect(
        InvalidInput,
        "invalid_locale",
        world.core.project_settings.update_settings(
            world.manager, world.project_id, SettingsUpdate(knowledge_locales=["en", "klingon!"])
        ),
    )
    await expect(
        InvalidInput,
        "invalid_locale",
        world.core.project_settings.update_settings(
            world.manager, world.project_id, SettingsUpdate(default_locale="english")
        ),
    )


async def test_default_locale_change(world: World) -> None:
    core, pid = world.core, world.project_id
    await core.plans.update_plan(world.admin, pid, PlanUpdate(quotas={"max_locales": 5}))
    # Changing the default needs every enabled module to carry it.
    view = await core.project_settings.update_settings(
        world.manager,
        pid,
        SettingsUpdate(default_locale="de", knowledge_locales=["de"], custom_page_locales=["de"]),
    )
    assert view.default_locale == "de" and view.locales == ["de"]
    # Once pages exist in the default locale it cannot move away from under them.
    await create_page(world, "start", language="de")
    error = await expect(
        Conflict,
        "default_locale_in_use",
        core.project_settings.update_settings(
            world.manager,
            pid,
            SettingsUpdate(default_locale="en", knowledge_locales=["en"], custom_page_locales=["en"]),
        ),
    )
    assert "1 pages" in error.message
    assert (await core.project_settings.get_settings(world.manager, pid)).default_locale == "de"


async def test_page_language_must_be_enabled(world: World) -> None:
    await expect(InvalidInput, "language_not_enabled", create_page(world, "hallo", language="de"))
    await world.core.project_settings.update_settings(
        world.manager,
        world.project_id,
        SettingsUpdate(knowledge_locales=["en", "de"], custom_page_locales=["en", "de"]),
    )
    assert (await create_page(world, "hallo", language="de")).language == "de"


async def test_modules_limited_to_the_project_template(world: World) -> None:
    core, pid = world.core, world.project_id
    modules = {m.name: m for m in await core.modules.list_modules(world.viewer, pid)}
    assert {n for n, m in modules.items() if m.allowed} == {
        "knowledge_base",
        "custom_pages",
        "website",
        "github_sync",
        "chrome_ingest",
        "api_keys",
    }
    assert {n for n, m in modules.items() if m.enabled} == {
        "knowledge_base",
        "custom_pages",
        "website",
        "api_keys",
    }
    assert modules["knowledge_base"].config == {"locales": ["en"]}

    before = await snapshot(core, pid)
    error = await expect(
        Forbidden,
        "module_not_allowed",
        core.modules.configure_module(world.manager, pid, "voice_web", ModuleUpdate(enabled=True)),
    )
    assert "knowledge-site" in error.message
    await expect(
        NotFound,
        "unknown_module",
        core.modules.configure_module(world.manager, pid, "teleport", ModuleUpdate(enabled=True)),
    )
    assert await snapshot(core, pid) == before

    enabled = await core.modules.configure_module(
        world.manager, pid, "github_sync", ModuleUpdate(enabled=True, config={"branch": "main"})
    )
    assert (enabled.enabled, enabled.allowed, enabled.config) == (True, True, {"branch": "main"})
    # The enabled flag cannot be smuggled through config.
    off = await core.modules.configure_module(
        world.manager, pid, "github_sync", ModuleUpdate(config={"enabled": False, "folder": "docs"})
    )
    assert (off.enabled, off.config) == (True, {"branch": "main", "folder": "docs"})
    # Switching a not-allowed module off is harmless.
    assert not (
        await core.modules.configure_module(world.manager, pid, "voice_web", ModuleUpdate(enabled=False))
    ).enabled

    # A business-voice project may turn voice on.
    voice = await core.projects.create_project(
        world.manager, ProjectCreate(name="Voice Co", template_id="business-voice")
    )
    on = await core.modules.configure_module(
        world.manager, voice.id, "voice_phone", ModuleUpdate(enabled=True)
    )
    assert on.enabled and on.allowed


async def test_disabled_module_refuses_its_calls(world: World) -> None:
    core, pid = world.core, world.project_id
    await core.modules.configure_module(world.manager, pid, "knowledge_base", ModuleUpdate(enabled=False))
    error = await expect(Forbidden, "module_disabled", create_page(world, "off"))
    assert error.details == {"module": "knowledge_base"}

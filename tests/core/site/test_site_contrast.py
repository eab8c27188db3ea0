"""The theme's contrast rule: WCAG ratios computed right, and a theme below AA refused when it is saved and
when the site is published, with the ratio named."""

from __future__ import annotations

import pytest

from comstack_core.errors import InvalidInput
from comstack_core.models import Project
from comstack_core.rules.contrast import check_contrast, contrast_problems, contrast_ratio, rgb
from comstack_core.schemas import PublishRequest, ThemeUpdate

from ...conftest import World


@pytest.mark.parametrize(
    ("a", "b", "ratio"),
    [
        ("#000000", "#ffffff", 21.0),
        ("#fff", "#fff", 1.0),
        ("#777777", "#ffffff", 4.48),  # the classic just-too-light grey
        ("#767676", "#ffffff", 4.54),
        ("rgb(0, 0, 0)", "#FFFFFFFF", 21.0),
        ("#1a73e8", "#ffffff", 4.51),
    ],
)
def test_ratios_match_wcag(a: str, b: str, ratio: float) -> None:
    got = contrast_ratio(a, b)
    assert got is not None and round(got, 2) == ratio
    assert contrast_ratio(b, a) == got  # order does not matter


def test_unreadable_colours_are_not_judged() -> None:
    assert rgb("red") is None and rgb("#12345") is None and rgb("rgb(300,0,0)") is None
    assert contrast_ratio("hsl(0 0% 0%)", "#fff") is None
    assert contrast_problems({"colors": {"text": "tomato"}}) == []


def test_the_palettes_the_site_uses_are_checked() -> None:
    assert contrast_problems({}) == []  # the built-in palettes pass
    grey = {"colors": {"text": "#777777"}}
    assert contrast_problems(grey) == [
        "light text #777777 on background #ffffff is 4.47:1 (WCAG AA needs 4.5:1)"
    ]
    assert contrast_problems({**grey, "dark_mode": "dark"}) == []  # the light palette is not used
    dim = {"dark_mode": "auto", "dark_colors": {"primary": "#333333"}}
    assert [p.split(" is ")[0] for p in contrast_problems(dim)] == [
        "dark primary #333333 on background #111418"
    ]
    with pytest.raises(InvalidInput) as info:
        check_contrast({"colors": {"background": "#0b57d0"}})
    assert info.value.code == "low_contrast"
    assert "primary #0b57d0 on background #0b57d0 is 1.00:1" in info.value.message


async def test_a_low_contrast_theme_is_refused_when_saved(world: World) -> None:
    core, pid = world.core, world.project_id
    ok = await core.navigation.update_theme(
        world.manager,
        pid,
        ThemeUpdate(project_name=world.project_name, colors={"text": "#595959"}),
    )
    assert ok.theme["colors"] == {"text": "#595959"}
    with pytest.raises(InvalidInput) as info:
        # Judged with the colours already saved: a pale background under the saved grey text.
        await core.navigation.update_theme(
            world.manager,
            pid,
            ThemeUpdate(project_name=world.project_name, colors={"background": "#c0c0c0"}),
        )
    assert info.value.code == "low_contrast"
    assert "text #595959 on background #c0c0c0 is 3.8" in info.value.message
    theme = await core.navigation.get_theme(world.viewer, pid)
    assert theme.theme["colors"] == {"text": "#595959"}  # nothing of the refused update was kept


async def test_a_low_contrast_theme_is_refused_at_publish(world: World) -> None:
    core, pid = world.core, world.project_id
    async with core.db.write() as session:  # a theme saved before the rule existed
        project = await session.get_one(Project, pid)
        project.theme = {"colors": {"primary": "#9ab"}}
    with pytest.raises(InvalidInput) as info:
        await core.publishing.publish(world.manager, pid, PublishRequest(project_name=world.project_name))
    assert info.value.code == "low_contrast"
    assert "light primary #9ab on background #ffffff is 2.3" in info.value.message

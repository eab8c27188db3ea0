"""An incremental build gives, byte for byte, the site a full build of the same inputs gives: after each
kind of change alone, and after all of them one after another in the same directory."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Any

import pytest

from comstack_core.site import BuildState, SiteConfig, SitePage, build_site, check_site
from comstack_core.site import changes as site_changes
from comstack_core.site import search as site_search

from .conftest import BASE_URL

Site = tuple[SiteConfig, list[SitePage]]
_revisions = count(1)


def _edit(page: SitePage, **fields: Any) -> SitePage:
    """A changed page; a page that names its revision gets a new one, as a new revision would."""
    return replace(page, **fields, revision=f"rev-{next(_revisions)}" if page.revision else "")


def _site(make_page, make_config, revisions: bool) -> Site:
    def page(slug: str, language: str = "en", **kw: object) -> SitePage:
        made: SitePage = make_page(slug, language, **kw)
        return replace(made, revision=f"rev-{next(_revisions)}") if revisions else made

    pages = [
        page("index", description="The home of the docs."),
        *[
            page(f"docs/p{i}", title=f"Page {i}", content=f"Text {i}. See [next](/docs/p{(i + 1) % 30}).\n")
            for i in range(30)
        ],
        page(
            "guides/start", title="Start", content="Read [the setup](/guides/setup) and [p3](../docs/p3).\n"
        ),
        page("guides/setup", title="Setup", content="# Setup\n\nBack to [start](start).\n"),
        page("es-only", "es-MX", title="Solo en español", content="[Inicio](/guides/start)\n"),
        page("guides/start", "es-MX", title="Inicio", content="Lee [la configuración](/guides/setup).\n"),
        page(
            "landing",
            page_type="custom",
            body_html='<h1>Landing</h1><p data-t-key="x">Hi</p><a href="../docs/p1/">p1</a>',
            content="",
        ),
    ]
    groups = [
        {"id": "docs", "title": {"en": "Docs", "es-MX": "Docs"}, "icon": "article",
         "page_slugs": [f"docs/p{i}" for i in range(30)]},
        {"id": "guides", "title": {"en": "Guides", "es-MX": "Guías"}, "icon": "menu_book",
         "page_slugs": ["guides/start", "guides/setup"]},
    ]  # fmt: skip
    header = [{"id": "start", "label": {"en": "Start"}, "target": "guides/start"}]
    return make_config(sidebar_groups=groups, header_nav=header), pages


def _find(pages: list[SitePage], slug: str, language: str = "en") -> int:
    return next(i for i, p in enumerate(pages) if p.slug == slug and p.language == language)


def _with(pages: list[SitePage], at: str, language: str = "en", /, **fields: object) -> list[SitePage]:
    out = list(pages)
    i = _find(out, at, language)
    out[i] = _edit(out[i], **fields)
    return out


def edit_body(site: Site) -> Site:
    config, pages = site
    return config, _with(pages, "docs/p7", content="New words. See [p8](/docs/p8).\n")


def edit_title(site: Site) -> Site:
    config, pages = site
    return config, _with(pages, "docs/p14", title="Renamed fourteen")


def edit_title_at_group_edge(site: Site) -> Site:
    # The last page of "docs" is the previous page of the first page of "guides".
    config, pages = site
    return config, _with(pages, "docs/p29", title="The last docs page")


def edit_title_on_a_card(site: Site) -> Site:
    # The home page's card for "docs" lists its first pages' titles.
    config, pages = site
    return config, _with(pages, "docs/p1", title="Second of the docs")


def add_headings(site: Site) -> Site:
    # New sections: the page's table of contents, its search document and its terms' sections change.
    config, pages = site
    body = "Intro words.\n\n## Alpha zone\n\nQuartz facts.\n\n## Beta zone\n\nMore quartz.\n"
    return config, _with(pages, "docs/p9", content=body)


def edit_description_of_home(site: Site) -> Site:
    config, pages = site
    return config, _with(pages, "index", description="A new summary for llms.txt.")


def new_date(site: Site) -> Site:
    config, pages = site
    return config, _with(pages, "docs/p2", updated_at=datetime(2025, 6, 1, tzinfo=UTC))


def add_page(site: Site) -> Site:
    config, pages = site
    config, pages = config, _with(pages, "docs/p5", content="See [what is new](/docs/new).\n")
    base = pages[_find(pages, "docs/p0")]
    added = _edit(
        base, id="en:docs/new", slug="docs/new", canonical_slug="docs/new", title="New", content="New."
    )
    groups = [dict(g) for g in config.sidebar_groups]
    groups[0]["page_slugs"] = [*groups[0]["page_slugs"][:10], "docs/new", *groups[0]["page_slugs"][10:]]
    return replace(config, sidebar_groups=groups), [*pages, added]


def delete_page(site: Site) -> Site:
    config, pages = site
    pages = _with(pages, "docs/p28", content="The last page now.\n")
    gone = _find(pages, "docs/p29")
    return config, pages[:gone] + pages[gone + 1 :]


def rename_linked_page(site: Site) -> Site:
    # guides/setup is linked, relative and rooted, from pages that do not change: the links still
    # find it by its canonical slug and must now lead to its new URL.
    config, pages = site
    pages = _with(pages, "guides/setup", slug="guides/installation")
    groups = [dict(g) for g in config.sidebar_groups]
    groups[1]["page_slugs"] = ["guides/start", "guides/installation"]
    return replace(config, sidebar_groups=groups), pages


def add_translation(site: Site) -> Site:
    config, pages = site
    base = pages[_find(pages, "docs/p3")]
    spanish = _edit(base, id="es-MX:docs/p3", language="es-MX", title="Página 3", content="Hola.")
    return config, [*pages, spanish]


def move_between_groups(site: Site) -> Site:
    config, pages = site
    groups = [dict(g) for g in config.sidebar_groups]
    groups[0]["page_slugs"] = [s for s in groups[0]["page_slugs"] if s != "docs/p20"]
    groups[1]["page_slugs"] = [*groups[1]["page_slugs"], "docs/p20"]
    return replace(config, sidebar_groups=groups), pages


def header_nav(site: Site) -> Site:
    config, pages = site
    header = [*config.header_nav, {"id": "p1", "label": {"en": "One"}, "target": "docs/p1"}]
    return replace(config, header_nav=header), pages


def theme(site: Site) -> Site:
    config, pages = site
    return replace(config, theme={"colors": {"primary": "#aa0000"}, "dark_mode": "light"}), pages


def custom_page(site: Site) -> Site:
    config, pages = site
    return config, _with(pages, "landing", translatable_strings={"x": "Hello"})


CHANGES: list[Callable[[Site], Site]] = [
    edit_body,
    edit_title,
    edit_title_at_group_edge,
    edit_title_on_a_card,
    add_headings,
    edit_description_of_home,
    new_date,
    add_page,
    delete_page,
    rename_linked_page,
    add_translation,
    move_between_groups,
    header_nav,
    theme,
    custom_page,
]


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }


def _full(site: Site, out: Path) -> dict[str, bytes]:
    shutil.rmtree(out, ignore_errors=True)
    build_site(site[0], site[1], out)
    return _tree(out)


def _assert_same(inc: Path, reference: dict[str, bytes]) -> None:
    got = _tree(inc)
    assert sorted(got) == sorted(reference)
    assert [name for name in reference if got[name] != reference[name]] == []


@pytest.mark.parametrize("revisions", [False, True], ids=["hashed-content", "revision-ids"])
@pytest.mark.parametrize("change", CHANGES, ids=lambda f: f.__name__)
def test_one_change(tmp_path: Path, make_page, make_config, change, revisions: bool) -> None:
    site = _site(make_page, make_config, revisions)
    first = build_site(*site, tmp_path / "inc")
    changed = change(site)
    state = BuildState.from_json(first.state.to_json())
    build_site(*changed, tmp_path / "inc", previous=state)
    _assert_same(tmp_path / "inc", _full(changed, tmp_path / "full"))


@pytest.mark.parametrize("saved", [True, False], ids=["state-from-json", "state-kept-in-memory"])
@pytest.mark.parametrize("revisions", [False, True], ids=["hashed-content", "revision-ids"])
def test_every_change_in_turn(tmp_path: Path, make_page, make_config, revisions: bool, saved: bool) -> None:
    site = _site(make_page, make_config, revisions)
    state = build_site(*site, tmp_path / "inc").state
    for change in CHANGES:
        site = change(site)
        # A state kept in memory carries the pages' pieces of the site-wide files along.
        previous = BuildState.from_json(state.to_json()) if saved else state
        result = build_site(*site, tmp_path / "inc", previous=previous)
        state = result.state
        _assert_same(tmp_path / "inc", _full(site, tmp_path / "full"))
        assert result.state.to_json() == build_site(*site, tmp_path / "full").state.to_json(), change.__name__
    assert check_site(tmp_path / "inc", BASE_URL) == []


@pytest.mark.parametrize("shard_bytes", [250, 700])
def test_search_shards_split_and_merge_alike(
    tmp_path: Path, make_page, make_config, monkeypatch, shard_bytes: int
) -> None:
    """With small shards, edits move terms across the size limit, so keys split and merge: the patched index
    gives the files a full build gives."""
    monkeypatch.setattr(site_search, "SHARD_BYTES", shard_bytes)
    site = _site(make_page, make_config, revisions=True)
    state = build_site(*site, tmp_path / "inc").state
    assert len([f for f in state.shared_files if f.startswith("search/en/t")]) > 3
    for change in CHANGES:
        site = change(site)
        state = build_site(*site, tmp_path / "inc", previous=state).state
        _assert_same(tmp_path / "inc", _full(site, tmp_path / "full"))
    assert check_site(tmp_path / "inc", BASE_URL) == []


def test_an_edit_looks_only_at_the_edited_page(tmp_path: Path, make_page, make_config, monkeypatch) -> None:
    """Editing a page's body compares no other page's sidebar, alternates or links, and leaves
    the site-wide files of other locales alone."""
    site = _site(make_page, make_config, revisions=True)
    first = build_site(*site, tmp_path)
    looked: list[str] = []
    real = site_changes.context_hash
    monkeypatch.setattr(site_changes, "context_hash", lambda s, e: looked.append(e.html_file) or real(s, e))
    second = build_site(*edit_body(site), tmp_path, previous=first.state)
    assert second.rendered == 1 and looked == []
    assert not any("es" in name for name in second.written)
    assert "search/es-MX.json" not in second.written and "llms-full.txt" in second.written
    assert "nav/en.json" not in second.written  # no title changed


def test_a_build_never_changes_a_file_in_place(tmp_path: Path, make_page, make_config) -> None:
    """A copy made of hard links (how deployments share files) is untouched by a build of the other."""
    site = _site(make_page, make_config, revisions=True)
    first = build_site(*site, tmp_path / "a")
    shutil.copytree(tmp_path / "a", tmp_path / "b", copy_function=os.link)
    before = _tree(tmp_path / "a")
    inodes = {p: p.stat().st_ino for p in (tmp_path / "a").rglob("*") if p.is_file()}
    state = first.state
    for change in CHANGES:
        site = change(site)
        state = build_site(*site, tmp_path / "b", previous=state).state
    assert _tree(tmp_path / "a") == before
    assert {p: p.stat().st_ino for p in inodes} == inodes
    assert not [p for p in (tmp_path / "b").rglob(".*")]  # no temporary files left behind


def test_edits_patch_the_previous_build_in_memory(
    tmp_path: Path, make_page, make_config, monkeypatch
) -> None:
    """Given the same page objects again except the edited ones, and the state object the last build
    returned, a build patches that build's index instead of indexing every page, and gives the same bytes."""
    from comstack_core.site import builder

    site = _site(make_page, make_config, revisions=True)
    state = build_site(*site, tmp_path / "inc").state
    indexed: list[Path] = []
    real = builder.make_shared
    monkeypatch.setattr(builder, "make_shared", lambda *args: indexed.append(tmp_path) or real(*args))
    for change in (edit_body, edit_title, edit_description_of_home, new_date, custom_page, edit_body):
        site = change(site)
        result = build_site(*site, tmp_path / "inc", previous=state)
        assert indexed == [], change.__name__
        state = result.state
        _assert_same(tmp_path / "inc", _full(site, tmp_path / "full"))
        assert state.to_json() == build_site(*site, tmp_path / "full").state.to_json(), change.__name__
        indexed.clear()

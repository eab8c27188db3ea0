"""Incremental builds: only pages whose inputs changed are rendered again."""

from __future__ import annotations

import gc
from dataclasses import replace
from pathlib import Path

import pytest

from comstack_core.site import BuildState, SitePage, build_site, check_site
from comstack_core.site import pool as site_pool
from comstack_core.site.nav import WINDOW

from .conftest import BASE_URL

N = 30


def _corpus(make_page, make_config, n: int = N):
    pages = [make_page("index")] + [
        make_page(f"docs/p{i}", title=f"Page {i}", content=f"Text {i}. See [next](/docs/p{(i + 1) % n}).")
        for i in range(n)
    ]
    groups = [
        {
            "id": "docs",
            "title": {"en": "Docs"},
            "icon": "article",
            "page_slugs": [f"docs/p{i}" for i in range(n)],
        }
    ]
    return make_config(sidebar_groups=groups), pages


def _roundtrip(state: BuildState) -> BuildState:
    return BuildState.from_json(state.to_json())


def test_unchanged_inputs_render_nothing(tmp_path: Path, make_page, make_config):
    config, pages = _corpus(make_page, make_config)
    first = build_site(config, pages, tmp_path)
    assert first.rendered == N + 1 and first.full_rebuild
    again = build_site(config, pages, tmp_path, previous=_roundtrip(first.state))
    assert again.rendered == 0 and not again.full_rebuild
    assert again.written == [] and again.removed == []
    assert again.total_bytes == first.total_bytes


def test_editing_one_body_renders_one_page(tmp_path: Path, make_page, make_config):
    config, pages = _corpus(make_page, make_config)
    first = build_site(config, pages, tmp_path)
    pages[5] = replace(pages[5], content="Completely new text.")
    second = build_site(config, pages, tmp_path, previous=_roundtrip(first.state))
    assert second.rendered == 1
    assert "docs/p4/index.html" in second.written and "docs/p4.md" in second.written
    assert "Completely new text." in (tmp_path / "docs/p4/index.html").read_text()
    assert '"completely":' in (tmp_path / "search/en/t.json").read_text()
    assert check_site(tmp_path, BASE_URL) == []


def test_a_title_change_renders_the_pages_that_show_it(tmp_path: Path, make_page, make_config):
    config, pages = _corpus(make_page, make_config)
    first = build_site(config, pages, tmp_path)
    pages[15] = replace(pages[15], title="Renamed")  # docs/p14
    second = build_site(config, pages, tmp_path, previous=first.state)
    # docs/p14 itself and the pages whose sidebar window shows it; the rest of the group is untouched.
    assert second.rendered == 2 * WINDOW + 1
    assert "Renamed" in (tmp_path / f"docs/p{14 - WINDOW}/index.html").read_text()
    assert f"docs/p{14 - WINDOW - 1}/index.html" not in second.written


def test_neighbours_and_cards_are_rendered_again(tmp_path: Path, make_page, make_config, html):
    """Previous/next cross group boundaries and the home page shows each group's first titles: a title
    change re-renders those pages too, and only them."""
    config, pages = _corpus(make_page, make_config)
    groups = [
        {**config.sidebar_groups[0], "page_slugs": [f"docs/p{i}" for i in range(15)]},
        {"id": "more", "title": {"en": "More"}, "icon": "help", "page_slugs": [f"docs/p{i}" for i in range(15, N)]},
    ]
    config = replace(config, sidebar_groups=groups)
    first = build_site(config, pages, tmp_path)
    assert html(tmp_path / "docs/p15/index.html").css_first("a[rel=prev]").text(deep=True).endswith("Page 14")
    pages[15] = replace(pages[15], title="The end of docs")  # docs/p14: the last of its group
    second = build_site(config, pages, tmp_path, previous=first.state)
    assert "docs/p15/index.html" in second.written  # the first page of the next group
    assert "The end of docs" in html(tmp_path / "docs/p15/index.html").css_first("a[rel=prev]").text(deep=True)
    assert "index.html" not in second.written  # p14 is not among the first titles of its group's card
    pages[2] = replace(pages[2], title="Renamed one")  # docs/p1, on the home page's card
    third = build_site(config, pages, tmp_path, previous=second.state)
    assert "index.html" in third.written
    assert "Renamed one" in html(tmp_path / "index.html").css_first(".cs-cards").text()


def test_theme_change_renders_everything(tmp_path: Path, make_page, make_config):
    config, pages = _corpus(make_page, make_config)
    first = build_site(config, pages, tmp_path)
    themed = replace(config, theme={"colors": {"primary": "#aa0000"}})
    second = build_site(themed, pages, tmp_path, previous=first.state)
    assert second.rendered == N + 1 and second.full_rebuild
    old_css = next(f for f in first.state.shared_files if f.endswith(".css"))
    assert old_css in second.removed and not (tmp_path / old_css).exists()
    assert check_site(tmp_path, BASE_URL) == []


@pytest.mark.parametrize("change", ["header_nav", "group_title", "locales"])
def test_navigation_or_locale_change_renders_everything(tmp_path: Path, make_page, make_config, change):
    config, pages = _corpus(make_page, make_config)
    first = build_site(config, pages, tmp_path)
    if change == "header_nav":
        config = replace(config, header_nav=[{"id": "x", "label": {"en": "X"}, "target": "docs/p1"}])
    elif change == "group_title":
        config = replace(config, sidebar_groups=[{**config.sidebar_groups[0], "title": {"en": "Documents"}}])
    else:
        config = replace(config, locales=["en", "es-MX", "fr"])
    assert build_site(config, pages, tmp_path, previous=first.state).rendered == N + 1


def test_removed_page_files_are_deleted(tmp_path: Path, make_page, make_config):
    config, pages = _corpus(make_page, make_config)
    pages.append(make_page("extra/deep/page"))
    first = build_site(config, pages, tmp_path)
    assert (tmp_path / "extra/deep/page/index.html").exists()
    second = build_site(config, pages[:-1], tmp_path, previous=first.state)
    assert second.rendered == 0
    assert second.removed == ["extra/deep/page.md", "extra/deep/page/index.html"]
    assert not (tmp_path / "extra").exists()  # emptied directories are pruned
    assert "extra/deep" not in (tmp_path / "sitemap.xml").read_text()
    assert check_site(tmp_path, BASE_URL) == []


def test_a_link_target_appearing_rerenders_the_linking_page(tmp_path: Path, make_page, make_config):
    config, pages = _corpus(make_page, make_config)
    pages.append(make_page("about", content="See [the guide](guide-to-come)."))
    first = build_site(config, pages, tmp_path)
    assert check_site(tmp_path, BASE_URL) == ["about/index.html: broken link guide-to-come"]
    pages.append(make_page("guide-to-come"))
    second = build_site(config, pages, tmp_path, previous=first.state)
    assert second.rendered == 2  # the new page and the page whose link now resolves
    assert check_site(tmp_path, BASE_URL) == []


def test_a_directory_without_the_previous_build_is_built_in_full(tmp_path: Path, make_page, make_config):
    config, pages = _corpus(make_page, make_config)
    first = build_site(config, pages, tmp_path / "one")
    fresh = tmp_path / "fresh"
    again = build_site(config, pages, fresh, previous=first.state)
    assert again.rendered == N + 1
    assert _tree(fresh) == _tree(tmp_path / "one")


def test_incremental_output_equals_a_full_build(tmp_path: Path, make_page, make_config):
    config, pages = _corpus(make_page, make_config)
    first = build_site(config, pages, tmp_path / "inc")
    pages[3] = replace(pages[3], title="Changed", content="Changed [link](/docs/p20).")
    del pages[10]
    build_site(config, pages, tmp_path / "inc", previous=first.state)
    build_site(config, pages, tmp_path / "full")
    assert _tree(tmp_path / "inc") == _tree(tmp_path / "full")


def test_helper_process_output_equals_a_single_process_build(
    tmp_path: Path, make_page, make_config, monkeypatch
):
    monkeypatch.setattr(site_pool, "PARALLEL_MIN_PAGES", 1)
    monkeypatch.setattr(site_pool, "CHUNK", 3)
    config, pages = _corpus(make_page, make_config)
    parallel = build_site(config, pages, tmp_path / "two", workers=2)
    single = build_site(config, pages, tmp_path / "one", workers=1)
    assert parallel.rendered == single.rendered == N + 1
    assert parallel.state.to_json() == single.state.to_json()
    assert _tree(tmp_path / "two") == _tree(tmp_path / "one")


def test_helpers_only_output_equals_a_single_process_build(tmp_path: Path, make_page, make_config, monkeypatch):
    """A server's large build renders in helper processes only (its own thread just waits)."""
    monkeypatch.setattr(site_pool, "PARALLEL_MIN_PAGES", 1)
    monkeypatch.setattr(site_pool, "CHUNK", 3)
    rendered_here: list[str] = []
    original = site_pool._render_one

    def spy(shared, entry, out_dir, made):
        rendered_here.append(entry.html_file)
        return original(shared, entry, out_dir, made)

    monkeypatch.setattr(site_pool, "_render_one", spy)
    config, pages = _corpus(make_page, make_config)
    helpers = build_site(config, pages, tmp_path / "helpers", workers=2, helpers_only=True)
    assert rendered_here == []  # every page was rendered by a helper process
    single = build_site(config, pages, tmp_path / "one", workers=1)
    assert helpers.rendered == single.rendered == N + 1
    assert helpers.state.to_json() == single.state.to_json()
    assert _tree(tmp_path / "helpers") == _tree(tmp_path / "one")


def test_helper_side_renders_like_the_caller(tmp_path: Path, make_page, make_config):
    # The helper's half of the pool, run in this process so the test does not depend on which side
    # of the race a chunk lands: it rebuilds the shared facts from the raw inputs and must agree.
    config, pages = _corpus(make_page, make_config)
    single = build_site(config, pages, tmp_path / "one", workers=1)
    site_pool._init(config, pages, str(tmp_path / "helper"))
    done = site_pool._run_chunk(list(single.state.pages))
    assert {d.key: d.sizes for d in done} == {
        k: {f: (tmp_path / "one" / f).stat().st_size for f in r.files} for k, r in single.state.pages.items()
    }
    for d in done:
        for f in d.sizes:
            assert (tmp_path / "helper" / f).read_bytes() == (tmp_path / "one" / f).read_bytes()


def _tree(root: Path) -> dict[str, bytes]:
    files = {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert files, root
    return files


def test_state_survives_json(tmp_path: Path, make_page, make_config):
    config, pages = _corpus(make_page, make_config, n=3)
    state = build_site(config, pages, tmp_path).state
    assert _roundtrip(state) == state
    with pytest.raises(ValueError):
        BuildState.from_json('{"version": 99}')


def test_helpers_that_break_leave_their_chunks_to_this_process(tmp_path: Path, make_page, make_config, monkeypatch):
    """A pool that takes only some chunks, and a helper whose chunk fails: the build is still whole and
    equal to a single-process one (those chunks rendered here)."""
    from concurrent.futures import Future

    monkeypatch.setattr(site_pool, "PARALLEL_MIN_PAGES", 1)
    monkeypatch.setattr(site_pool, "CHUNK", 3)
    calls: list[str] = []

    class Breaking:
        def __init__(self) -> None:
            self.taken = 0

        def submit(self, fn, keys):
            self.taken += 1
            if self.taken > 3:
                raise RuntimeError("the pool broke")
            future: Future = Future()
            if self.taken == 2:
                calls.append("failed")
                future.set_exception(RuntimeError("helper killed"))
            else:
                calls.append("ran")
                future.set_result([site_pool._render_one(shared, by_key[k], out, set()) for k in keys])
            return future

        def shutdown(self, **_: object) -> None:
            pass

    def fake_pool(given, out_dir, workers):
        nonlocal shared, by_key, out
        shared, out = given, out_dir
        by_key = {e.html_file: e for e in given.index.entries}
        return Breaking()

    shared = by_key = out = None
    monkeypatch.setattr(site_pool, "_pool", fake_pool)
    config, pages = _corpus(make_page, make_config)
    helpers = build_site(config, pages, tmp_path / "helpers", workers=2, helpers_only=True)
    assert calls == ["ran", "failed", "ran"]  # three chunks taken, one of them lost
    single = build_site(config, pages, tmp_path / "one", workers=1)
    assert helpers.rendered == single.rendered == N + 1
    assert helpers.state.to_json() == single.state.to_json()
    assert _tree(tmp_path / "helpers") == _tree(tmp_path / "one")


def _kept_texts(root: object) -> list[str]:
    """Every string reachable from ``root`` other than through a page object (the caller's input, which
    holds the pages' texts anyway)."""
    seen: set[int] = set()
    found: list[str] = []
    todo = [root]
    while todo:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, SitePage | type):
            continue
        seen.add(id(obj))
        if isinstance(obj, str):
            found.append(obj)
        elif not isinstance(obj, bytes | int | float):
            todo.extend(gc.get_referents(obj))
    return found


def test_what_a_build_keeps_holds_no_second_copy_of_a_page_text(tmp_path: Path, make_page, make_config):
    """A runner keeps the last build's state (with its memo) between publishes, beside the pages it was
    given: at tens of thousands of pages every kept copy of the pages' texts costs a hundred megabytes."""
    config, pages = _corpus(make_page, make_config)
    long_text = "Marker sentence of a long page body. " * 400
    pages = [replace(p, content=f"{p.content}\n\n{long_text}") for p in pages]
    first = build_site(config, pages, tmp_path)
    edited = [*pages[:3], replace(pages[3], content=pages[3].content + "\nOne more line.\n"), *pages[4:]]
    second = build_site(config, edited, tmp_path, previous=first.state)
    assert second.rendered == 1 and not second.full_rebuild
    assert long_text in (tmp_path / "llms-full.txt").read_text()
    for state in (first.state, second.state):
        copies = [s for s in _kept_texts(state) if len(s) >= len(long_text) // 2 and "Marker sentence" in s]
        assert copies == [], f"{len(copies)} copies of page texts kept, {sum(map(len, copies))} characters"

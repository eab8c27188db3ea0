"""A manifest page is small: a first publish of a large site lists every page, and the server holds that list
while it answers the dry run."""

from __future__ import annotations

import tracemalloc

from comstack_core.schemas import ManifestPage

PAGES = 2000


def test_a_manifest_page_costs_little_beside_its_text() -> None:
    # The strings are made first, so what is counted is what each entry adds to them: about 100 bytes for
    # a slotted instance, over 1 kB for a model with its instance dict and its set of fields set.
    texts = [
        (f"pg_{i}", f"guides/page-{i}", f"Page {i}", f"About page {i}.", f"https://x.test/p{i}/") for i in range(PAGES)
    ]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        pages = [
            ManifestPage(
                path=path, slug=slug, language="en", title=title, description=description, is_new=True,
                change_type="new", bytes=100, url=url, audience="public",
            )
            for path, slug, title, description, url in texts
        ]  # fmt: skip
        per_page = (tracemalloc.get_traced_memory()[0] - before) / PAGES
    finally:
        tracemalloc.stop()
    assert len(pages) == PAGES
    assert per_page < 250, f"{per_page:.0f} bytes per manifest page"

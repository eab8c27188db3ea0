"""A job's status and the history are read without the job's large columns (the manifest, the deployed
set), yet say the URL the publish was built for, whichever process asks."""

from __future__ import annotations

import pytest

from comstack_core import Core
from comstack_core.errors import NotFound
from comstack_core.publishing import manifest
from comstack_core.schemas import PublishRequest

from .conftest import Pub
from .harness import add_ready_pages, publish_and_run


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_status_and_history_name_the_url_the_publish_was_built_for(pub: Pub) -> None:
    await add_ready_pages(
        pub.core, pub.world.editor, pub.project_id, pub.name, [("docs/a", "Alpha", "Text.")]
    )
    done = await publish_and_run(pub.core, pub.world.manager, pub.project_id, pub.name)
    assert done.status == "succeeded", done.error
    built_for = done.site_url
    assert built_for.startswith("http://testserver/")

    moved = pub.core.settings.model_copy(update={"public_url": "https://docs.example.com"})
    async with Core.open(moved) as other:
        status = await other.publishing.publish_status(pub.world.manager, pub.project_id, done.publish_id)
        assert status.site_url == built_for
        assert status.model_dump() == done.model_dump()
        [listed] = await other.publishing.list_publish_history(pub.world.manager, pub.project_id)
        assert listed == status
        with pytest.raises(NotFound):
            await other.publishing.publish_status(pub.world.manager, pub.project_id, "pub_nope")


async def test_the_manifest_made_in_turns_is_the_manifest_made_at_once(
    pub: Pub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large dry run loads its pages and lists them a few at a time, giving requests their turns between;
    the pages, their order and the binding hash must be what one pass over all of them gives."""
    await add_ready_pages(
        pub.core,
        pub.world.editor,
        pub.project_id,
        pub.name,
        [
            (f"docs/{name}", name.title(), f"About {name}.")
            for name in ("kilo", "alpha", "echo", "bravo", "golf")
        ],
    )
    dry_runs = []
    for turn in (10_000, 2, 1):
        monkeypatch.setattr(manifest, "TURN", turn)
        dry_runs.append(
            await pub.core.publishing.publish(
                pub.world.manager, pub.project_id, PublishRequest(project_name=pub.name)
            )
        )
    once, *in_turns = [d.manifest.model_dump() for d in dry_runs]
    assert len(once["pages"]) >= 5
    assert all(made == once for made in in_turns)

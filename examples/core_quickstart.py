"""Use ComStack's domain library directly from a script: no server, no HTTP.

    python examples/core_quickstart.py [DATA_DIR]

Creates a user and a project, writes two pages, edits and approves one, searches, and lists revisions.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from comstack_core import Core, Principal, Settings
from comstack_core.schemas import (
    PageCreate,
    PageRef,
    PageStatusUpdate,
    PageUpdate,
    ProjectCreate,
    SearchQuery,
    UserCreate,
)


async def main(data_dir: Path) -> None:
    async with Core.open(Settings(data_dir=data_dir)) as core:
        operator = Principal.system(door="script")
        user = await core.users.create_user(operator, UserCreate(email="ada@example.com", display_name="Ada"))
        ada = await core.users.principal_for_user(user.id, door="script")
        print(f"1. created user {user.email} ({user.id})")

        project = await core.projects.create_project(ada, ProjectCreate(name="Acme Help Center"))
        print(f"2. created project {project.name!r} ({project.id}), site {project.site_url}")

        intro = await core.editing.create_page(
            ada,
            project.id,
            PageCreate(
                slug="guides/intro",
                title="Getting started with Acme",
                description="Everything a new Acme customer needs on day one, from sign-up to the first order.",
                content="# Getting started\n\nSign up, then place your first order.",
            ),
        )
        await core.editing.create_page(
            ada,
            project.id,
            PageCreate(
                slug="guides/billing",
                title="Billing and invoices",
                description="How Acme bills you, where to find invoices and how to change your payment method.",
                content="# Billing\n\nInvoices arrive monthly by email.",
            ),
        )
        print(f"3. created two draft pages: guides/intro (version {intro.page.version}) and guides/billing")

        edited = await core.editing.update_page(
            ada,
            project.id,
            PageRef(slug="guides/intro"),
            PageUpdate(
                base_version=intro.page.version,
                content="# Getting started\n\nSign up, verify your email, then place your first order.",
            ),
        )
        print(f"4. edited guides/intro: version {edited.page.version}, status {edited.page.status}")

        approved = await core.pages.set_page_status(
            ada,
            project.id,
            PageRef(slug="guides/intro"),
            PageStatusUpdate(status="ready", project_name=project.name),
        )
        print(f"5. approved guides/intro: status {approved.status}, next action {approved.next_action}")

        found = await core.search.search_docs(
            ada, project.id, SearchQuery(query="verify email", include_drafts=True)
        )
        for hit in found.hits:
            print(f"6. search 'verify email' -> {hit.slug}: {hit.snippet}")

        revisions = await core.pages.list_revisions(ada, project.id, PageRef(slug="guides/intro"))
        print("7. revisions of guides/intro: " + ", ".join(f"#{r.number} ({r.note})" for r in revisions))


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="comstack-quickstart-"))
    asyncio.run(main(target))

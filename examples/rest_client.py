"""Drive ComStack's REST API with httpx: read the project state, write a page, approve it, search.

    COMSTACK_API_KEY=cs_... COMSTACK_PROJECT_ID=prj_... python examples/rest_client.py [BASE_URL]

Use an editor or manager key (from `comstack serve --demo` or `comstack admin create-key`).
"""

from __future__ import annotations

import os
import sys

import httpx


def main(base_url: str) -> None:
    project = os.environ["COMSTACK_PROJECT_ID"]
    headers = {"x-api-key": os.environ["COMSTACK_API_KEY"], "x-project-id": project}
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as api:
        state = api.get(f"/api/projects/{project}/state").raise_for_status().json()
        print(f"project {state['name']!r}: {state['counts']}")

        opened = api.post(
            f"/api/projects/{project}/docs/edit/open", json={"slug": "guides/rest-example"}
        ).json()
        if opened["action"] == "new":
            saved = api.post(
                f"/api/projects/{project}/docs/edit/save",
                json={
                    "draft_id": "new",
                    "slug": "guides/rest-example",
                    "title": "Writing pages over REST",
                    "description": "A page written by the REST example script: open, save, approve, search.",
                    "content": "# Writing pages over REST\n\nOpen a draft, save it, approve it.",
                },
            )
        else:
            saved = api.post(
                f"/api/projects/{project}/docs/edit/save",
                json={
                    "draft_id": opened["draft_id"],
                    "base_version": opened["base_version"],
                    "content": "# Writing pages over REST\n\nEdited again by the example script.",
                },
            )
        if saved.status_code >= 400:
            sys.exit(f"save failed: {saved.json()}")
        page = saved.json()["page"]
        print(f"saved {page['slug']} version {page['version']} (changed: {saved.json()['changed']})")

        approved = api.patch(
            f"/api/projects/{project}/docs/{page['path']}/status",
            json={"status": "ready", "project_name": state["name"]},
        )
        print(f"approve: {approved.status_code} {approved.json().get('status', approved.json())}")

        found = api.get(
            f"/api/projects/{project}/docs/search", params={"q": "REST", "include_drafts": "true"}
        ).json()
        for hit in found["hits"]:
            print(f"search hit: {hit['slug']} — {hit['snippet']}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8787")

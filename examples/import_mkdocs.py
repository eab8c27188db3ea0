"""Import an MkDocs project over REST: zip the folder, look at the plan, then import and approve it.

    COMSTACK_API_KEY=cs_... COMSTACK_PROJECT_ID=prj_... python examples/import_mkdocs.py [BASE_URL] [FOLDER]

FOLDER defaults to examples/import/mkdocs-site. Use a manager key (from `comstack serve --demo`). The same
import from the shell, on the server machine: `comstack import FOLDER --project ID --plan`, then `--approve`.
"""

from __future__ import annotations

import io
import os
import sys
import zipfile
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent


def zipped(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


def summary(report: dict) -> str:  # type: ignore[type-arg]
    counts = report["counts"]
    actions = ", ".join(f"{k} {v}" for k, v in counts.items() if v and not k.startswith("files_"))
    return f"{report['kind']} site {report['site_name']!r}: {actions}"


def main(base_url: str, folder: Path) -> None:
    project = os.environ["COMSTACK_PROJECT_ID"]
    headers = {"x-api-key": os.environ["COMSTACK_API_KEY"], "x-project-id": project}
    archive = zipped(folder)
    url = f"/api/projects/{project}/import"
    with httpx.Client(base_url=base_url, headers=headers, timeout=120) as api:
        plan = api.post(url, content=archive, params={"plan_only": "true"})
        if plan.status_code >= 400:
            sys.exit(f"refused: {plan.json()}")
        print("plan: " + summary(plan.json()))
        for page in plan.json()["pages"]:
            print(f"  {page['action']:>9}  {page['slug']}  <- {page['source_path']}")

        done = api.post(url, content=archive, params={"approve": "true"}).raise_for_status().json()
        print("imported: " + summary(done))
        for group in done["navigation"]:
            print(f"  sidebar group {group['title']!r}: {group['action']} ({len(group['page_slugs'])} pages)")
        for file in done["files"]:
            if file["status"] in ("skipped", "failed") and file["code"] != "not_markdown":
                print(f"  {file['status']}: {file['path']}: {file['reason']}")
            for note in file["notes"]:
                if note["kind"] == "converted":
                    print(f"  converted in {file['path']} line {note['line']}: {note['message']}")
        print("run the script again: every page is 'unchanged'; then publish from your assistant or the CLI.")


if __name__ == "__main__":
    main(
        sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8787",
        Path(sys.argv[2]) if len(sys.argv) > 2 else HERE / "import" / "mkdocs-site",
    )

"""Connect a git repository to a project and pull it in, over REST (git sync).

    COMSTACK_API_KEY=cs_... COMSTACK_PROJECT_ID=prj_... \\
        python examples/connect_repository.py BASE_URL REPO_URL [--branch main] [--folder docs] [--confirm]

Use a manager key. REPO_URL is the repository's https:// URL (add COMSTACK_GIT_TOKEN for a private one);
local paths work only when the server runs with COMSTACK_GIT_ALLOW_LOCAL=true. The script turns on the
github_sync module, stores the repository and a webhook secret (COMSTACK_GIT_WEBHOOK_SECRET, or a new
random one, printed once), pulls it in as approved drafts and shows the publish manifest; --confirm
then deploys it. Set the printed webhook URL and secret in the repository's settings (GitHub: Settings →
Webhooks, content type application/json, "Just the push event"; GitLab: Webhooks with the secret token;
Gitea: Webhooks) and every push to the branch is pulled in the same way.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time

import httpx


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base_url")
    parser.add_argument("repo_url")
    parser.add_argument("--branch", default="main")
    parser.add_argument("--folder", default="docs")
    parser.add_argument("--confirm", action="store_true", help="deploy after showing the manifest")
    args = parser.parse_args()
    project = os.environ["COMSTACK_PROJECT_ID"]
    headers = {"x-api-key": os.environ["COMSTACK_API_KEY"], "x-project-id": project}
    secret = os.environ.get("COMSTACK_GIT_WEBHOOK_SECRET") or secrets.token_urlsafe(24)
    p = f"/api/projects/{project}"
    with httpx.Client(base_url=args.base_url, headers=headers, timeout=300) as api:
        name = api.get(p + "/state").raise_for_status().json()["name"]
        api.patch(p + "/modules/github_sync", json={"enabled": True}).raise_for_status()
        connected = api.put(
            p + "/git",
            json={
                "url": args.repo_url,
                "branch": args.branch,
                "folder": args.folder,
                "token": os.environ.get("COMSTACK_GIT_TOKEN"),
                "webhook_secret": secret,
            },
        )
        if connected.status_code >= 400:
            sys.exit(f"connect refused: {connected.json()}")
        print(f"connected {args.repo_url} ({args.branch}, folder {args.folder!r})")
        print(f"webhook: {connected.json()['webhook_url']}  secret: {secret}")

        pulled = api.post(p + "/git/pull", json={"project_name": name})
        if pulled.status_code >= 400:
            sys.exit(f"pull failed: {pulled.json()}")
        result = pulled.json()
        counts = result["report"]["counts"]
        print(
            f"pulled {result['commit'][:12]}: {counts['create']} new, {counts['update']} changed, "
            f"{counts['unchanged']} unchanged, {counts['files_failed']} failed"
        )
        dry = result["publish"]
        if dry is None:
            print(result["message"])
            return
        for page in dry["manifest"]["pages"]:
            print(f"  {page['change_type']:>8}  {page['slug']}")
        if not args.confirm:
            print(
                "not deployed: run again with --confirm (or confirm from your assistant with publish-confirm)"
            )
            return
        started = (
            api.post(
                p + "/publish/confirm",
                json={
                    "project_name": name,
                    "confirmation_token": dry["confirmation_token"],
                },
            )
            .raise_for_status()
            .json()
        )
        while (status := api.get(p + f"/publish/{started['publish_id']}").json())["status"] == "running":
            time.sleep(0.5)
        print(f"publish {status['status']}: {status['site_url']}")


if __name__ == "__main__":
    main()

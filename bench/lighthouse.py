"""Lighthouse on the published demo site: the home page and a long reference page, mobile preset.

Starts `comstack serve --demo` on a fresh data directory, adds a long reference page to the demo project
over REST (examples/pages/configuration-reference.md, in the Reference group), publishes it over REST,
then runs the pinned `lighthouse` npm package against the served site with the system Chromium and prints
the four category scores per page.

    .venv/bin/python bench/lighthouse.py [--runs 1] [--json FILE] [--keep DIR]

Needs Node (the release runs on Node 22, fetched as an npm package by npx) and Chromium at
/usr/bin/chromium (or CHROMIUM_PATH).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = "lighthouse@13.5.0"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
REFERENCE = ROOT / "examples" / "pages" / "configuration-reference.md"
REFERENCE_SLUG = "reference/configuration"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    comstack = Path(sys.executable).parent / "comstack"
    env = {**os.environ, "COMSTACK_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    args = [
        str(comstack),
        "serve",
        "--demo",
        "--no-access-log",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
    ]
    log = open(data_dir / "serve.log", "wb")  # noqa: SIM115 - lives as long as the server
    return subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)


def _wait_up(base: str, proc: subprocess.Popen[bytes], data_dir: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("comstack serve exited:\n" + (data_dir / "serve.log").read_text()[-2000:])
        try:
            if (
                httpx.get(base + "/healthz", timeout=2).status_code == 200
                and (data_dir / "demo-credentials.json").exists()
            ):
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit("comstack serve did not come up")


def _check(response: httpx.Response) -> dict:
    if response.status_code >= 400:
        raise SystemExit(
            f"{response.request.method} {response.request.url}: {response.status_code} {response.text}"
        )
    return response.json() if response.content else {}


def publish_demo(base: str, data_dir: Path) -> str:
    """Add the long reference page to the demo project and publish; returns the site's URL."""
    creds = json.loads((data_dir / "demo-credentials.json").read_text())
    pid, name = creds["project_id"], creds["project_name"]
    api = f"{base}/api/projects/{pid}"
    with httpx.Client(headers={"x-api-key": creds["manager_key"], "x-project-id": pid}, timeout=60) as http:
        page = _check(
            http.post(
                api + "/docs",
                json={
                    "slug": REFERENCE_SLUG,
                    "title": "Configuration reference",
                    "description": "Every setting of a ComStack installation: its default, what it does and when to "
                    "change it.",
                    "content": REFERENCE.read_text(),
                },
            )
        )
        _check(
            http.patch(
                f"{api}/docs/{page['page']['path']}/status", json={"status": "ready", "project_name": name}
            )
        )
        groups = _check(http.get(api + "/sidebar-groups"))
        reference = next(g for g in groups if g["title"].get("en") == "Reference")
        body = {
            "title": reference["title"],
            "icon": reference["icon"],
            "page_slugs": [*reference["page_slugs"], REFERENCE_SLUG],
        }
        _check(http.put(f"{api}/sidebar-groups/{reference['id']}", json=body))
        dry = _check(http.post(api + "/publish", json={"project_name": name}))
        started = _check(
            http.post(
                api + "/publish/confirm",
                json={"project_name": name, "confirmation_token": dry["confirmation_token"]},
            )
        )
        deadline = time.monotonic() + 300
        while (status := _check(http.get(f"{api}/publish/{started['publish_id']}")))["status"] == "running":
            if time.monotonic() > deadline:
                raise SystemExit("the publish did not finish")
            time.sleep(0.3)
        if status["status"] != "succeeded":
            raise SystemExit(f"publish {status['status']}: {status.get('error')}")
        return str(status["site_url"])


def lighthouse(url: str, out: Path, tries: int = 3) -> dict[str, float]:
    """The category scores of one run; a run Lighthouse itself reports as broken (a runtime error such as
    NO_NAVSTART, no scores) is run again."""
    for _ in range(tries - 1):
        scores = _lighthouse(url, out)
        if scores is not None:
            return scores
    scores = _lighthouse(url, out)
    if scores is None:
        raise SystemExit(f"lighthouse gave no scores for {url}: {json.loads(out.read_text()).get('runtimeError')}")
    return scores


def _lighthouse(url: str, out: Path) -> dict[str, float] | None:
    chromium = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    args = [
        "npx", "-y", "-p", "node@22", "-p", LIGHTHOUSE, "--", "lighthouse", url,
        f"--chrome-path={chromium}", "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
        "--only-categories=" + ",".join(CATEGORIES), "--output=json", f"--output-path={out}", "--quiet",
    ]  # fmt: skip
    out.unlink(missing_ok=True)
    done = subprocess.run(args, capture_output=True, text=True, timeout=600)
    if not out.exists():
        raise SystemExit(f"lighthouse failed ({done.returncode}):\n{done.stderr[-3000:]}")
    report = json.loads(out.read_text())
    if report.get("runtimeError") or any(report["categories"][c]["score"] is None for c in CATEGORIES):
        return None
    return {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs per page (the median is kept)")
    parser.add_argument("--json", type=Path, help="write the scores (and each run's) to this file")
    parser.add_argument("--keep", type=Path, help="data directory to use and keep (default: a temporary one)")
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="comstack-lh-") as tmp:
        data_dir = opts.keep or Path(tmp)
        data_dir.mkdir(parents=True, exist_ok=True)
        port = _port()
        base = f"http://127.0.0.1:{port}"
        proc = _serve(data_dir, port)
        try:
            _wait_up(base, proc, data_dir)
            site = publish_demo(base, data_dir)
            pages = {"home": site, "reference": site + REFERENCE_SLUG + "/"}
            results: dict[str, dict[str, object]] = {}
            for label, url in pages.items():
                runs = [lighthouse(url, data_dir / f"lighthouse-{label}-{n}.json") for n in range(opts.runs)]
                median = {c: sorted(r[c] for r in runs)[len(runs) // 2] for c in CATEGORIES}
                results[label] = {"url": url, "scores": median, "runs": runs}
                print(f"{label:10} " + "  ".join(f"{c} {median[c]:3}" for c in CATEGORIES), flush=True)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        if opts.json:
            opts.json.write_text(json.dumps({"lighthouse": LIGHTHOUSE, "pages": results}, indent=1))


if __name__ == "__main__":
    main()

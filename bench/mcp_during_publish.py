"""Reads while publishing: wrk at concurrency 8 on ``get-page-content`` over MCP against one ``comstack serve``
process, first idle, then while the same process runs a full publish of a few thousand pages (the dry run
with its check build, the confirm, and the job until it succeeds), started over REST.

    .venv/bin/python bench/mcp_during_publish.py [--pages 5000] [--window 3] [--idle 15] [--runner process|inline]
        [--prepared DIR] [--json FILE]

Before the server starts, the demo project is seeded and published in this process, and ``--pages``
generated pages (``bench/publish.py``'s corpus) are imported into it as approved drafts; so the publish the
server runs makes them all live and builds them. wrk runs in windows of ``--window`` seconds (the publish's
length is not known ahead), each printing its latency at every 0.1 percentile (``mcp_post.lua`` with
``MCP_HISTOGRAM``); the windows of each phase are merged, weighted by their request counts, into one p50 and
p99. Target: p99 during the publish at most twice the idle p99. Needs ``wrk`` (Debian package).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from mcp_load import body, check, cpu_seconds, free_port, headers, start_comstack  # noqa: E402
from publish import descendants, import_corpus, rss_mb, write_corpus  # noqa: E402

from comstack_core import Core, Principal, Settings  # noqa: E402
from comstack_core.demo import publish_demo_site, seed_demo  # noqa: E402
from comstack_core.schemas import PlanUpdate  # noqa: E402

VERSION = "2025-11-25"


async def prepare(data_dir: Path, public_url: str, pages: int) -> None:
    """The demo project, published once, plus ``pages`` approved drafts waiting for the next publish."""
    settings = Settings(data_dir=data_dir, public_url=public_url)
    async with Core.open(settings) as core:
        creds = await seed_demo(core, data_dir)
        site = await publish_demo_site(core, creds)
        if site.error:
            raise SystemExit(site.error)
        system = Principal.system(door="script")
        await core.plans.update_plan(
            system, creds.project_id, PlanUpdate(tier="standard", quotas={"max_pages": pages + 100})
        )
        corpus = data_dir / "corpus"
        files = write_corpus(pages, corpus)
        files = [f for f in files if f.name != "index.md"]  # the demo has its own home page
        user = await core.users.get_by_email(system, creds.email)
        me = await core.users.principal_for_user(user.id, door="script")
        await import_corpus(core, me, creds.project_id, corpus, files)


def wrk_window(url: str, payload: str, head: dict[str, str], seconds: int) -> tuple[int, list[float]]:
    """One wrk run at concurrency 8: (requests, latency in ms at each 0.1 percentile)."""
    env = {
        **os.environ,
        "MCP_BODY": payload,
        "MCP_HEADERS": "\n".join(f"{k}: {v}" for k, v in head.items()),
        "MCP_HISTOGRAM": "1",
    }
    out = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{seconds}s", "--timeout", "10s", "-s", str(HERE / "mcp_post.lua"), url],
        env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    result = re.search(r"RESULT requests=(\d+) .* non2xx=(\d+) socket_errors=(\d+)", out)
    points = re.search(r"HISTOGRAM ([\d ]+)", out)
    if not result or not points:
        raise RuntimeError(out)
    if int(result.group(2)) or int(result.group(3)):
        raise RuntimeError(f"wrk saw errors: {out}")
    return int(result.group(1)), [int(v) / 1000 for v in points.group(1).split()]


def merged(windows: list[tuple[int, list[float]]], percentile: float) -> float:
    """A percentile of the windows taken together: each 0.1-percentile point of a window stands for a
    thousandth of its requests."""
    weighted = sorted((ms, n / 1000) for n, points in windows for ms in points)
    total = sum(w for _, w in weighted)
    seen = 0.0
    for ms, w in weighted:
        seen += w
        if seen >= total * percentile / 100:
            return ms
    return weighted[-1][0]


def descendants_cpu(pid: int) -> float:
    total = 0.0
    for child in descendants(pid):
        with contextlib.suppress(OSError):
            total += cpu_seconds(int(child))
    return total


class Peaks(threading.Thread):
    """The largest resident size seen, every 0.2 s, of the server process and of its largest child."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.server_mb, self.children_mb = pid, 0.0, 0.0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.2):
            self.server_mb = max(self.server_mb, rss_mb(self.pid))
            self.children_mb = max([self.children_mb, *(rss_mb(child) for child in descendants(self.pid))])

    def stop(self) -> None:
        self._done.set()
        self.join()


class Publisher(threading.Thread):
    """Dry run, confirm and polling until the job ends, over REST, as a client would."""

    def __init__(self, base: str, project_id: str, key: str, name: str) -> None:
        super().__init__(daemon=True)
        self.base, self.name = base, name
        self.url = f"{base}/api/projects/{project_id}/publish"
        self.head = {"x-api-key": key, "x-project-id": project_id}
        self.status: dict[str, Any] = {}
        self.wall = 0.0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            started = time.perf_counter()
            with httpx.Client(headers=self.head, timeout=1800) as http:  # a 50,000-page dry run checks for minutes
                dry = http.post(self.url, json={"project_name": self.name})
                dry.raise_for_status()
                token = dry.json()["confirmation_token"]
                confirm = {"project_name": self.name, "confirmation_token": token}
                job = http.post(f"{self.url}/confirm", json=confirm)
                job.raise_for_status()
                while True:
                    self.status = http.get(f"{self.url}/{job.json()['publish_id']}").json()
                    if self.status["status"] != "running":
                        break
                    time.sleep(0.2)
            self.wall = time.perf_counter() - started
        except BaseException as error:  # reported by the main thread
            self.error = error


def prepared(keep: Path | None, pages: int, data: Path) -> tuple[Path, int]:
    """The data directory to serve and its port: prepared afresh, or copied from ``keep`` (prepared there
    first if it is not yet). The copy keeps the same port, since the prepared site's address names it."""
    source = keep / f"data-{pages}" if keep else data
    marker = source / "bench-port"
    if not marker.exists():
        port = free_port()
        started = time.perf_counter()
        asyncio.run(prepare(source, f"http://127.0.0.1:{port}", pages))
        marker.write_text(str(port))
        print(f"prepared {pages} approved pages in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    if source != data:
        shutil.copytree(source, data, symlinks=True)
    return data, int(marker.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--window", type=int, default=3, help="seconds per wrk run")
    parser.add_argument("--idle", type=int, default=15, help="seconds of idle measurement")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--runner", choices=["process", "inline"], default="process",
        help="where the server runs the publish (COMSTACK_PUBLISH_RUNNER; default, as `comstack serve`: process)",
    )
    parser.add_argument(
        "--prepared", type=Path,
        help="keep the prepared data here and start each run from a copy of it (to compare code at 50,000 pages"
        " without importing them again)",
    )  # fmt: skip
    args = parser.parse_args()
    os.environ["COMSTACK_PUBLISH_RUNNER"] = args.runner
    with tempfile.TemporaryDirectory(prefix="comstack-during-") as tmp:
        data, port = prepared(args.prepared, args.pages, Path(tmp) / "data")
        base = f"http://127.0.0.1:{port}"
        server, creds = start_comstack(data, port, [])
        try:
            name = json.loads((data / "demo-credentials.json").read_text())["project_name"]
            auth = {"x-api-key": creds["key"], "x-project-id": creds["project_id"]}
            arguments = {"project_id": creds["project_id"], "slug": "guides/getting-started"}
            payload, head = (
                body("get-page-content", arguments, VERSION),
                headers("get-page-content", VERSION, auth),
            )
            url = f"{base}/mcp"
            check(url, payload, head)
            wrk_window(url, payload, head, 2)  # warm-up
            idle = [
                wrk_window(url, payload, head, args.window) for _ in range(max(1, args.idle // args.window))
            ]
            cpu_before, helpers_before = cpu_seconds(server.pid), descendants_cpu(server.pid)
            peak = Peaks(server.pid)
            peak.start()
            publisher = Publisher(base, creds["project_id"], creds["key"], name)
            publisher.start()
            during, timeline = [], []
            began = time.perf_counter()
            while publisher.is_alive():
                at = time.perf_counter() - began
                during.append(wrk_window(url, payload, head, args.window))
                # When each window ran and its own p50/p99: which part of the publish the slow ones met.
                timeline.append((round(at, 1), during[-1][0], during[-1][1][499], during[-1][1][989]))
            publisher.join()
            peak.stop()
            time.sleep(5)  # what the server keeps once the publish is over
            rss_after = rss_mb(server.pid)
            if publisher.error is not None:
                raise publisher.error
            if publisher.status.get("status") != "succeeded":
                raise SystemExit(f"publish {publisher.status.get('status')}: {publisher.status.get('error')}")
            # The last window may have run on past the publish's end: it is counted (it errs towards idle).
            figures = {
                "pages": args.pages,
                "idle_requests": sum(n for n, _ in idle),
                "idle_p50_ms": merged(idle, 50),
                "idle_p99_ms": merged(idle, 99),
                "publish_requests": sum(n for n, _ in during),
                "publish_p50_ms": merged(during, 50),
                "publish_p99_ms": merged(during, 99),
                "publish_wall_s": publisher.wall,
                "publish_timings": publisher.status.get("timings", {}),
                "runner": args.runner,
                "server_cpu_s_during_publish": cpu_seconds(server.pid) - cpu_before,
                # The runner process and the build's helpers (live ones; a helper that ended is not counted).
                "children_cpu_s_during_publish": descendants_cpu(server.pid) - helpers_before,
                "server_peak_rss_mb": peak.server_mb,
                "children_peak_rss_mb": peak.children_mb,
                "server_rss_after_mb": rss_after,
                "load_average": os.getloadavg(),
                "windows_s_requests_p50_p99": timeline,
            }
        finally:
            server.terminate()
            server.wait(timeout=30)
    figures["p99_ratio"] = figures["publish_p99_ms"] / figures["idle_p99_ms"]
    print(
        f"get-page-content at c=8, idle: p50 {figures['idle_p50_ms']:.1f} ms, p99 {figures['idle_p99_ms']:.1f} ms"
        f" ({figures['idle_requests']} requests)\n"
        f"during a {args.pages}-page publish ({figures['publish_wall_s']:.1f} s): p50 {figures['publish_p50_ms']:.1f}"
        f" ms, p99 {figures['publish_p99_ms']:.1f} ms ({figures['publish_requests']} requests)\n"
        f"p99 during / idle: {figures['p99_ratio']:.2f}x (target <= 2x); publish steps {figures['publish_timings']};"
        f" load average {figures['load_average']}\n"
        f"runner {args.runner}: CPU during the publish, server {figures['server_cpu_s_during_publish']:.1f} s,"
        f" children {figures['children_cpu_s_during_publish']:.1f} s; peak RSS server"
        f" {figures['server_peak_rss_mb']:.0f} MB (after {figures['server_rss_after_mb']:.0f} MB), largest child"
        f" {figures['children_peak_rss_mb']:.0f} MB"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()

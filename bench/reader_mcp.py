"""A published site's public MCP server under load: ``search`` (and ``get-page``) on ``/sites/<slug>/mcp`` of
a generated site, beside the team ``/mcp``'s ``search-docs`` on the same project and a bare ``mcp`` SDK
server's trivial tool (the floor), driven by wrk at the given concurrency (8 by default).

    .venv/bin/python bench/reader_mcp.py [--pages 5000] [--duration 10] [--concurrency 8] [--json FILE]

The site is the corpus of ``bench/publish.py`` (imported through the page store, published once) served by
``comstack serve`` (one uvicorn process, access log off for every server, rate limits raised). The first
request of the run loads the deployment's index (kept while that deployment is served). ``search`` runs
twice: with 4,096 distinct queries taken in turn (more than the 1,024 answers a deployment keeps, so every
one is searched) and with 64 (after the first round every answer is a kept one: readers asking alike).
Needs ``wrk``. CPU microseconds per request come from the server process's ``/proc`` times, as in
``bench/mcp_load.py``; on a busy machine compare by them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

import publish as corpus  # noqa: E402  (the publish benchmark's corpus and import)
from mcp_load import cpu_seconds, free_port, wait_up  # noqa: E402

from comstack_core import Core, Principal, Settings  # noqa: E402
from comstack_core.schemas import KeyCreate, PlanUpdate, ProjectCreate, UserCreate  # noqa: E402

VERSION = "2025-11-25"


def call(tool: str, arguments: dict[str, object]) -> str:
    return json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                       "params": {"name": tool, "arguments": arguments}})


async def make_site(data_dir: Path, public_url: str, pages: int) -> dict[str, str]:
    """A published project of ``pages`` pages; its id, slug, a manager key, and how long it took."""
    settings = Settings(data_dir=data_dir, public_url=public_url)
    with tempfile.TemporaryDirectory() as tmp:
        files = corpus.write_corpus(pages, Path(tmp))
        async with Core.open(settings) as core:
            system = Principal.system(door="script")
            user = await core.users.create_user(system, UserCreate(email="reader-bench@example.com"))
            me = await core.users.principal_for_user(user.id, door="script")
            project = await core.projects.create_project(me, ProjectCreate(name="Reader Bench"))
            await core.plans.update_plan(system, project.id, PlanUpdate(tier="standard",
                                                                        quotas={"max_pages": pages + 10}))
            started = time.perf_counter()
            await corpus.import_corpus(core, me, project.id, Path(tmp), files)
            await corpus.timed_publish(core, me, project.id, project.name, None)
            key = await core.keys.create_key(me, project.id, KeyCreate(name="bench", role="manager"))
            return {"project_id": project.id, "slug": project.slug, "key": key.key,
                    "setup_s": f"{time.perf_counter() - started:.1f}"}


def check(url: str, payload: str, head: dict[str, str]) -> dict[str, object]:
    response = httpx.post(url, content=payload, timeout=120, headers={
        "content-type": "application/json", "accept": "application/json, text/event-stream",
        "MCP-Protocol-Version": VERSION, **head})
    data = response.json()
    if response.status_code != 200 or "error" in data or data["result"].get("isError"):
        raise RuntimeError(f"sanity call failed: {response.status_code} {response.text[:300]}")
    return dict(data["result"].get("structuredContent") or {})


def run_wrk(url: str, bodies: list[str], head: dict[str, str], concurrency: int, duration: int,
            pid: int) -> dict[str, float]:
    cpu_before = cpu_seconds(pid)
    head = {"MCP-Protocol-Version": VERSION, **head}
    listing = Path(tempfile.mkdtemp()) / "bodies.jsonl"
    listing.write_text("\n".join(bodies) + "\n")
    env = {**os.environ, "MCP_BODIES": str(listing),
           "MCP_HEADERS": "\n".join(f"{k}: {v}" for k, v in head.items())}
    threads = 1 if concurrency == 1 else 2
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{concurrency}", f"-d{duration}s", "--timeout", "10s", "-s",
         str(HERE / "mcp_post.lua"), url], env=env, capture_output=True, text=True, check=True).stdout
    listing.unlink()
    listing.parent.rmdir()
    match = re.search(r"RESULT requests=(\d+) duration_us=(\d+) p50_us=(\d+) p99_us=(\d+) non2xx=(\d+) "
                      r"socket_errors=(\d+)", out)
    if not match:
        raise RuntimeError(out)
    requests, duration_us, p50, p99, non2xx, socket_errors = map(int, match.groups())
    return {"rps": requests / (duration_us / 1e6), "p50_ms": p50 / 1000, "p99_ms": p99 / 1000,
            "errors": non2xx + socket_errors,
            "cpu_us_per_request": (cpu_seconds(pid) - cpu_before) * 1e6 / max(requests, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8])
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    rng = random.Random(11)
    distinct = list(dict.fromkeys(
        f"{rng.choice(corpus.WORDS)} {rng.choice(corpus.WORDS)} {rng.choice(corpus.WORDS)}" for _ in range(20_000)))
    queries, distinct = distinct[:64], distinct[:4096]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        port, floor_port = free_port(), free_port()
        base = f"http://127.0.0.1:{port}"
        site = asyncio.run(make_site(Path(tmp), base, args.pages))
        print(f"{args.pages} pages imported and published in {site['setup_s']} s", flush=True)
        env = {**os.environ, "COMSTACK_DATA_DIR": tmp, "COMSTACK_PUBLIC_URL": base,
               "COMSTACK_RATE_LIMIT_MCP": "1000000000", "COMSTACK_RATE_LIMIT_READER_MCP": "1000000000"}
        server = subprocess.Popen([sys.executable, "-m", "comstack_http.cli", "serve", "--port", str(port),
                                   "--no-access-log"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        floor = subprocess.Popen([sys.executable, str(HERE / "mcp_floor.py"), str(floor_port), "--no-access-log"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_up(base + "/healthz")
            wait_up(f"http://127.0.0.1:{floor_port}/")
            reader = f"{base}/sites/{site['slug']}/mcp"
            started = time.perf_counter()
            first = check(reader, call("search", {"query": queries[0]}), {})
            load_ms = (time.perf_counter() - started) * 1000
            print(f"first search (loads the deployment's index): {load_ms:.0f} ms, "
                  f"{len(first.get('hits', []))} hits", flush=True)  # type: ignore[arg-type]
            page_urls = [f"{base}/sites/{site['slug']}/{corpus.slug_of(i)}/" for i in rng.sample(range(1, args.pages), 64)]
            auth = {"x-api-key": site["key"], "x-project-id": site["project_id"]}
            targets = {
                "floor": (floor.pid, f"http://127.0.0.1:{floor_port}/mcp", [call("echo", {"text": "hi"})], {}),
                "reader search": (server.pid, reader, [call("search", {"query": q}) for q in distinct], {}),
                "reader search, 64": (server.pid, reader, [call("search", {"query": q}) for q in queries], {}),
                "reader get-page": (server.pid, reader, [call("get-page", {"url": u}) for u in page_urls], {}),
                "team search-docs": (server.pid, base + "/mcp", [call("search-docs", {
                    "project_id": site["project_id"], "query": q, "limit": 5}) for q in distinct], auth),
            }
            for concurrency in args.concurrency:
                result = {}
                for name, (pid, url, bodies, head) in targets.items():
                    check(url, bodies[0], head)
                    result[name] = run_wrk(url, bodies, head, concurrency, args.duration, pid)
                    r = result[name]
                    print(f"c={concurrency} {name:<17} {r['rps']:7.1f} req/s  p50 {r['p50_ms']:6.1f} ms  "
                          f"p99 {r['p99_ms']:6.1f} ms  errors {int(r['errors'])}  "
                          f"CPU {r['cpu_us_per_request']:.0f} us/request", flush=True)
                rows.append({"concurrency": concurrency, **result})
        finally:
            server.terminate()
            floor.terminate()
            server.wait(10)
            floor.wait(10)
    load = os.getloadavg()
    print(f"\nload average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print("\n| concurrency | target | req/s | p50 ms | p99 ms | CPU µs/req | vs floor (CPU) |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        floor_cpu = row["floor"]["cpu_us_per_request"]
        for name in ("floor", "reader search", "reader search, 64", "reader get-page", "team search-docs"):
            r = row[name]
            print(f"| {row['concurrency']} | {name} | {r['rps']:.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | "
                  f"{r['cpu_us_per_request']:.0f} | {floor_cpu / r['cpu_us_per_request']:.0%} |")
    if args.json:
        args.json.write_text(json.dumps({"pages": args.pages, "setup_s": float(site["setup_s"]),
                                         "first_search_ms": load_ms, "load_average": load, "runs": rows},
                                        indent=2) + "\n")


if __name__ == "__main__":
    main()

"""Concurrent page saves over REST: eight clients, each saving its own page, on a real ``comstack serve``.

    .venv/bin/python bench/write_soak.py [--clients 8] [--saves 150] [--size 2048]
        [--postgres URL] [--json FILE]

Each client reads its page's version, then saves ``--saves`` times with ``PATCH /docs/{path}``, passing
the version the previous save returned (as an editor's client does), with ``--size`` bytes of new
Markdown each time. The server runs in its own process (one uvicorn worker, no access log) on the
embedded SQLite default, or on PostgreSQL with ``--postgres`` (a database the benchmark may drop and
recreate). At the end every page is read back: its version must equal one plus the saves that were
acknowledged (nothing acknowledged lost, nothing counted twice).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from comstack_core import Core, Principal, Settings
from comstack_core.schemas import KeyCreate, PageCreate, ProjectCreate, UserCreate


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def seed(settings: Settings, clients: int) -> tuple[str, str, list[str]]:
    """A project, an editor key and one page per client; returns (project id, key, page paths)."""
    async with Core.open(settings) as core:
        system = Principal.system(door="script")
        user = await core.users.create_user(system, UserCreate(email="soak@example.com"))
        me = await core.users.principal_for_user(user.id, door="script")
        project = await core.projects.create_project(me, ProjectCreate(name="Write soak"))
        key = await core.keys.create_key(system, project.id, KeyCreate(name="soak", role="editor"))
        paths = []
        for n in range(clients):
            saved = await core.editing.create_page(
                me, project.id, PageCreate(slug=f"soak/page-{n}", title=f"Soak page {n}", content="Start.")
            )
            paths.append(saved.page.path)
    return project.id, key.key, paths


async def wait_up(base: str, proc: subprocess.Popen[bytes], within: float = 60) -> None:
    deadline = time.monotonic() + within
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise SystemExit(f"the server exited with status {proc.returncode}")
            try:
                if (await client.get(base + "/healthz")).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit("the server did not start in time")


def cpu_seconds(pid: int) -> float | None:
    """The process's user + system CPU time (Linux), so a run on a busy machine still says what a save costs."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def markdown(rng: random.Random, size: int) -> str:
    words = []
    length = 0
    while length < size:
        word = "".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 9)))
        words.append(word)
        length += len(word) + 1
    return " ".join(words)[:size]


def contents(saves: int, size: int, seed_value: int) -> list[str]:
    rng = random.Random(seed_value)
    return [f"# Save {n}\n\n" + markdown(rng, size) for n in range(saves)]


async def writer(
    client: httpx.AsyncClient, url: str, contents: list[str]
) -> tuple[list[float], int, list[str]]:
    version = (await client.get(url)).raise_for_status().json()["version"]
    timings: list[float] = []
    acked = 0
    failures: list[str] = []
    for content in contents:
        body = {"base_version": version, "content": content}
        started = time.perf_counter()
        response = await client.patch(url, json=body)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code == 200:
            acked += 1
            version = response.json()["page"]["version"]
        else:
            failures.append(f"{response.status_code} {response.text[:200]}")
            version = (await client.get(url)).json()["version"]
    return timings, acked, failures


async def soak(
    base: str, project_id: str, key: str, paths: list[str], saves: int, size: int
) -> dict[str, Any]:
    headers = {"x-api-key": key, "x-project-id": project_id}
    docs = f"{base}/api/projects/{project_id}/docs/"
    limits = httpx.Limits(max_connections=len(paths) * 2)
    # Written before the clock starts: making the text is the load generator's work, not the server's.
    texts = [contents(saves, size, n) for n in range(len(paths))]
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=60) as client:
        started = time.perf_counter()
        results = await asyncio.gather(
            *(writer(client, docs + path, text) for path, text in zip(paths, texts, strict=True))
        )
        wall = time.perf_counter() - started
        final_ok = True
        for path, (_, acked, _) in zip(paths, results, strict=True):
            version = (await client.get(docs + path)).raise_for_status().json()["version"]
            # A new page is version 1; every acknowledged save adds one.
            if version != 1 + acked:
                final_ok = False
                print(f"  {path}: version {version}, expected {1 + acked}")
    timings = sorted(t for result in results for t in result[0])
    acked_total = sum(result[1] for result in results)
    failures = [f for result in results for f in result[2]]
    for failure in failures[:5]:
        print(f"  failed save: {failure}")
    return {
        "clients": len(paths),
        "saves_per_client": saves,
        "acked_saves": acked_total,
        "failed_saves": len(failures),
        "wall_s": round(wall, 3),
        "saves_per_s": round(acked_total / wall, 1),
        "p50_ms": round(statistics.median(timings), 2),
        "p99_ms": round(timings[max(0, int(len(timings) * 0.99) - 1)], 2),
        "max_ms": round(timings[-1], 2),
        "final_versions_ok": final_ok and not failures,
    }


def start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "comstack_http.cli", "serve", "--port", str(port), "--no-access-log"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def recreate_pg(url: str) -> None:
    import asyncpg

    admin_url = url.replace("+asyncpg", "").rsplit("/", 1)[0] + "/postgres"
    name = url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(admin_url)
    await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    await conn.execute(f"CREATE DATABASE {name}")
    await conn.close()


async def run(args: argparse.Namespace, data_dir: Path) -> dict[str, Any]:
    env = {**os.environ, "COMSTACK_DATA_DIR": str(data_dir)}
    if args.postgres:
        await recreate_pg(args.postgres)
        env["COMSTACK_DATABASE_URL"] = args.postgres
        settings = Settings(data_dir=data_dir, database_url=args.postgres)
    else:
        env.pop("COMSTACK_DATABASE_URL", None)
        settings = Settings(data_dir=data_dir)
    project_id, key, paths = await seed(settings, args.clients)
    port = free_port()
    proc = start_server(env, port)
    base = f"http://127.0.0.1:{port}"
    try:
        await wait_up(base, proc)
        cpu_before = cpu_seconds(proc.pid)
        # The load generator's own CPU: on two cores it competes with the server for the second one.
        client_before = time.process_time()
        result = await soak(base, project_id, key, paths, args.saves, args.size)
        client_cpu = time.process_time() - client_before
        cpu_after = cpu_seconds(proc.pid)
        result["client_cpu_ms_per_save"] = round(client_cpu * 1000 / max(1, result["acked_saves"]), 2)
        if cpu_before is not None and cpu_after is not None:
            result["server_cpu_ms_per_save"] = round(
                (cpu_after - cpu_before) * 1000 / result["acked_saves"], 2
            )
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    result["backend"] = "postgresql" if args.postgres else "sqlite"
    return result


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--saves", type=int, default=150, help="saves per client")
    parser.add_argument("--size", type=int, default=2048, help="bytes of Markdown per save")
    parser.add_argument("--postgres", help="run on this PostgreSQL database (dropped and recreated)")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = await run(args, Path(tmp))
    result["load_average"] = round(os.getloadavg()[0], 2)
    print(
        f"{result['backend']}: {result['clients']} clients x {result['saves_per_client']} saves: "
        f"{result['saves_per_s']} saves/s, p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, "
        f"max {result['max_ms']} ms, server CPU {result.get('server_cpu_ms_per_save')} ms/save, "
        f"client CPU {result['client_cpu_ms_per_save']} ms/save, acknowledged {result['acked_saves']}, failed {result['failed_saves']}, "
        f"final versions {'ok' if result['final_versions_ok'] else 'WRONG'} (load average {result['load_average']})"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    asyncio.run(main())

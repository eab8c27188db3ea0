"""MCP throughput: ``tools/call get-page-content`` on ComStack (API-key auth, rate limit raised) against a
bare ``mcp`` SDK server with one trivial tool (the floor), at concurrency 1, 8 and 32, for protocol
versions 2025-11-25 and 2026-07-28, driven by wrk (a Python load client saturates a core first).

    .venv/bin/python bench/mcp_load.py [--duration 10] [--concurrency 1 8 32] [--no-access-log] [--json FILE]

Both servers write uvicorn's access log (as ``comstack serve`` does by default); ``--no-access-log``
turns it off on both.

Needs ``wrk`` (Debian package). Both servers run one uvicorn process on loopback.

Besides requests per second, each run reads the server process's CPU time (Linux ``/proc``) and reports
CPU microseconds per request; ``CPU ratio`` is the floor's CPU per request over ComStack's. On a quiet
machine the two ratios agree (each server is one busy process); on a busy one the throughput ratio
swings with what else runs, while the CPU ratio stays close, so compare code versions by it there.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).parent
VERSIONS = ("2025-11-25", "2026-07-28")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def body(tool: str, arguments: dict[str, object], version: str) -> str:
    params: dict[str, object] = {"name": tool, "arguments": arguments}
    if version == "2026-07-28":  # no handshake: each request says who it is
        params["_meta"] = {
            "io.modelcontextprotocol/protocolVersion": version,
            "io.modelcontextprotocol/clientInfo": {"name": "wrk", "version": "1"},
            "io.modelcontextprotocol/clientCapabilities": {},
        }
    return json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params})


def headers(tool: str, version: str, extra: dict[str, str]) -> dict[str, str]:
    out = {"MCP-Protocol-Version": version, **extra}
    if version == "2026-07-28":
        out.update({"Mcp-Method": "tools/call", "Mcp-Name": tool})
    return out


def check(url: str, payload: str, head: dict[str, str]) -> None:
    response = httpx.post(url, content=payload, headers={
        "content-type": "application/json", "accept": "application/json, text/event-stream", **head})
    data = response.json()
    if response.status_code != 200 or "error" in data or data["result"].get("isError"):
        raise RuntimeError(f"sanity call failed: {response.status_code} {response.text[:300]}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_wrk(
    url: str, payload: str, head: dict[str, str], concurrency: int, duration: int, pid: int
) -> dict[str, float]:
    cpu_before = cpu_seconds(pid)
    env = {**os.environ, "MCP_BODY": payload, "MCP_HEADERS": "\n".join(f"{k}: {v}" for k, v in head.items())}
    threads = 1 if concurrency == 1 else 2
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{concurrency}", f"-d{duration}s", "--timeout", "10s", "-s",
         str(HERE / "mcp_post.lua"), url],
        env=env, capture_output=True, text=True, check=True).stdout
    match = re.search(r"RESULT requests=(\d+) duration_us=(\d+) p50_us=(\d+) p99_us=(\d+) non2xx=(\d+) "
                      r"socket_errors=(\d+)", out)
    if not match:
        raise RuntimeError(out)
    requests, duration_us, p50, p99, non2xx, socket_errors = map(int, match.groups())
    cpu_us = (cpu_seconds(pid) - cpu_before) * 1e6 / max(requests, 1)
    return {"rps": requests / (duration_us / 1e6), "p50_ms": p50 / 1000, "p99_ms": p99 / 1000,
            "errors": non2xx + socket_errors, "cpu_us_per_request": cpu_us}


def start_comstack(data_dir: Path, port: int, flags: list[str]) -> tuple[subprocess.Popen[bytes], dict[str, str]]:
    env = {**os.environ, "COMSTACK_DATA_DIR": str(data_dir), "COMSTACK_RATE_LIMIT_MCP": "1000000000",
           "COMSTACK_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    proc = subprocess.Popen([sys.executable, "-m", "comstack_http.cli", "serve", "--demo", "--port", str(port), *flags],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_up(f"http://127.0.0.1:{port}/healthz")
    creds = json.loads((data_dir / "demo-credentials.json").read_text())
    return proc, {"project_id": creds["project_id"], "key": creds["manager_key"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--no-access-log", action="store_true", help="run both servers without an access log")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    flags = ["--no-access-log"] if args.no_access_log else []
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        cs_port, floor_port = free_port(), free_port()
        comstack, creds = start_comstack(Path(tmp), cs_port, flags)
        floor = subprocess.Popen([sys.executable, str(HERE / "mcp_floor.py"), str(floor_port), *flags],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_up(f"http://127.0.0.1:{floor_port}/")
            auth = {"x-api-key": creds["key"], "x-project-id": creds["project_id"]}
            targets: dict[str, tuple[int, str, str, dict[str, object], dict[str, str]]] = {
                "floor": (floor.pid, f"http://127.0.0.1:{floor_port}/mcp", "echo", {"text": "hi"}, {}),
                "comstack": (comstack.pid, f"http://127.0.0.1:{cs_port}/mcp", "get-page-content",
                             {"project_id": creds["project_id"], "slug": "guides/getting-started"}, auth),
            }
            for version in VERSIONS:
                for concurrency in args.concurrency:
                    result: dict[str, dict[str, float]] = {}
                    for name, (pid, url, tool, arguments, extra) in targets.items():
                        payload, head = body(tool, arguments, version), headers(tool, version, extra)
                        check(url, payload, head)
                        result[name] = run_wrk(url, payload, head, concurrency, args.duration, pid)
                    ratio = result["comstack"]["rps"] / result["floor"]["rps"]
                    cpu_ratio = result["floor"]["cpu_us_per_request"] / result["comstack"]["cpu_us_per_request"]
                    rows.append((version, concurrency, result, ratio, cpu_ratio))
                    print(f"{version} c={concurrency:>2}: comstack {result['comstack']['rps']:7.1f} req/s "
                          f"(p50 {result['comstack']['p50_ms']:.1f} ms, p99 {result['comstack']['p99_ms']:.1f} ms, "
                          f"errors {int(result['comstack']['errors'])}) | floor {result['floor']['rps']:7.1f} req/s "
                          f"(p50 {result['floor']['p50_ms']:.1f} ms, p99 {result['floor']['p99_ms']:.1f} ms) | "
                          f"ratio {ratio:.0%} | CPU per request {result['comstack']['cpu_us_per_request']:.0f} us "
                          f"vs {result['floor']['cpu_us_per_request']:.0f} us, CPU ratio {cpu_ratio:.0%}", flush=True)
        finally:
            comstack.terminate()
            floor.terminate()
            comstack.wait(10)
            floor.wait(10)
    print("\n| protocol | concurrency | ComStack req/s | p50 ms | p99 ms | CPU µs/req | floor req/s | p50 ms | p99 ms "
          "| CPU µs/req | ratio | CPU ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for version, concurrency, result, ratio, cpu_ratio in rows:
        c, f = result["comstack"], result["floor"]
        print(f"| {version} | {concurrency} | {c['rps']:.0f} | {c['p50_ms']:.1f} | {c['p99_ms']:.1f} | "
              f"{c['cpu_us_per_request']:.0f} | {f['rps']:.0f} | {f['p50_ms']:.1f} | {f['p99_ms']:.1f} | "
              f"{f['cpu_us_per_request']:.0f} | {ratio:.0%} | {cpu_ratio:.0%} |")
    if args.json:
        args.json.write_text(json.dumps(
            [{"protocol": version, "concurrency": concurrency, **result, "ratio": ratio, "cpu_ratio": cpu_ratio}
             for version, concurrency, result, ratio, cpu_ratio in rows], indent=2) + "\n")


if __name__ == "__main__":
    main()

"""`comstack serve` bounds its connections: a header deadline and a cap, checked on a real server process."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ..conftest import REPO

HEALTH = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "COMSTACK_DATA_DIR": str(tmp_path)}
    env.pop("COMSTACK_DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "comstack_http.cli", "serve", "--port", str(port), "--no-access-log",
         "--header-timeout", "1", "--max-connections", "4", "--keep-alive", "30"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)  # waiting for the server to start
        yield port
    finally:
        proc.terminate()
        proc.wait(30)


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=10)


def status_of(sock: socket.socket) -> int:
    head = b""
    while b"\r\n" not in head:
        chunk = sock.recv(4096)
        assert chunk, "the server closed the connection"
        head += chunk
    return int(head.split(b" ", 2)[1])


def test_headers_sent_too_slowly_lose_the_connection(server: int) -> None:
    with connect(server) as sock:
        started = time.monotonic()
        sock.sendall(b"GET /healthz HTTP/1.1\r\n")
        closed = False
        for _ in range(10):  # a header line every 0.3 s would keep an unbounded server busy forever
            time.sleep(0.3)
            try:
                sock.sendall(b"X-Slow: 1\r\n")
            except OSError:
                closed = True
                break
            sock.settimeout(0.01)
            with contextlib.suppress(TimeoutError):
                closed = sock.recv(1) == b""
            if closed:
                break
        assert closed and time.monotonic() - started < 3.5
    with connect(server) as sock:  # a prompt client is served as before
        sock.sendall(HEALTH)
        assert status_of(sock) == 200


def test_connections_past_the_cap_get_503(server: int) -> None:
    held = [connect(server) for _ in range(3)]
    try:
        for sock in held:  # three kept-alive connections, idle after one request each
            sock.sendall(HEALTH)
            assert status_of(sock) == 200
        with connect(server) as fourth:
            fourth.sendall(HEALTH)
            assert status_of(fourth) == 503
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.2)  # let the server see the closes
    with connect(server) as sock:
        sock.sendall(HEALTH)
        assert status_of(sock) == 200

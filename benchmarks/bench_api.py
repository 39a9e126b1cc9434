"""Bounded load run against ``clusteratlas serve`` (a subprocess on 127.0.0.1).

Starts the server on a free port with a seeded temporary registry, warms the caches, then
sends a fixed number of requests per endpoint with bounded concurrency (threads) and prints
p50/p99 latency and requests per second; ``/api/v1/health`` is the baseline of the same run.
The server is stopped at the end. Needs CLUSTERATLAS_DATA (maps and seed).

    python benchmarks/bench_api.py [--requests 200] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

SERVE = "from clusteratlas.cli import main, serve_commands; main()"
"""Runs ``clusteratlas serve`` whether or not the command is registered in the CLI yet."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(base: str, process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode}")
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise RuntimeError("the server did not answer within the timeout")


def run(client: httpx.Client, path: str, n: int, concurrency: int) -> tuple[list[float], float]:
    def one(_: int) -> float:
        start = time.perf_counter()
        response = client.get(path)
        response.raise_for_status()
        return time.perf_counter() - start

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        latencies = list(pool.map(one, range(n)))
    return latencies, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per endpoint")
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    if not os.environ.get("CLUSTERATLAS_DATA"):
        sys.exit("Set CLUSTERATLAS_DATA to the data mirror.")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "CLUSTERATLAS_HOME": tmp}
        env.pop("DATABASE_URL", None)
        command = [
            sys.executable, "-c", SERVE, "serve", "--port", str(port),
            "--db", str(Path(tmp) / "registry.sqlite"), "--store", str(Path(tmp) / "store.duckdb"),
        ]  # fmt: skip
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
        try:
            wait_ready(base, process)
            print(f"server ready in {time.perf_counter() - started:.1f} s on {base}")
            with httpx.Client(base_url=base, timeout=120) as client:
                seeker = client.get("/api/v1/organisations", params={"country": "US"})
                seeker_id = seeker.json()["items"][0]["id"]
                endpoints = {
                    "health (baseline)": "/api/v1/health",
                    "map geojson C26": "/api/v1/maps?category=C26&format=geojson",
                    "search q=cluster": "/api/v1/organisations?q=cluster&limit=20",
                    "recommendations": f"/api/v1/organisations/{seeker_id}/recommendations",
                }
                for path in endpoints.values():  # warm the in-process caches
                    start = time.perf_counter()
                    client.get(path).raise_for_status()
                    print(f"  first call {path}: {time.perf_counter() - start:.2f} s")
                print(f"{args.requests} requests per endpoint, {args.concurrency} at a time")
                print(f"{'endpoint':<22}{'p50 ms':>9}{'p99 ms':>9}{'req/s':>9}")
                for name, path in endpoints.items():
                    latencies, elapsed = run(client, path, args.requests, args.concurrency)
                    cuts = statistics.quantiles(latencies, n=100)
                    print(
                        f"{name:<22}{1000 * statistics.median(latencies):>9.1f}"
                        f"{1000 * cuts[98]:>9.1f}{args.requests / elapsed:>9.1f}"
                    )
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    main()

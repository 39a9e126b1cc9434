"""Organisation search under abuse: 20 concurrent writers, then a wrong-password flood.

Starts ``clusteratlas serve`` (uvicorn) on 127.0.0.1 with a temporary registry seeded from
CLUSTERATLAS_DATA and an administrator, then measures the latency of organisation search
(one client, requests one after another) in four phases of ``--seconds`` each:

1. no load (the baseline of this run);
2. during 20 writers, each editing its own organisation through the API with its own token
   (read the version, PATCH a new description; 409, 429 and 503 are counted, not errors);
3. during a wrong-password flood: 16 clients sending wrong passwords for 4 accounts
   (the administrator and 3 unknown e-mails); a 429 is counted as "throttled", per account,
   with the attempt number of the first one;
4. during the same flood from clients that give up on each answer after 50 ms and try again
   at once (outside the issue's targets: what the server's tarpit cannot slow down).

Every load client (writer or flood client) runs in a process of its own (``multiprocessing``,
``spawn``), started and connected before the phase begins, so that the measuring client has
its interpreter to itself: with the load as threads of the measuring process, searches also
waited for the load's share of the GIL, and the numbers were partly the benchmark's own.

Then prints p50/p99, the ratios to the baseline and the issue's targets (search p99 < 100 ms
without load and < 250 ms during either flood; a 429 within 10 attempts per account). It runs
on SQLite, then on PostgreSQL in a throw-away cluster made by Debian's ``pg_virtualenv -t``
(in a temporary directory, so that it does not collide with other test runs; skipped with the
reason when absent). Loopback only; every phase stops by itself, and ``--max-seconds`` bounds
each back end's run.

    python benchmarks/bench_abuse.py [--seconds 10] [--backend sqlite|postgres|both]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _procload import Control, cpu_seconds, run_processes

SERVE = "from clusteratlas.cli import main, serve_commands; main()"
ADMIN_EMAIL = "bench-admin@example.org"
ADMIN_PASSWORD = "bench-Admin-password-1"  # a throw-away server
FLOOD_ACCOUNTS = (ADMIN_EMAIL, "ghost1@example.org", "ghost2@example.org", "ghost3@example.org")
WRITERS = 20
FLOOD_CLIENTS = 16
TERMS = ("cluster", "photonics", "automotive", "biotech", "energy", "aerospace")
TARGETS = {"no load": 100.0, "20 writers": 250.0, "login flood": 250.0}
IMPATIENT = "impatient flood"
"""A fourth phase, outside the issue's targets: flood clients that give up on an answer after
``IMPATIENT_TIMEOUT`` seconds and try again at once, on a new connection. The server's tarpit
(a throttled sign-in is answered after a pause) slows only clients that wait for answers;
this phase shows what is left against those that do not (a reverse proxy's job)."""
IMPATIENT_TIMEOUT = 0.05
REQUEST_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(base: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode}")
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError("the server did not answer within the timeout")


class Phase:
    """Search latencies of one client (requests one after another), for a bounded time.

    Also the CPU seconds used meanwhile by the server, by the load processes and by the
    rest of the machine (PostgreSQL, and whatever else runs on it), read from /proc.
    """

    def __init__(self, base: str, seconds: float, max_searches: int, server_pid: int) -> None:
        self.base, self.seconds, self.max_searches = base, seconds, max_searches
        self.server_pid = server_pid
        self.load_pids: list[int] = []

    def measure(self) -> dict[str, Any]:
        began = time.monotonic()
        server0, load0, me0 = (
            cpu_seconds([self.server_pid]),
            cpu_seconds(self.load_pids),
            cpu_seconds([os.getpid()]),
        )
        result = self._searches()
        wall = time.monotonic() - began
        server1, load1, me1 = (
            cpu_seconds([self.server_pid]),
            cpu_seconds(self.load_pids),
            cpu_seconds([os.getpid()]),
        )
        parts = {
            "server": (server0["pids"], server1["pids"]),
            "load clients": (load0["pids"], load1["pids"]),
            "measuring client": (me0["pids"], me1["pids"]),
            "machine": (server0["machine"], server1["machine"]),
        }
        cpu = {k: None if a is None or b is None else b - a for k, (a, b) in parts.items()}
        if None not in cpu.values():
            named = sum(v for k, v in cpu.items() if k != "machine" and v is not None)
            cpu["everything else"] = (cpu["machine"] or 0.0) - named
        result["cpu_s"] = cpu
        result["wall_s"] = wall
        return result

    def _searches(self) -> dict[str, Any]:
        latencies: list[float] = []
        statuses: Counter[int] = Counter()
        errors = 0
        deadline = time.monotonic() + self.seconds
        with httpx.Client(base_url=self.base, timeout=REQUEST_TIMEOUT) as client:
            i = 0
            while time.monotonic() < deadline and len(latencies) < self.max_searches:
                start = time.perf_counter()
                try:
                    response = client.get(
                        "/api/v1/organisations", params={"q": TERMS[i % len(TERMS)], "limit": 20}
                    )
                    statuses[response.status_code] += 1
                except httpx.HTTPError:
                    errors += 1
                latencies.append(time.perf_counter() - start)
                i += 1
        cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
        return {
            "n": len(latencies),
            "p50_ms": 1000 * statistics.median(latencies),
            "p99_ms": 1000 * cuts[98],
            "statuses": {str(k): v for k, v in sorted(statuses.items())},
            "errors": errors,
        }


def _connect(client: httpx.Client, control: Control) -> None:
    """Open the client's connection, then tell the parent and wait for the start signal."""
    client.get("/api/v1/health")
    control.ready.release()
    control.go.wait(timeout=control.seconds_left())


def writer_process(
    base: str, token: str, org_id: int, version: int, control: Control, out: Any
) -> None:
    """Edit one organisation again and again (PATCH with the version last seen).

    Runs in its own process; puts ``("writes", Counter of outcomes)`` on ``out`` at the end.
    """
    tally: Counter[str] = Counter()
    current = version
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT, headers=headers) as client:
        _connect(client, control)
        n = 0
        while not control.stop.is_set() and control.seconds_left() > 0:
            n += 1
            try:
                sent = client.patch(
                    f"/api/v1/organisations/{org_id}",
                    json={"version": current, "description": f"Edited by the bench, {n}"},
                )
                outcome = str(sent.status_code)
                body = (
                    sent.json()
                    if sent.headers.get("content-type", "").startswith("application/json")
                    else {}
                )
                current = int(body.get("version") or body.get("current_version") or current)
            except (httpx.HTTPError, ValueError) as err:
                outcome = type(err).__name__
            tally[outcome] += 1
            if outcome in ("429", "503"):
                control.stop.wait(0.5)  # a polite client backs off when told to
    out.put(("writes", dict(tally)))


def flood_process(
    base: str, account: str, control: Control, out: Any, timeout: float = REQUEST_TIMEOUT
) -> None:
    """Send wrong passwords for ``account`` as fast as the server answers.

    Runs in its own process; puts ``("flood", account, [(time, status), …])`` on ``out`` at
    the end (the times order the attempts of the clients that share an account). With a
    short ``timeout`` the client gives up on an answer and tries again at once (status -1).
    """
    answers: list[tuple[float, int]] = []
    with httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT) as client:
        _connect(client, control)
        while not control.stop.is_set() and control.seconds_left() > 0:
            try:
                status = client.post(
                    "/api/v1/auth/login",
                    json={"email": account, "password": "wrong-guess"},
                    timeout=timeout,
                ).status_code
            except httpx.HTTPError:
                status = -1
            answers.append((time.time(), status))
    out.put(("flood", account, answers))


def impatient_flood_process(base: str, account: str, control: Control, out: Any) -> None:
    """:func:`flood_process` giving up on each answer after ``IMPATIENT_TIMEOUT`` seconds."""
    flood_process(base, account, control, out, timeout=IMPATIENT_TIMEOUT)


def make_token(client: httpx.Client, name: str) -> str:
    """A write-capable API token (asks for scopes where the API knows them)."""
    for body in ({"name": name, "scopes": ["read", "write"]}, {"name": name}):
        response = client.post("/api/v1/auth/tokens", json=body)
        if response.status_code == 201:
            return str(response.json()["token"])
        if response.status_code != 422:
            break
    raise RuntimeError(f"cannot create a token: {response.status_code} {response.text[:200]}")


def bench(
    database_url: str | None, seconds: float, max_searches: int, max_seconds: float
) -> dict[str, Any]:
    """Run the four phases against one server; return the numbers."""
    started = time.monotonic()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "CLUSTERATLAS_HOME": tmp,
            "CLUSTERATLAS_ADMIN_EMAIL": ADMIN_EMAIL,
            "CLUSTERATLAS_ADMIN_PASSWORD": ADMIN_PASSWORD,
        }
        db = database_url or str(Path(tmp) / "registry.sqlite")
        command = [
            sys.executable, "-c", SERVE, "serve", "--port", str(port), "--db", db,
            "--store", str(Path(tmp) / "store.duckdb"),
        ]  # fmt: skip
        log = (Path(tmp) / "server.log").open("wb")
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log)
        results: dict[str, Any] = {}
        try:
            wait_ready(base, process, timeout=max_seconds)
            with httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT) as admin:
                login = admin.post(
                    "/api/v1/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
                )
                login.raise_for_status()
                token = str(login.json()["token"])
                admin.headers["Authorization"] = f"Bearer {token}"
                listed = admin.get("/api/v1/organisations", params={"limit": WRITERS})
                listed.raise_for_status()
                org_ids = [int(item["id"]) for item in listed.json()["items"]]
                if len(org_ids) < WRITERS:
                    raise RuntimeError(f"the seeded registry has only {len(org_ids)} organisations")
                tokens = [make_token(admin, f"bench-writer-{i}") for i in range(WRITERS)]
                versions = []
                for org_id in org_ids:  # also builds the maps the profile shows, before timing
                    profile = admin.get(f"/api/v1/organisations/{org_id}", timeout=300)
                    profile.raise_for_status()
                    versions.append(int(profile.json()["organisation"]["version"]))
                admin.get("/api/v1/organisations", params={"q": "cluster"}).raise_for_status()
            phase = Phase(base, seconds, max_searches, process.pid)
            results["no load"] = phase.measure()

            load_limit = seconds + 60.0  # start-up, warm-up, the phase, then a margin
            writers = [
                (writer_process, (base, t, o, v))
                for t, o, v in zip(tokens, org_ids, versions, strict=True)
            ]
            measured, reports = run_processes(
                writers, phase.measure, limit=load_limit, load_pids=phase.load_pids
            )
            tally: Counter[str] = Counter()
            for _, counts in reports:
                tally.update(counts)
            results["20 writers"] = {**measured, "writes": dict(tally)}
            if time.monotonic() - started > max_seconds:
                raise RuntimeError(f"stopped: the run took more than {max_seconds:g} s")

            per_account = FLOOD_CLIENTS // len(FLOOD_ACCOUNTS)
            flooders = [
                (flood_process, (base, account))
                for account in FLOOD_ACCOUNTS
                for _ in range(per_account)
            ]
            measured, reports = run_processes(
                flooders, phase.measure, limit=load_limit, load_pids=phase.load_pids
            )
            answered: dict[str, list[tuple[float, int]]] = {a: [] for a in FLOOD_ACCOUNTS}
            for _, account, answers in reports:
                answered[account].extend(answers)
            attempts = {a: [status for _, status in sorted(v)] for a, v in answered.items()}
            results["login flood"] = measured
            results["login flood"]["clients_reporting"] = len(reports)
            results["login flood"]["accounts"] = {
                account: {
                    "attempts": len(statuses),
                    "throttled_429": statuses.count(429),
                    "first_429_at": statuses.index(429) + 1 if 429 in statuses else None,
                    "statuses": {str(k): v for k, v in sorted(Counter(statuses).items())},
                }
                for account, statuses in attempts.items()
            }
            impatient = [(impatient_flood_process, args) for _, args in flooders]
            measured, reports = run_processes(
                impatient, phase.measure, limit=load_limit, load_pids=phase.load_pids
            )
            results[IMPATIENT] = measured
            results[IMPATIENT]["attempts"] = sum(len(answers) for _, _, answers in reports)
            return results
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()
            text = (Path(tmp) / "server.log").read_text(encoding="utf-8", errors="replace")
            results["server_tracebacks"] = text.count("Traceback")
            results["server_database_locked"] = text.count("database is locked")


def report(backend: str, results: dict[str, Any]) -> None:
    base = results["no load"]
    print(
        f"\n== {backend}: organisation search (one client, sequential), {base['n']} baseline requests"
    )
    print(f"{'phase':<14}{'n':>6}{'p50 ms':>10}{'p99 ms':>10}{'p50 ×':>8}{'p99 ×':>8}"
          f"{'target p99':>12}{'met':>6}  statuses")  # fmt: skip
    for name in TARGETS:
        row = results[name]
        target = TARGETS[name]
        print(
            f"{name:<14}{row['n']:>6}{row['p50_ms']:>10.1f}{row['p99_ms']:>10.1f}"
            f"{row['p50_ms'] / base['p50_ms']:>8.1f}{row['p99_ms'] / base['p99_ms']:>8.1f}"
            f"{'< ' + format(target, 'g') + ' ms':>12}{'yes' if row['p99_ms'] < target else 'NO':>6}"
            f"  {row['statuses']}{' errors ' + str(row['errors']) if row['errors'] else ''}"
        )
    row = results[IMPATIENT]
    print(
        f"{IMPATIENT:<14}{row['n']:>6}{row['p50_ms']:>10.1f}{row['p99_ms']:>10.1f}"
        f"{row['p50_ms'] / base['p50_ms']:>8.1f}{row['p99_ms'] / base['p99_ms']:>8.1f}"
        f"{'(none)':>12}{'':>6}  {row['statuses']}  ({row['attempts']} sign-in attempts, each"
        f" given up after {IMPATIENT_TIMEOUT * 1000:g} ms)"
    )
    print("CPU seconds used while each phase was measured (2 cores: at most 2 per second):")
    for name in (*TARGETS, IMPATIENT):
        cpu, wall = results[name].get("cpu_s", {}), results[name].get("wall_s", 0.0)
        if None in cpu.values() or not cpu:
            print(f"  {name:<14}(not available: no /proc)")
            continue
        shares = "  ".join(f"{k} {v:5.1f}" for k, v in cpu.items() if k != "machine")
        print(f"  {name:<14}{wall:5.1f} s wall, machine busy {cpu['machine']:5.1f}:  {shares}")
    print(
        f"server log: {results.get('server_tracebacks', 0)} tracebacks, "
        f"{results.get('server_database_locked', 0)} 'database is locked'"
    )
    writes = results["20 writers"]["writes"]
    print(
        f"writes during phase 2 (outcome: count; 200 = saved, 409 = conflict, 429/503 = told to wait): {writes}"
    )
    print("wrong-password flood (16 clients, 4 per account; target: a 429 within 10 attempts):")
    for account, row in results["login flood"]["accounts"].items():
        first = row["first_429_at"]
        met = "yes" if first is not None and first <= 10 else "NO"
        print(
            f"  {account:<26} attempts {row['attempts']:>5}  429s {row['throttled_429']:>5}  "
            f"first 429 at attempt {first if first is not None else '—':>5}  met {met}  "
            f"{row['statuses']}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds per phase")
    parser.add_argument(
        "--max-searches", type=int, default=2000, help="searches per phase, at most"
    )
    parser.add_argument(
        "--max-seconds", type=float, default=300.0, help="bound of one back end's run"
    )
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--json-out", help=argparse.SUPPRESS)  # used by the PostgreSQL child
    args = parser.parse_args()
    if not os.environ.get("CLUSTERATLAS_DATA"):
        sys.exit("Set CLUSTERATLAS_DATA to the data mirror (the registry is seeded from it).")
    options = (args.seconds, args.max_searches, args.max_seconds)
    if args.json_out:  # inside pg_virtualenv: PGHOST, PGPORT … name the throw-away cluster
        results = bench("postgresql+psycopg://", *options)
        Path(args.json_out).write_text(json.dumps(results), encoding="utf-8")
        return
    if args.backend in ("sqlite", "both"):
        report("SQLite", bench(None, *options))
    if args.backend in ("postgres", "both"):
        if shutil.which("pg_virtualenv") is None:
            print("\n== PostgreSQL: skipped: pg_virtualenv (Debian's postgresql-common) is absent")
            return
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "pg.json"
            child = [
                "pg_virtualenv", "-t", "-o", "fsync=off", sys.executable, __file__,
                "--seconds", str(args.seconds), "--max-searches", str(args.max_searches),
                "--max-seconds", str(args.max_seconds), "--json-out", str(out),
            ]  # fmt: skip
            proc = subprocess.run(
                child, capture_output=True, text=True, timeout=args.max_seconds + 120
            )
            if proc.returncode != 0 or not out.exists():
                tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
                print(f"\n== PostgreSQL: skipped: pg_virtualenv failed ({' | '.join(tail)})")
                return
            report("PostgreSQL", json.loads(out.read_text(encoding="utf-8")))


if __name__ == "__main__":
    main()

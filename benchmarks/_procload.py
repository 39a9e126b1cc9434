"""Load clients in processes of their own, and CPU time from /proc (used by bench_abuse.py).

Each load client runs in its own interpreter (``multiprocessing``, ``spawn``), so that the
client that measures never waits for the load generators' share of a GIL.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REQUEST_TIMEOUT = 30.0


def _ticks(path: str, fields: slice) -> int | None:
    """Sum of CPU clock ticks in a /proc stat file (Linux), or None where there is none."""
    try:
        text = Path(path).read_text(encoding="ascii")
    except OSError:
        return None
    values = text.split("\n", 1)[0].rsplit(")", 1)[-1].split()
    return sum(int(v) for v in values[fields])


def cpu_seconds(pids: list[int]) -> dict[str, float | None]:
    """CPU seconds used so far: by ``pids`` (user + system) and by the whole machine (busy)."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    own = [_ticks(f"/proc/{pid}/stat", slice(11, 13)) for pid in pids]  # utime, stime
    total = _ticks("/proc/stat", slice(1, None))
    idle = _ticks("/proc/stat", slice(4, 6))  # idle, iowait
    busy = None if total is None or idle is None else (total - idle) / tick
    known = None if any(t is None for t in own) else sum(t or 0 for t in own) / tick
    return {"pids": known, "machine": busy}


class Control:
    """What the load processes share: readiness, start and stop signals, a hard deadline."""

    def __init__(self, context: Any, deadline: float) -> None:
        self.ready = context.Semaphore(0)
        self.go = context.Event()
        self.stop = context.Event()
        self.deadline = deadline  # wall-clock time (time.time()): the same in every process

    def seconds_left(self) -> float:
        return max(0.0, self.deadline - time.time())


def run_processes(
    targets: list[tuple[Callable[..., None], tuple[Any, ...]]],
    measure: Callable[[], dict[str, Any]],
    *,
    limit: float,
    load_pids: list[int],
) -> tuple[dict[str, Any], list[tuple[Any, ...]]]:
    """Start one process per load client, wait until all are connected, warm up 1 s,
    measure, then stop them; return the measurement and what the processes reported.

    Each process is a separate interpreter (``spawn``), so the measuring client in this
    process never waits for the load generators' GIL. Every process also stops by itself
    at ``limit`` seconds from now; stragglers are terminated. ``load_pids`` is filled with
    the processes' ids (the measurement reads their CPU time).
    """
    context = multiprocessing.get_context("spawn")
    control = Control(context, time.time() + limit)
    out = context.Queue()
    processes = [
        context.Process(target=target, args=(*args, control, out), daemon=True)
        for target, args in targets
    ]
    reports: list[tuple[Any, ...]] = []
    try:
        for process in processes:
            process.start()
        load_pids[:] = [process.pid for process in processes if process.pid is not None]
        started = 0
        while started < len(processes):
            if control.ready.acquire(timeout=0.5):
                started += 1
            elif control.seconds_left() == 0 or any(p.exitcode for p in processes):
                raise RuntimeError("the load processes did not start (or one exited)")
        control.go.set()
        time.sleep(1.0)
        result = measure()
        control.stop.set()
        for _ in processes:
            try:
                reports.append(out.get(timeout=REQUEST_TIMEOUT + 5))
            except queue.Empty:
                break
        return result, reports
    finally:
        control.stop.set()
        control.go.set()
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()
                process.join()

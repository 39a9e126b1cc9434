"""Benchmark Kd and M (python benchmarks/bench_points.py [--quick]).

Times Kd with simulations, a single Kd curve on many points and M, with peak memory
(tracemalloc: Python allocations; getrusage: max RSS of the process), against a plain
pdist + numpy.histogram + Gaussian-smoothing Kd where pdist fits in memory, and against
dbmss when R and dbmss are installed.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.spatial.distance import pdist
from scipy.stats import norm

from clusteratlas.measures.pointpattern import kd, kd_test, m_function

SIDE = 100_000.0
WINDOW = (0.0, 0.0, SIDE, SIDE)


def synthetic(n_focal: int, n_sites: int, seed: int = 0) -> pd.DataFrame:
    """A Thomas cluster process (focal industry) among CSR sites, in a 100 km square."""
    rng = np.random.default_rng(seed)
    parents = rng.uniform(10_000, SIDE - 10_000, (max(n_focal // 200, 5), 2))
    xy = parents[rng.integers(0, len(parents), n_focal)] + rng.normal(0, 2000, (n_focal, 2))
    xy = np.clip(xy, 0, SIDE)
    other = rng.uniform(0, SIDE, (n_sites - n_focal, 2))
    allxy = np.vstack([xy, other])
    return pd.DataFrame(
        {"x": allxy[:, 0], "y": allxy[:, 1],
         "industry": np.r_[np.full(n_focal, "F"), np.full(n_sites - n_focal, "O")],
         "weight": rng.integers(1, 50, n_sites)}
    )  # fmt: skip


def measure(label: str, fn: Callable[[], Any]) -> tuple[float, Any]:
    tracemalloc.start()
    start = time.perf_counter()
    value = fn()
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{label:<48} {elapsed:9.2f} s   peak {peak / 2**20:8.1f} MiB   max RSS {rss:7.0f} MiB")
    return elapsed, value


def baseline_kd(points: pd.DataFrame, r: np.ndarray, bandwidth: float) -> np.ndarray:
    """The straightforward Kd: all distances, a histogram (bandwidth / 20), Gaussian smoothing."""
    d = pdist(points.loc[points.industry == "F", ["x", "y"]].to_numpy())
    counts, edges = np.histogram(d, bins=np.arange(0, 2 * r[-1] + 1.0, bandwidth / 20))
    mid = (edges[:-1] + edges[1:]) / 2
    dens = (counts * (norm.pdf(r[:, None], mid, bandwidth) + norm.pdf(r[:, None], -mid, bandwidth)
                      * (mid <= 4 * bandwidth))).sum(axis=1)  # fmt: skip
    return dens / len(d)


def dbmss_time(points: pd.DataFrame, what: str) -> None:
    if (
        shutil.which("Rscript") is None
        or subprocess.run(["Rscript", "-e", "library(dbmss)"], capture_output=True).returncode
    ):
        print(f"{'dbmss ' + what:<48}   skipped (R or dbmss not installed)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "p.csv"
        points.to_csv(csv, index=False)
        call = {
            "kd": 'Kdhat(X, ReferenceType="F", Approximate=0)',
            "m": 'Mhat(X, ReferenceType="F")',
        }
        script = (
            f'library(dbmss); p <- read.csv("{csv}"); '
            f"X <- wmppp(data.frame(X=p$x, Y=p$y, PointType=p$industry, PointWeight=p$weight), "
            f"window=square({SIDE})); t <- system.time({call[what]}); cat(t[['elapsed']])"
        )
        out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True)
        print(f"{'dbmss ' + what:<48} {out.stdout.strip():>9} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, 19 simulations")
    args = parser.parse_args()
    sims = 19 if args.quick else 99
    sizes = [2_000, 10_000] if not args.quick else [2_000, 5_000]
    single = 30_000 if args.quick else 100_000
    m_sizes = (2_000, 20_000) if args.quick else (10_000, 100_000)
    kd(synthetic(100, 200), industry="F", window=WINDOW)  # compile (or load) the kernels
    for n in sizes:
        points = synthetic(n, n * 5)
        pairs = n * (n - 1) / 2
        t, result = measure(
            f"Kd, {n:,} points, 1 curve", lambda p=points: kd(p, industry="F", window=WINDOW)
        )
        print(f"{'':<48} {pairs / t / 1e9:9.2f} G pairs/s")
        base = pairs * 8 < 4e9
        if base:
            tb, ref = measure(f"baseline pdist Kd, {n:,} points",
                              lambda p=points, res=result: baseline_kd(p, res.r, res.bandwidth))  # fmt: skip
            diff = np.abs(ref - result.kd).max() / result.kd.max()
            print(f"{'':<48} ratio baseline / ours {tb / t:6.1f}x (max diff {diff:.1e})")
        else:
            print(f"baseline skipped at {n:,} points: pdist needs {pairs * 8 / 2**30:.0f} GiB")
        measure(f"Kd, {n:,} points, {sims} simulations",
                lambda p=points: kd_test(p, industry="F", window=WINDOW, simulations=sims, rng=1))  # fmt: skip
        dbmss_time(points, "kd")
    points = synthetic(single, single)
    t, _ = measure(
        f"Kd, {single:,} points, 1 curve", lambda: kd(points, industry="F", window=WINDOW)
    )
    print(f"{'':<48} {single * (single - 1) / 2 / t / 1e9:9.2f} G pairs/s")
    print(f"baseline skipped at {single:,} points: pdist needs {single**2 * 4 / 2**30:.0f} GiB")
    points = synthetic(*m_sizes)
    measure(f"M, {m_sizes[0]:,} of {m_sizes[1]:,} points",
            lambda: m_function(points, industry="F", weight="weight", window=WINDOW))  # fmt: skip
    dbmss_time(points, "m")


if __name__ == "__main__":
    main()

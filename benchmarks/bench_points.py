"""Benchmark Kd and M (python benchmarks/bench_points.py [--quick]).

Times Kd with simulations, a single Kd curve on many points and M, with peak memory
(tracemalloc: Python allocations; getrusage: max RSS of the process), against a plain
pdist + numpy.histogram + Gaussian-smoothing Kd where pdist fits in memory, and, when R and
dbmss are installed (../shared/tools/dbmss/install.sh; R_LIBS defaults to its folder), side
by side with dbmss 2.11 in the same run on issue 11's workloads: Kd exact, Kd + 99
simulations (dbmss timed at --dbmss-simulations and scaled), M, and paracou16's Kd, weighted
Kd and Ripley's K on its polygon window. Ratios are dbmss's time over the project's.
"""

from __future__ import annotations

import argparse
import os
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

from clusteratlas.measures.pointpattern import kd, kd_test, m_function, ripley_k

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


R_LIBS = os.environ.get("R_LIBS") or str(Path.home() / ".cache/clusteratlas-r")
GOLDENS = Path(__file__).resolve().parents[1] / "tests/unit/data/dbmss"


def dbmss_available() -> bool:
    """Whether Rscript runs and loads dbmss (../shared/tools/dbmss/install.sh)."""
    if shutil.which("Rscript") is None:
        return False
    probe = subprocess.run(["Rscript", "-e", "library(dbmss)"], capture_output=True,
                           env={**os.environ, "R_LIBS": R_LIBS})  # fmt: skip
    return probe.returncode == 0


def run_r(body: str, points: pd.DataFrame | None = None) -> dict[str, float]:
    """Run an R script that prints ``name seconds`` lines; return the timings.

    ``points`` (x, y, industry, weight) is read into ``X``, a wmppp in the benchmark's square.
    Only the calls are timed (inside R), not R's start-up or the reading of the CSV.
    """
    with tempfile.TemporaryDirectory() as tmp:
        head = "suppressPackageStartupMessages(library(dbmss))\n"
        head += "tm <- function(expr) { t0 <- Sys.time(); force(expr); "
        head += "as.numeric(difftime(Sys.time(), t0, units = 'secs')) }\n"
        if points is not None:
            csv = Path(tmp) / "p.csv"
            points.to_csv(csv, index=False)
            head += (
                f'p <- read.csv("{csv}", colClasses = c(industry = "character"))\n'
                "X <- wmppp(data.frame(X = p$x, Y = p$y, PointType = p$industry, "
                f"PointWeight = p$weight), window = square({SIDE}))\n"
            )
        script = Path(tmp) / "bench.R"
        script.write_text(head + body)
        out = subprocess.run(["Rscript", str(script)], capture_output=True, text=True,
                             env={**os.environ, "R_LIBS": R_LIBS})  # fmt: skip
        if out.returncode:
            raise RuntimeError(f"R failed: {out.stderr.strip()[-500:]}")
    return {
        name: float(value)
        for name, value in (line.split() for line in out.stdout.split("\n") if line.strip())
    }


def best_of(fn: Callable[[], Any], repeats: int) -> float:
    """Median wall time of ``repeats`` calls (seconds)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def side_by_side(rows: list[tuple[str, float, float, str]]) -> None:
    """Print the project's and dbmss's times and their ratio (dbmss / project)."""
    print(f"\n{'workload (all points / cases)':<52} {'project':>10} {'dbmss':>10} {'ratio':>8}")
    for label, ours, theirs, note in rows:

        def fmt(t: float) -> str:
            return f"{t * 1e3:.1f} ms" if t < 1 else f"{t:.2f} s"

        print(f"{label:<52} {fmt(ours):>10} {fmt(theirs):>10} {theirs / ours:7.1f}x {note}")


def dbmss_section(quick: bool, dbmss_sims: int) -> None:
    """The issue's workloads timed in this run, for the project and for dbmss 2.11."""
    if not dbmss_available():
        print("dbmss side-by-side skipped: R or dbmss not installed "
              "(../shared/tools/dbmss/install.sh)")  # fmt: skip
        return
    big, cases = (10_000, 2_000) if quick else (50_000, 10_000)
    m_all, m_cases = (20_000, 2_000) if quick else (100_000, 10_000)
    sims = 19 if quick else 99
    rows: list[tuple[str, float, float, str]] = []

    points = synthetic(cases, big, seed=11)
    ours = best_of(lambda: kd(points, industry="F", window=WINDOW), 3)
    ours_sims = best_of(lambda: kd_test(points, industry="F", window=WINDOW, simulations=sims,
                                        rng=1), 1)  # fmt: skip
    # n_jobs=2: two simulations at a time, each on one thread (the same numbers).
    ours_jobs = best_of(lambda: kd_test(points, industry="F", window=WINDOW, simulations=sims,
                                        rng=1, n_jobs=2), 1)  # fmt: skip
    theirs = run_r(
        'cat("kd", tm(Kdhat(X, ReferenceType = "F", Approximate = 0)), "\\n")\n'
        f'cat("env", tm(KdEnvelope(X, NumberOfSimulations = {dbmss_sims}, ReferenceType = "F", '
        'Approximate = 0, Global = TRUE, verbose = FALSE)), "\\n")\n',
        points,
    )
    # dbmss's envelope computes 1 + S curves: scaled to the project's 1 + sims.
    env = theirs["env"] * (sims + 1) / (dbmss_sims + 1)
    rows.append((f"Kd exact, {big:,} / {cases:,}", ours, theirs["kd"], ""))
    rows.append((f"Kd + {sims} simulations, {big:,} / {cases:,}", ours_sims, env,
                 f"(dbmss run with {dbmss_sims} simulations, scaled to {sims})"))  # fmt: skip
    rows.append(("  the same, n_jobs=2", ours_jobs, env, "(2 simulations at a time)"))

    points = synthetic(m_cases, m_all, seed=12)
    ours = best_of(lambda: m_function(points, industry="F", weight="weight", window=WINDOW), 3)
    theirs = run_r('cat("m", tm(Mhat(X, ReferenceType = "F")), "\\n")\n', points)
    rows.append((f"M, {m_all:,} / {m_cases:,}", ours, theirs["m"], ""))

    paracou = pd.read_csv(GOLDENS / "paracou16_points.csv", dtype={"industry": str})
    ring = pd.read_csv(GOLDENS / "paracou16_window.csv")
    from shapely.geometry import Polygon

    polygon = Polygon(list(zip(ring["x"], ring["y"], strict=True)))
    species = "V. Americana"
    reps = 50
    ours_kd = best_of(lambda: kd(paracou, industry=species, window=polygon), reps)
    ours_w = best_of(lambda: kd(paracou, industry=species, weight="weight", window=polygon), reps)
    k_r = np.linspace(0, 60, 25)
    ours_k = best_of(lambda: ripley_k(paracou, industry=species, window=polygon, r=k_r), reps)
    theirs = run_r(
        f"X <- paracou16; reps <- {reps}; sp <- 'V. Americana'\n"
        "med <- function(f) median(replicate(reps, tm(f())))\n"
        'cat("kd", med(function() Kdhat(X, ReferenceType = sp, Approximate = 0)), "\\n")\n'
        'cat("kdw", med(function() Kdhat(X, ReferenceType = sp, Weighted = TRUE, '
        'Approximate = 0)), "\\n")\n'
        "trees <- unmark(X[marks(X)$PointType == sp]); r <- seq(0, 60, length.out = 25)\n"
        'cat("k", med(function() spatstat.explore::Kest(trees, r = r, '
        'correction = "isotropic")), "\\n")\n'
    )
    rows.append(("paracou16 Kd (90 trees, polygon window)", ours_kd, theirs["kd"], ""))
    rows.append(("paracou16 weighted Kd", ours_w, theirs["kdw"], ""))
    rows.append(("paracou16 K, isotropic on the polygon (spatstat Kest)", ours_k, theirs["k"],
                 ""))  # fmt: skip
    side_by_side(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, 19 simulations")
    parser.add_argument(
        "--section",
        choices=["all", "project", "dbmss", "modes", "kernel"],
        default="all",
        help="the project alone, the side-by-side with dbmss, or both; modes: float32 and "
        "approximate Kd (bench_points_modes.py); kernel: the pair histogram's throughput "
        "against reference kernels (bench_points_kernels.py)",
    )
    parser.add_argument(
        "--dbmss-simulations",
        type=int,
        default=4,
        help="simulations of dbmss's KdEnvelope (its time is scaled to 99)",
    )
    args = parser.parse_args()
    # Compile (or load) every kernel before timing: the exact path of small industries, the
    # parallel pair histogram, and the serial one of threaded simulations (not cached).
    kd(synthetic(100, 200), industry="F", window=WINDOW)
    kd(synthetic(1_000, 2_000), industry="F", window=WINDOW)
    kd_test(synthetic(1_000, 2_000), industry="F", window=WINDOW, simulations=2, rng=1, n_jobs=2)
    m_function(synthetic(100, 200), industry="F", window=WINDOW)
    if args.section == "modes":
        from bench_points_modes import run

        run(args.quick)
        return
    if args.section == "kernel":
        from bench_points_kernels import run as run_kernels

        run_kernels(args.quick)
        return
    if args.section != "project":
        dbmss_section(args.quick, args.dbmss_simulations)
    if args.section == "dbmss":
        return
    sims = 19 if args.quick else 99
    sizes = [2_000, 10_000] if not args.quick else [2_000, 5_000]
    single = 30_000 if args.quick else 100_000
    m_sizes = (2_000, 20_000) if args.quick else (10_000, 100_000)
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
    points = synthetic(single, single)
    t, _ = measure(
        f"Kd, {single:,} points, 1 curve", lambda: kd(points, industry="F", window=WINDOW)
    )
    print(f"{'':<48} {single * (single - 1) / 2 / t / 1e9:9.2f} G pairs/s")
    print(f"baseline skipped at {single:,} points: pdist needs {single**2 * 4 / 2**30:.0f} GiB")
    points = synthetic(*m_sizes)
    measure(f"M, {m_sizes[0]:,} of {m_sizes[1]:,} points",
            lambda: m_function(points, industry="F", weight="weight", window=WINDOW))  # fmt: skip


if __name__ == "__main__":
    main()

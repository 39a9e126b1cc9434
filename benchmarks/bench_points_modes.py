"""Kd's kernel modes (``python benchmarks/bench_points.py --section modes [--quick]``).

- float32 vs float64 pair distances: the pair-histogram kernel's throughput for both, in the
  same run, and the largest difference of the Kd curves (relative to the curve's maximum).
- Approximate Kd (gridded counts, ``approx=True``) against the exact kernel on the same
  points: time of both, the measured largest difference, and the error bound the result
  states, for a few cell sizes.
- The envelope test from gridded counts (``kd_test(..., approx=True)``) against the exact
  test with the same seed: time of both, the measured largest difference over the observed
  and every simulated curve, the bound stated, and that bound against the band's width.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from clusteratlas.measures.pointpattern import kd, kd_test
from clusteratlas.measures.pointpattern._pairs import pair_histogram

SIDE = 100_000.0
X0, Y0 = 1_000_000.0, 6_800_000.0  # Lambert-93-like: float32 steps of 0.06-0.5 m


def clustered(n: int, seed: int = 0) -> pd.DataFrame:
    """A Thomas-like cluster process in a 100 km square at Lambert-93-like coordinates."""
    rng = np.random.default_rng(seed)
    parents = rng.uniform(10_000, SIDE - 10_000, (max(n // 200, 5), 2))
    xy = parents[rng.integers(0, len(parents), n)] + rng.normal(0, 2000, (n, 2))
    xy = np.clip(xy, 0, SIDE)
    return pd.DataFrame({"x": xy[:, 0] + X0, "y": xy[:, 1] + Y0, "industry": "F"})


def _best(fn: object, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def precision_section(quick: bool) -> None:
    """Pairs per second of the float64 and float32 kernels, alternated in one run."""
    n = 10_000 if quick else 30_000
    points = clustered(n, seed=1)
    x, y = points["x"].to_numpy(), points["y"].to_numpy()
    cutoff = 2 * SIDE * np.sqrt(2) / 3
    pairs = n * (n - 1) / 2
    for precision in ("float64", "float32"):  # compile (or load) both
        pair_histogram(x[:300], y[:300], None, cutoff=cutoff, nbins=1 << 16, precision=precision)
    rates = {}
    for precision in ("float64", "float32"):
        t = _best(lambda p=precision: pair_histogram(x, y, None, cutoff=cutoff, nbins=1 << 16,
                                                     precision=p), 3)  # fmt: skip
        rates[precision] = pairs / t / 1e9
        print(
            f"pair histogram {precision}, {n:,} points {t:9.2f} s {rates[precision]:7.3f} G pairs/s"
        )
    print(f"float32 / float64 throughput: {rates['float32'] / rates['float64']:.2f}x")
    window = (X0, Y0, X0 + SIDE, Y0 + SIDE)
    a = kd(points, industry="F", window=window)
    b = kd(points, industry="F", window=window, precision="float32")
    print(f"Kd float32 vs float64: largest difference {np.abs(a.kd - b.kd).max() / a.kd.max():.1e} "
          "of the curve's maximum (bound stated: 1e-6)")  # fmt: skip


def approx_section(quick: bool) -> None:
    """Approximate Kd against the exact one: time, measured error, stated bound."""
    n = 30_000 if quick else 100_000
    points = clustered(n, seed=2)
    window = (X0, Y0, X0 + SIDE, Y0 + SIDE)
    kd(clustered(500), industry="F", window=window)
    start = time.perf_counter()
    exact = kd(points, industry="F", window=window)
    t_exact = time.perf_counter() - start
    print(f"Kd exact, {n:,} points: {t_exact:.2f} s (bandwidth {exact.bandwidth:,.0f} m)")
    for cells in (512, 1024, 2048):
        cell = SIDE / cells
        start = time.perf_counter()
        approx = kd(points, industry="F", window=window, approx=True, cell=cell)
        t = time.perf_counter() - start
        error = np.abs(approx.kd - exact.kd).max() / exact.kd.max()
        bound = approx.error_bound / exact.kd.max()
        print(f"Kd approx, cell {cell:6.1f} m: {t:6.2f} s ({t_exact / t:5.1f}x faster), "
              f"error {error:.1e} of the maximum (bound stated {bound:.1e})")  # fmt: skip


def test_section(quick: bool) -> None:
    """The envelope test exact and from gridded counts, same seed, same simulations."""
    n, simulations = (10_000, 4) if quick else (50_000, 9)
    sites = pd.concat(
        [clustered(n, seed=3), clustered(n, seed=4).assign(industry="G")], ignore_index=True
    )
    window = (X0, Y0, X0 + SIDE, Y0 + SIDE)
    options = {"industry": "F", "window": window, "simulations": simulations, "rng": 5}
    start = time.perf_counter()
    exact = kd_test(sites, **options)
    t_exact = time.perf_counter() - start
    start = time.perf_counter()
    approx = kd_test(sites, approx=True, cell=SIDE / 1024, **options)
    t_approx = time.perf_counter() - start
    top = float(exact.statistic.max())
    error = max(
        float(np.abs(approx.statistic - exact.statistic).max()),
        float(np.abs(approx.simulations - exact.simulations).max()),
    )
    width = float(np.nanmedian(exact.upper - exact.lower))
    print(f"kd_test exact, {n:,} of {2 * n:,} sites, {simulations} simulations: {t_exact:.1f} s")
    print(f"kd_test approx, cell {approx.cell:.1f} m: {t_approx:.1f} s "
          f"(speed-up {t_exact / t_approx:.1f}x); largest error over all curves "
          f"{error / top:.1e} of the maximum, measured on a sample "
          f"{approx.error_measured / top:.1e}, bound stated {approx.error_bound / top:.1e}; "
          f"sample estimate / median band width {approx.error_measured / width:.3f}, bound / "
          f"band width {approx.error_bound / width:.2f}; p-values "
          f"{exact.pvalue:.3g} / {approx.pvalue:.3g}")  # fmt: skip


def run(quick: bool) -> None:
    precision_section(quick)
    approx_section(quick)
    test_section(quick)


if __name__ == "__main__":
    run(quick=False)

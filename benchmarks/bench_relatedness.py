"""Benchmark: co-location relatedness of 1,000 industries across 900 regions.

Synthetic, seeded employment (log-normal, 30 % of cells empty, 1 % missing). Compares, in
the same process and on the same data, :func:`clusteratlas.measures.relatedness.colocation`
with a plain-pandas version (pivot, shares, ``DataFrame.corr()``, stack), checks that they
agree, and prints the median times and their ratio. The kernel alone (the correlation of
the region × industry matrix: numpy vs ``DataFrame.corr()``) is timed too.

Run: ``python benchmarks/bench_relatedness.py [--repeats N] [--regions R] [--industries I]``.
Sections are functions called one after the other by ``main()``; a later section (the
clustering search, ``bench_clustering``) is appended there.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from clusteratlas.measures.relatedness import _correlation, as_matrix, colocation


def synthetic(n_regions: int, n_industries: int, seed: int = 20240101) -> pd.DataFrame:
    """A tidy (region, industry, employment) table, seeded."""
    rng = np.random.default_rng(seed)
    values = rng.lognormal(3.0, 1.5, (n_regions, n_industries))
    values *= rng.random((n_regions, n_industries)) < 0.7
    values[rng.random((n_regions, n_industries)) < 0.01] = np.nan
    return pd.DataFrame(
        {
            "region": np.repeat([f"R{i:04d}" for i in range(n_regions)], n_industries),
            "industry": np.tile([f"I{j:04d}" for j in range(n_industries)], n_regions),
            "employment": values.ravel(),
        }
    )


def plain_pandas(data: pd.DataFrame) -> pd.DataFrame:
    """The same measure as an analyst would write it in pandas."""
    wide = data.pivot(index="region", columns="industry", values="employment")
    corr = (wide / wide.sum()).corr()
    corr.index.name, corr.columns.name = "industry_a", "industry_b"
    long = corr.stack().rename("relatedness").reset_index()
    long = long[long["industry_a"] != long["industry_b"]]
    long["percentile"] = long["relatedness"].rank(pct=True) * 100
    return long


def timed(function: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    times = []
    result: Any = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def bench_colocation(data: pd.DataFrame, repeats: int) -> dict[str, float]:
    """Section 1: co-location relatedness, whole measure and kernel, against pandas."""
    ours_s, ours = timed(lambda: colocation(data), repeats)
    pandas_s, reference = timed(lambda: plain_pandas(data), repeats)
    got = as_matrix(ours)
    want = as_matrix(reference).reindex(index=got.index, columns=got.columns)
    gap = float(np.nanmax(np.abs(got.to_numpy() - want.to_numpy())))
    assert gap < 1e-9, f"colocation and pandas disagree by {gap}"

    wide = data.pivot(index="region", columns="industry", values="employment")
    shares = wide / wide.sum()
    matrix = shares.to_numpy()
    kernel_s, _ = timed(lambda: _correlation(matrix), repeats)
    kernel_pandas_s, _ = timed(lambda: shares.corr(), max(1, repeats // 2))
    n_regions, n_industries = wide.shape
    print(f"co-location, {n_industries} industries x {n_regions} regions (pairwise NaN)")
    print(f"  colocation()            {ours_s:8.3f} s")
    print(f"  plain pandas            {pandas_s:8.3f} s   ratio {pandas_s / ours_s:6.1f}x")
    print(f"  kernel numpy            {kernel_s:8.3f} s")
    print(
        f"  kernel DataFrame.corr() {kernel_pandas_s:8.3f} s   ratio {kernel_pandas_s / kernel_s:6.1f}x"
    )
    print(f"  max |difference|        {gap:.2e}")
    return {
        "colocation_s": ours_s,
        "pandas_s": pandas_s,
        "ratio": pandas_s / ours_s,
        "kernel_ratio": kernel_pandas_s / kernel_s,
    }


def planted_similarity(n: int = 680, k: int = 51, seed: int = 7) -> pd.DataFrame:
    """A symmetric similarity with ``k`` planted blocks plus noise (about the US size)."""
    rng = np.random.default_rng(seed)
    groups = rng.integers(k, size=n)
    values = rng.normal(0.0, 1.0, (n, n)) + 1.5 * (groups[:, None] == groups[None, :])
    values = (values + values.T) / 2
    codes = [f"I{i:04d}" for i in range(n)]
    return pd.DataFrame(values, index=codes, columns=codes)


def naive_scores(similarity: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """VS-industry and VS-cluster with Python loops, as one would first write them."""
    n = len(labels)
    clusters = sorted(set(labels.tolist()))
    passed = 0
    for i in range(n):
        averages = {}
        for c in clusters:
            members = [j for j in range(n) if labels[j] == c and j != i]
            averages[c] = sum(similarity[i, j] for j in members) / len(members) if members else None
        own = averages[labels[i]]
        others = [v for c, v in averages.items() if c != labels[i] and v is not None]
        passed += own is not None and all(own > v for v in others)
    block: dict[tuple[int, int], list[float]] = {}
    for i in range(n):
        for j in range(n):
            if i != j:
                block.setdefault((labels[i], labels[j]), []).append(similarity[i, j])
    ok = 0
    for c in clusters:
        within = block.get((c, c))
        if within is None:
            continue
        w = sum(within) / len(within)
        ok += all(w > sum(v) / len(v) for (a, b), v in block.items() if a == c and b != c)
    return passed / n, ok / len(clusters)


def bench_clustering(repeats: int) -> dict[str, float]:
    """Section 2: candidate search (hierarchical, k = 40..70) and DPS validation scores.

    Ours: :func:`candidate_clusterings` + vectorised :func:`score_candidates`. Baseline:
    the same scipy average-linkage candidates scored by :func:`naive_scores` (one loop per
    industry and pair). Scores must agree exactly.
    """
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    from clusteratlas.connect.clustering import (
        candidate_clusterings,
        score_candidates,
        similarity_to_distance,
    )

    similarity = planted_similarity()
    grid = range(40, 71, 10)

    def ours() -> pd.DataFrame:
        candidates = candidate_clusterings(similarity, n_clusters=grid, methods=["average"])
        return score_candidates(candidates, {"m": similarity}, similarity.index)

    values = similarity.to_numpy()

    def baseline() -> list[tuple[float, float]]:
        tree = linkage(squareform(similarity_to_distance(similarity), checks=False), "average")
        return [naive_scores(values, fcluster(tree, t=k, criterion="maxclust")) for k in grid]

    ours_s, got = timed(ours, repeats)
    base_s, want = timed(baseline, 1)
    pairs = list(zip(got["vs_industry_m"], got["vs_cluster_m"], strict=True))
    assert np.allclose(pairs, want), f"scores disagree: {pairs} vs {want}"
    n = len(similarity)
    print(f"clustering search, {n} industries, average linkage k = {list(grid)}")
    print(f"  candidates + vectorised VS {ours_s:8.3f} s")
    print(f"  scipy + Python-loop VS     {base_s:8.3f} s   ratio {base_s / ours_s:6.1f}x")
    return {"ours_s": ours_s, "baseline_s": base_s, "ratio": base_s / ours_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--regions", type=int, default=900)
    parser.add_argument("--industries", type=int, default=1000)
    args = parser.parse_args()

    data = synthetic(args.regions, args.industries)
    results: dict[str, dict[str, float]] = {}
    results["colocation"] = bench_colocation(data, args.repeats)
    results["clustering"] = bench_clustering(args.repeats)
    # Further sections (e.g. bench_clustering on the same relatedness) are appended here.


if __name__ == "__main__":
    main()

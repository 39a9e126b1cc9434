"""Benchmark: the whole US mapping pipeline against a plain-pandas version of it.

CBP 2019, ~200k CBSA × 6-digit NAICS rows → 51 traded clusters → location quotients on
traded employment → US Cluster Mapping Project flags. Both versions run in the same
process on the same parsed frame; the benchmark checks they agree, then prints rows/s and
the ratio of their times (median of several repeats).

Run: ``make bench`` or ``python benchmarks/bench_mapping.py [--repeats N]``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from clusteratlas.data.catalog import resolve
from clusteratlas.data.cbp import read_cbp
from clusteratlas.data.definitions import us_benchmark_definitions
from clusteratlas.mapping.pipeline import build_map
from clusteratlas.mapping.rulesets import load_ruleset


def plain_pandas(observations: pd.DataFrame, definitions: pd.DataFrame) -> pd.DataFrame:
    """The same pipeline written directly in pandas, as an analyst would."""
    members = definitions[["industry", "category"]]
    joined = observations.merge(members, on="industry")
    clusters = joined.groupby(["region", "category"], as_index=False).agg(
        employment=("employment", lambda s: s.sum(min_count=1)),
        establishments=("establishments", lambda s: s.sum(min_count=1)),
    )
    traded = observations[observations["industry"].isin(members["industry"])]
    totals = traded.groupby("region")["employment"].sum().rename("total")
    clusters = clusters.join(totals, on="region")
    national = clusters.groupby("category")["employment"].sum().rename("national")
    clusters = clusters.join(national, on="category")
    clusters["lq"] = (clusters["employment"] / clusters["total"]) / (
        clusters["national"] / totals.sum()
    )
    positive = clusters[clusters["employment"] > 0]
    q = positive.groupby("category").agg(
        lq75=("lq", lambda s: s.quantile(0.75)),
        emp25=("employment", lambda s: s.quantile(0.25)),
        est25=("establishments", lambda s: s.quantile(0.25)),
    )
    clusters = clusters.join(q, on="category")
    clusters["strong"] = (
        (clusters["lq"] >= clusters["lq75"])
        & (clusters["lq"] >= 1)
        & (clusters["employment"] > clusters["emp25"])
        & (clusters["establishments"] > clusters["est25"])
    )
    return clusters


def timed(function: Callable[[], pd.DataFrame], repeats: int) -> tuple[float, pd.DataFrame]:
    times = []
    result = pd.DataFrame()
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    start = time.perf_counter()
    observations = read_cbp(resolve("cbp2019_cbsa"), naics_levels=(6,))
    parse_seconds = time.perf_counter() - start
    definitions = us_benchmark_definitions(kind="traded")
    ruleset = load_ruleset("uscmp")
    rows = len(observations)

    ours_s, ours = timed(
        lambda: build_map(
            observations,
            definitions,
            year=2019,
            ruleset=ruleset,
            totals_by_type=True,
            absent_is_zero=True,
        ),
        args.repeats,
    )
    base_s, base = timed(lambda: plain_pandas(observations, definitions), args.repeats)

    # Ours also lists the (CBSA, cluster) cells without any establishment (employment 0, never
    # strong); the baseline only the cells present in the file. Compare on the baseline's cells.
    merged = ours.merge(base, on=["region", "category"], suffixes=("", "_base"))
    assert len(merged) == len(base), "the baseline has cells the pipeline lacks"
    assert not ours.loc[ours["n_industries"] == 0, "strong"].any()
    assert np.allclose(merged["lq"], merged["lq_base"], rtol=1e-12, equal_nan=True)
    assert (merged["strong"] == merged["strong_base"]).all(), "strong flags differ"

    print(f"CBP 2019 6-digit rows: {rows:,} (parsed once in {parse_seconds:.2f} s)")
    print(f"region × cluster cells: {len(ours):,}; strong clusters: {int(ours['strong'].sum()):,}")
    print(
        f"clusteratlas build_map : {ours_s:8.3f} s  {rows / ours_s:12,.0f} rows/s (full map: LQ, shares, flags x4)"
    )
    print(
        f"plain pandas baseline  : {base_s:8.3f} s  {rows / base_s:12,.0f} rows/s (LQ + strong flag only)"
    )
    print(f"ratio baseline / ours  : {base_s / ours_s:8.2f}x")


if __name__ == "__main__":
    main()

"""Ripley's K on Bas-Rhin's outline with and without the edge index (``python
benchmarks/bench_polygon_edges.py [--points N]``).

The isotropic correction on a polygon visits the segments that may cross each pair's
circle. Before the index it visited all of them (O(edges) per pair); this benchmark times,
in the same run, K of N uniform points in département 67 (packaged boundaries, Lambert-93)
with every segment visited (``indexed=False``, the former cost), with the index, and on the
bounding box, and checks that both polygon results are equal.
"""

from __future__ import annotations

import argparse
import time

import geopandas as gpd
import numpy as np

from clusteratlas.data.catalog import resolve
from clusteratlas.measures.pointpattern import as_window
from clusteratlas.measures.pointpattern.ripley import ripley_counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=5_000)
    args = parser.parse_args()
    deps = gpd.read_file(resolve("fr_departements"))
    outline = deps[deps["code"] == "67"].geometry.to_crs("EPSG:2154").union_all()
    none = np.zeros(0)
    window = as_window(outline, none, none)
    xy = window.sample(args.points, rng=67)
    x, y = xy[:, 0], xy[:, 1]
    edges = sum(len(ring.coords) - 1 for ring in [outline.exterior, *outline.interiors])
    r = np.linspace(0, 20_000, 41)
    ripley_counts(x[:50], y[:50], r, window, corrected=True)  # compile (or load)
    print(f"K of {args.points:,} points in Bas-Rhin ({edges} edges), 41 distances to 20 km")
    times = {}
    results = {}
    for label, win, indexed in (("every edge (before)", window, False),
                                ("edge index (after)", window, True),
                                ("bounding box", as_window(tuple(window.bounds), none, none), True)):  # fmt: skip
        start = time.perf_counter()
        results[label] = ripley_counts(x, y, r, win, corrected=True, indexed=indexed)
        times[label] = time.perf_counter() - start
        print(f"{label:<22} {times[label]:8.2f} s")
    before, after = results["every edge (before)"], results["edge index (after)"]
    print(f"before / after: {times['every edge (before)'] / times['edge index (after)']:.1f}x; "
          f"results equal: {bool(np.array_equal(before, after))}")  # fmt: skip


if __name__ == "__main__":
    main()

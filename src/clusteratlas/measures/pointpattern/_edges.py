"""An index of a polygon window's edges for Ripley's isotropic correction.

The exact correction of a pair whose circle crosses the boundary cuts the circle at its
crossings with the polygon's segments, then tests each arc's midpoint for insideness. Both
used to visit every segment: O(edges) per pair (K of 5,000 points in Bas-Rhin's outline took
9 s against 1 s for its bounding box). The index keeps, for each point, the segments within
the largest distance of it (only they can cross a circle around it; found with shapely's
STRtree), and, for the point-in-polygon test, horizontal bands of the segments (a segment
outside the band of the tested point cannot change the even-odd count). Both visit a subset
that holds every segment that matters, in the same order, so the weights are the same
floating-point numbers as without the index.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from clusteratlas._validation import optional_import

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
#: Most horizontal bands of the point-in-polygon index.
MAX_BANDS = 4096


class EdgeIndex(NamedTuple):
    """Segments near each point (CSR) and segments by horizontal band (CSR)."""

    near_ptr: IntArray
    near_edges: IntArray
    near_reach: FloatArray  # nearest and farthest distance of each near segment, widened
    band_ptr: IntArray
    band_edges: IntArray
    band_geometry: FloatArray  # ymin, band height


def _csr(
    owner: IntArray, item: IntArray, size: int, key: FloatArray | None = None
) -> tuple[IntArray, IntArray, IntArray]:
    """Rows of ``item`` by ``owner`` (sorted by ``key``, else by item); pointers, items, order."""
    order = np.lexsort((item, owner) if key is None else (item, key, owner))
    ptr = np.zeros(size + 1, dtype=np.int64)
    np.cumsum(np.bincount(owner, minlength=size), out=ptr[1:])
    return ptr, np.ascontiguousarray(item[order], dtype=np.int64), order


def edge_index(
    edges: FloatArray, xs: FloatArray, ys: FloatArray, reach: float, *, indexed: bool = True
) -> EdgeIndex:
    """Index ``edges`` (rows x0, y0, x1, y1) for points (``xs``, ``ys``) and distances <= ``reach``.

    A segment is kept for a point when it lies within ``reach`` (widened by a relative 1e-9
    and 1e-9 m, so rounding cannot drop a segment the crossing search would find). With
    ``indexed=False`` every point and every band get every segment (the cost without an
    index, for benchmarks and tests). A point's segments are sorted by their distance to
    it, so a circle of radius d visits only the first ones (nearest distance <= d) and
    skips those entirely inside it (farthest distance < d).
    """
    n, ne = len(xs), len(edges)
    if not indexed and ne:
        every = np.arange(ne, dtype=np.int64)
        reach_all = np.tile([[0.0, np.inf]], (n * ne, 1))
        return EdgeIndex(np.arange(n + 1, dtype=np.int64) * ne, np.tile(every, n), reach_all,
                         np.array([0, ne], dtype=np.int64), every, np.array([-1e300, np.inf]))  # fmt: skip
    if ne == 0:
        empty = np.zeros(0, dtype=np.int64)
        return EdgeIndex(np.zeros(n + 1, dtype=np.int64), empty, np.zeros((0, 2)),
                         np.zeros(2, dtype=np.int64), empty, np.array([0.0, 1.0]))  # fmt: skip
    shapely = optional_import("shapely", extra="geo")
    segments = shapely.linestrings(
        np.stack([edges[:, [0, 1]], edges[:, [2, 3]]], axis=1)  # (ne, 2 points, xy)
    )
    tree = shapely.STRtree(segments)
    points = shapely.points(xs, ys)
    found = tree.query(points, predicate="dwithin", distance=reach * (1 + 1e-9) + 1e-9)
    owner, item = found[0].astype(np.int64), found[1].astype(np.int64)
    nearest = np.asarray(shapely.distance(points[owner], segments[item]), dtype=np.float64)
    ends = np.maximum(np.hypot(edges[item, 0] - xs[owner], edges[item, 1] - ys[owner]),
                      np.hypot(edges[item, 2] - xs[owner], edges[item, 3] - ys[owner]))  # fmt: skip
    near_ptr, near_edges, order = _csr(owner, item, n, key=nearest)
    # Widened by a relative 1e-9 and 1e-9 m: rounding never drops a segment that crosses.
    lo = nearest[order] * (1 - 1e-9) - 1e-9
    reach_k = np.column_stack([lo, ends[order] * (1 + 1e-9) + 1e-9])
    low = np.minimum(edges[:, 1], edges[:, 3])
    high = np.maximum(edges[:, 1], edges[:, 3])
    ymin = float(low.min())
    bands = int(min(MAX_BANDS, ne))
    height = (float(high.max()) - ymin) / bands or 1.0
    # The same formula as the point-in-polygon test, so a segment spanning y is in y's band.
    first = np.minimum(((low - ymin) / height).astype(np.int64), bands - 1)
    last = np.minimum(((high - ymin) / height).astype(np.int64), bands - 1)
    span = last - first + 1
    owner = np.repeat(np.arange(ne, dtype=np.int64), span)
    band = first[owner] + (np.arange(len(owner)) - np.repeat(np.cumsum(span) - span, span))
    band_ptr, band_edges, _ = _csr(band, owner, bands)
    return EdgeIndex(near_ptr, near_edges, np.ascontiguousarray(reach_k), band_ptr, band_edges,
                     np.array([ymin, height]))  # fmt: skip

"""Ripley's K and Besag's L in a rectangle or a polygon, with Ripley's isotropic edge correction."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from clusteratlas._validation import check_in
from clusteratlas.measures.pointpattern._edges import EdgeIndex, IntArray, edge_index
from clusteratlas.measures.pointpattern._pairs import (
    _BLOCK_PAIRS,
    CHUNKS,
    FloatArray,
    _use_numba,
    as_distances,
    njit_kernels,
    prepare_points,
)
from clusteratlas.measures.pointpattern.windows import Window, as_window

CORRECTIONS = ("ripley", "none")


@dataclass(frozen=True, eq=False)
class RipleyResult:
    """Ripley's K and L = sqrt(K / pi) of an industry at the distances ``r`` (metres).

    Attributes
    ----------
    r, k, l : ndarray
        Distances, K(r) (square metres) and L(r) (metres).
    n_points : int
        Firms of the industry.
    area : float
        Area of the window (square metres).
    correction : str
        Edge correction: ``"ripley"`` or ``"none"``.
    industry : str
        The industry.
    """

    r: FloatArray
    k: FloatArray
    l: FloatArray  # noqa: E741
    n_points: int
    area: float
    correction: str
    industry: str

    def to_frame(self) -> pd.DataFrame:
        """Return a tidy frame with columns ``r``, ``k`` and ``l``."""
        return pd.DataFrame({"r": self.r, "k": self.k, "l": self.l})

    def plot(
        self, path: str | Path | None = None, *, title: str | None = None, ax: Any = None
    ) -> Any:
        """Plot L(r) - r against distance (0 under CSR): a PNG at ``path``, else on axes.

        Without ``path``, draws on ``ax`` (or a new pyplot figure) and returns the axes.
        """
        from clusteratlas.measures.pointpattern.plot import plot_curves

        return plot_curves(
            path, self.r, {"L(r) - r": self.l - self.r}, ylabel="L(r) - r (m)", reference=0.0,
            title=title or f"Besag's L of industry {self.industry}",
            ax=ax,
        )  # fmt: skip


def ripley_k(
    points: pd.DataFrame,
    *,
    industry: Any,
    x: str = "x",
    y: str = "y",
    industry_column: str = "industry",
    window: Any = None,
    r: Any = None,
    correction: str = "ripley",
) -> RipleyResult:
    r"""Ripley's K (and L) of an industry's firms in a rectangular or polygonal window.

    Parameters
    ----------
    points : DataFrame
        One row per establishment, projected coordinates in metres.
    industry : str
        The industry whose firms are measured.
    x, y, industry_column : str
        Column labels of the coordinates and of the industry code.
    window : (xmin, ymin, xmax, ymax), shapely Polygon/MultiPolygon or GeoSeries, optional
        The window, in the points' projected CRS (default: the bounding box of all points);
        a GeoSeries or GeoDataFrame gives the union of its geometries. See
        :mod:`clusteratlas.measures.pointpattern.windows`.
    r : array-like, optional
        Increasing distances; default 513 values up to :func:`k_rmax` (spatstat's rule: a
        quarter of the shorter side of the window's bounding box, capped for dense patterns).
    correction : {"ripley", "none"}
        Ripley's isotropic edge correction, or none.

    Returns
    -------
    RipleyResult

    Notes
    -----
    With :math:`n` firms in a window of area :math:`|W|`,

    .. math::

        \hat K(r) = \frac{|W|}{n(n-1)} \sum_{i \ne j} e_{ij} \mathbf 1_{d_{ij} \le r},
        \qquad \hat L(r) = \sqrt{\hat K(r)/\pi},

    where :math:`e_{ij}` is the inverse of the fraction of the circle centred on :math:`i`
    through :math:`j` that lies in the window (capped at 100, as spatstat's ``edge.Ripley``),
    and :math:`|W|` the area of the rectangle or polygon. On a polygon the share is exact: the
    circle is cut where it crosses the rings' segments (holes included) and each arc counts
    when its midpoint is inside, as spatstat's ``Kest(correction = "isotropic")`` (agreement
    to 1e-12 is tested). Under complete spatial randomness :math:`K(r) = \pi r^2`.

    References
    ----------
    Ripley, B. D. (1977). Modelling spatial patterns. *Journal of the Royal Statistical
    Society B* 39(2): 172-212.

    Examples
    --------
    >>> import pandas as pd
    >>> pts = pd.DataFrame({"x": [500.0, 510.0], "y": [500.0, 500.0], "industry": "A"})
    >>> ripley_k(pts, industry="A", window=(0, 0, 1000, 1000), r=[5.0, 20.0]).k.tolist()
    [0.0, 1000000.0]
    """
    check_in(correction, CORRECTIONS, name="correction")
    pts = prepare_points(
        points, industry=industry, x=x, y=y, industry_column=industry_column,
        weight=None, window=window, what="ripley_k",
    )  # fmt: skip
    area = pts.window.area
    xs, ys = pts.x[pts.is_type], pts.y[pts.is_type]
    n = len(xs)
    grid = as_distances(r) if r is not None else np.linspace(0, k_rmax(pts.window, n), 513)
    counts = ripley_counts(xs, ys, grid, pts.window, corrected=correction == "ripley")
    k = np.cumsum(counts) * area / (n * (n - 1.0))
    return RipleyResult(grid, k, np.sqrt(k / np.pi), n, area, correction, pts.industry)


def k_rmax(window: Window, n: int) -> float:
    r"""Return spatstat's default largest distance for K (``rmax.rule("K", W, lambda)``).

    :math:`\min\big(s/4, \sqrt{1000 / (\pi \lambda)}\big)` with :math:`s` the shorter side of
    the window's bounding box and :math:`\lambda = n / |W|`: beyond the cap, a point has
    about 1,000 neighbours on average and the estimate costs without adding information.

    Examples
    --------
    >>> from clusteratlas.measures.pointpattern.windows import Window
    >>> round(k_rmax(Window((0, 0, 1000, 1000)), 20_000), 6)  # spatstat: 126.156626
    126.156626
    >>> k_rmax(Window((0, 0, 1000, 400)), 100)
    100.0
    """
    xmin, ymin, xmax, ymax = window.bounds
    ripley = min(xmax - xmin, ymax - ymin) / 4.0
    intensity = n / window.area
    return float(min(ripley, np.sqrt(1000.0 / (np.pi * intensity)))) if intensity > 0 else ripley


def l_function(
    points: pd.DataFrame,
    *,
    industry: Any,
    x: str = "x",
    y: str = "y",
    industry_column: str = "industry",
    window: Any = None,
    r: Any = None,
    correction: str = "ripley",
) -> RipleyResult:
    """Besag's L = sqrt(K / pi): :func:`ripley_k` (the result carries both K and L)."""
    return ripley_k(
        points, industry=industry, x=x, y=y, industry_column=industry_column,
        window=window, r=r, correction=correction,
    )  # fmt: skip


_prange = range  # numba.prange once compiled


@functools.cache
def _compiled() -> dict[str, Callable[..., Any]]:
    global _ripley_w, _polygon_w, _inside_w, _pair_w
    import numba

    _inside_w = numba.njit(cache=True, nogil=True)(_inside_edges)
    _ripley_w = numba.njit(cache=True, nogil=True)(_ripley_weight)
    _polygon_w = numba.njit(cache=True, nogil=True)(_polygon_weight)
    _pair_w = numba.njit(cache=True, nogil=True)(_pair_weight)
    return njit_kernels(globals(), {"ripley": _ripley_impl}, parallel=True)


def _ripley_weight(x: float, y: float, d: float, window: FloatArray) -> float:
    """Ripley's isotropic edge weight of a circle of radius ``d`` centred on (x, y)."""
    d_left = x - window[0]
    d_right = window[2] - x
    d_down = y - window[1]
    d_up = window[3] - y
    a_left = np.arccos(d_left / d) if d_left < d else 0.0
    a_right = np.arccos(d_right / d) if d_right < d else 0.0
    a_down = np.arccos(d_down / d) if d_down < d else 0.0
    a_up = np.arccos(d_up / d) if d_up < d else 0.0
    outside = (
        min(a_left, np.arctan2(d_up, d_left))
        + min(a_left, np.arctan2(d_down, d_left))
        + min(a_right, np.arctan2(d_up, d_right))
        + min(a_right, np.arctan2(d_down, d_right))
        + min(a_up, np.arctan2(d_left, d_up))
        + min(a_up, np.arctan2(d_right, d_up))
        + min(a_down, np.arctan2(d_left, d_down))
        + min(a_down, np.arctan2(d_right, d_down))
    ) / (2.0 * np.pi)
    return min(1.0 / (1.0 - outside), 100.0) if outside < 1.0 else 100.0


def _inside_edges(px: float, py: float, edges: FloatArray, index: EdgeIndex) -> bool:
    """Even-odd rule over every ring's segments (holes and multipolygons included).

    Only the segments of the horizontal band holding ``py`` are tested: a segment outside
    it cannot satisfy ``(y0 > py) != (y1 > py)``, so the parity is that of all segments.
    """
    ymin, height, nbands = index.band_geometry[0], index.band_geometry[1], index.band_ptr.size - 1
    band = int((py - ymin) / height) if py >= ymin else -1
    if band < 0 or band >= nbands:
        return False
    inside = False
    for k in range(index.band_ptr[band], index.band_ptr[band + 1]):
        e = index.band_edges[k]
        x0, y0, x1, y1 = edges[e, 0], edges[e, 1], edges[e, 2], edges[e, 3]
        if (y0 > py) != (y1 > py) and px < x0 + (py - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def _polygon_weight(
    x: float,
    y: float,
    d: float,
    edges: FloatArray,
    near: IntArray,
    reach: FloatArray,
    index: EdgeIndex,
) -> float:
    """Ripley's isotropic edge weight on a polygon: 1 / the share of the circle inside it.

    The circle of radius ``d`` centred on (x, y) is cut at its crossings with every segment
    of the polygon's rings; each arc between consecutive crossings is inside or outside as
    its midpoint is. Exact up to rounding (spatstat's ``ripleypoly`` does the same sum).
    Only the segments ``near`` (within the largest distance of the centre, nearest first,
    from :func:`edge_index`) can cross the circle: the loop stops at the first segment
    farther than ``d`` and skips those inside the circle (``reach``: nearest and farthest
    distances); the crossings are sorted, so their order of discovery does not matter.
    """
    ne = near.shape[0]
    angles = np.empty(2 * ne)
    m = 0
    for k in range(ne):
        if reach[k, 0] > d:
            break
        if reach[k, 1] < d:
            continue
        e = near[k]
        ax = edges[e, 0] - x
        ay = edges[e, 1] - y
        bx = edges[e, 2] - edges[e, 0]
        by = edges[e, 3] - edges[e, 1]
        a = bx * bx + by * by
        b = 2.0 * (ax * bx + ay * by)
        c = ax * ax + ay * ay - d * d
        disc = b * b - 4.0 * a * c
        if a == 0.0 or disc < 0.0:
            continue
        root = np.sqrt(disc)
        for t in ((-b - root) / (2.0 * a), (-b + root) / (2.0 * a)):
            if 0.0 <= t <= 1.0:
                angles[m] = np.arctan2(ay + t * by, ax + t * bx)
                m += 1
    if m == 0:
        return 1.0 if _inside_w(x + d, y, edges, index) else 100.0
    found = np.sort(angles[:m])
    inside = 0.0
    for k in range(m):
        a0 = found[k]
        a1 = found[k + 1] if k + 1 < m else found[0] + 2.0 * np.pi
        if a1 - a0 <= 0.0:
            continue
        mid = 0.5 * (a0 + a1)
        if _inside_w(x + d * np.cos(mid), y + d * np.sin(mid), edges, index):
            inside += a1 - a0
    share = inside / (2.0 * np.pi)
    return min(1.0 / share, 100.0) if share > 0.0 else 100.0


def _pair_weight(
    xi: float,
    yi: float,
    d: float,
    free: float,
    window: FloatArray,
    edges: FloatArray,
    near: IntArray,
    reach: FloatArray,
    index: EdgeIndex,
) -> float:
    """Edge weight of a pair at distance ``d`` from a point ``free`` metres from the boundary."""
    if d <= free or d <= 0.0:
        return 1.0
    if edges.shape[0] == 0:
        return _ripley_w(xi, yi, d, window)
    return _polygon_w(xi, yi, d, edges, near, reach, index)


def _ripley_impl(
    xs: FloatArray,
    ys: FloatArray,
    r: FloatArray,
    window: FloatArray,
    edges: FloatArray,
    free: FloatArray,
    corrected: bool,
    index: EdgeIndex,
) -> FloatArray:
    n = xs.shape[0]
    nr = r.shape[0]
    rmax = r[nr - 1]
    out = np.zeros((CHUNKS, nr))
    for c in _prange(CHUNKS):
        for i in range(c, n, CHUNKS):
            xi = xs[i]
            yi = ys[i]
            start = np.searchsorted(xs, xi - rmax)
            for j in range(start, n):
                dx = xs[j] - xi
                if dx > rmax:
                    break
                if j == i:
                    continue
                dy = ys[j] - yi
                d = np.sqrt(dx * dx + dy * dy)
                if d <= rmax:
                    k = np.searchsorted(r, d)
                    if corrected:
                        lo, hi = index.near_ptr[i], index.near_ptr[i + 1]
                        out[c, k] += _pair_w(xi, yi, d, free[i], window, edges,
                                             index.near_edges[lo:hi], index.near_reach[lo:hi],
                                             index)  # fmt: skip
                    else:
                        out[c, k] += 1.0
    return out


def ripley_counts(
    x: FloatArray,
    y: FloatArray,
    r: FloatArray,
    window: Any,
    *,
    corrected: bool,
    backend: str = "auto",
    indexed: bool = True,
) -> FloatArray:
    """Edge-weighted counts of ordered pairs ``i != j`` by distance class ``(r[k-1], r[k]]``.

    The weight of a pair is Ripley's isotropic correction of ``window`` (a rectangle: in
    closed form; a polygon: :func:`_polygon_weight`), 1 for a point farther from the
    boundary than the pair's distance. ``window``: a :class:`Window` or anything
    :func:`~clusteratlas.measures.pointpattern.windows.as_window` takes. A polygon's
    segments are indexed (``pointpattern._edges``: only those
    near a point are visited, same weights); ``indexed=False`` visits them all.
    """
    window = as_window(window, x, y)
    order = np.argsort(x, kind="stable")
    xs = np.ascontiguousarray(x[order], dtype=np.float64)
    ys = np.ascontiguousarray(y[order], dtype=np.float64)
    rr = np.ascontiguousarray(r, dtype=np.float64)
    win = np.ascontiguousarray(window.bounds, dtype=np.float64)
    edges = np.empty((0, 4))
    if not window.is_rectangle:
        edges = np.ascontiguousarray(np.column_stack(window.edges()), dtype=np.float64)
    free = np.ascontiguousarray(window.boundary_distance(xs, ys), dtype=np.float64)
    index = edge_index(edges, xs, ys, float(rr[-1]) if corrected else 0.0, indexed=indexed)
    if _use_numba(backend):
        out: FloatArray = _compiled()["ripley"](xs, ys, rr, win, edges, free, corrected, index)
        return out.sum(axis=0)
    total = np.zeros(len(rr))
    every = np.arange(len(edges), dtype=np.int64)  # the numpy fallback visits every segment
    reach_all = np.tile([[0.0, np.inf]], (len(edges), 1))

    def weight(xi: Any, yi: Any, d: Any, fr: Any) -> FloatArray:
        one = np.vectorize(
            lambda a, b, c, f: _pair_weight(a, b, c, f, win, edges, every, reach_all, index),
            otypes=[np.float64],
        )
        return np.asarray(one(xi, yi, d, fr), dtype=np.float64)

    block = max(1, _BLOCK_PAIRS // max(len(xs), 1))
    for i0 in range(0, len(xs), block):
        sl = slice(i0, i0 + block)
        d = np.hypot(xs[None, :] - xs[sl, None], ys[None, :] - ys[sl, None])
        rows = np.arange(len(xs))[sl, None]
        keep = (d <= rr[-1]) & (rows != np.arange(len(xs))[None, :])
        i_idx, _ = np.nonzero(keep)
        dk = d[keep]
        e = np.ones(len(dk))
        if corrected and len(dk):
            e = weight(xs[sl][i_idx], ys[sl][i_idx], dk, free[sl][i_idx])
        total += np.bincount(np.searchsorted(rr, dk), e, len(rr))
    return total


# The numba versions once compiled.
_ripley_w = _ripley_weight
_polygon_w = _polygon_weight
_inside_w = _inside_edges
_pair_w = _pair_weight

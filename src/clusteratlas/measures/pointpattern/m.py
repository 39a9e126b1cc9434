"""Marcon and Puech's M: the relative weight of an industry among the neighbours of its firms."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from clusteratlas.measures.pointpattern._pairs import (
    _BLOCK_PAIRS,
    CHUNKS,
    FloatArray,
    _use_numba,
    as_distances,
    njit_kernels,
    prepare_points,
)

#: dbmss's default distances, as fractions of the window's diameter (times 1/800).
DEFAULT_STEPS = np.concatenate(
    [[0], np.arange(1, 21), np.arange(22, 41, 2), np.arange(45, 101, 5),
     np.arange(110, 201, 10), np.arange(220, 401, 20)]
).astype(np.float64)  # fmt: skip


@dataclass(frozen=True, eq=False)
class MResult:
    """M of one industry at the distances ``r`` (metres); NaN where no firm has a neighbour.

    Attributes
    ----------
    r : ndarray
        Distances (metres).
    m : ndarray
        M(r); 1 under the null hypothesis of random location.
    n_points : int
        Firms of the industry.
    n_sites : int
        All points (neighbours of all types).
    industry : str
        The industry.
    """

    r: FloatArray
    m: FloatArray
    n_points: int
    n_sites: int
    industry: str

    def to_frame(self) -> pd.DataFrame:
        """Return a tidy frame with columns ``r`` and ``m``."""
        return pd.DataFrame({"r": self.r, "m": self.m})

    def plot(
        self, path: str | Path | None = None, *, title: str | None = None, ax: Any = None
    ) -> Any:
        """Plot M against distance (reference line M = 1): a PNG at ``path``, else on axes.

        Without ``path``, draws on ``ax`` (or a new pyplot figure) and returns the axes.
        """
        from clusteratlas.measures.pointpattern.plot import plot_curves

        return plot_curves(
            path, self.r, {"M": self.m}, ylabel="M(r)", reference=1.0,
            title=title or f"M of industry {self.industry}",
            ax=ax,
        )  # fmt: skip


def m_function(
    points: pd.DataFrame,
    *,
    industry: Any,
    x: str = "x",
    y: str = "y",
    industry_column: str = "industry",
    weight: str | None = None,
    r: Any = None,
    window: Any = None,
) -> MResult:
    r"""Marcon and Puech's M of an industry, as ``dbmss::Mhat(X, ReferenceType = industry)``.

    Parameters
    ----------
    points : DataFrame
        One row per establishment (all industries), projected coordinates in metres.
    industry : str
        The industry whose firms are the reference (and the neighbours of interest).
    x, y, industry_column : str
        Column labels of the coordinates and of the industry code.
    weight : str, optional
        Column of non-negative weights (e.g. employees); 1 for every point when omitted.
    r : array-like, optional
        Increasing distances; default dbmss's 64 values up to half the window's diameter
        (spatstat's ``diameter``: the largest distance between two vertices of a polygon).
    window : (xmin, ymin, xmax, ymax), shapely Polygon/MultiPolygon or GeoSeries, optional
        The window, in the points' projected CRS (default: the bounding box of all points);
        a GeoSeries or GeoDataFrame gives the union of its geometries. See
        :mod:`clusteratlas.measures.pointpattern.windows`.

    Returns
    -------
    MResult

    Raises
    ------
    SchemaError, ParameterError
        As :func:`clusteratlas.measures.pointpattern.kd`.

    Notes
    -----
    For the firms :math:`i` of industry :math:`S` (weights :math:`w`, totals :math:`W_S`
    and :math:`W` over the industry and over all points),

    .. math::

        M(r) = \frac{\sum_i \sum_{j \ne i,\, j \in S,\, d_{ij} \le r} w_j \big/
                     \sum_{j \ne i,\, d_{ij} \le r} w_j}
                    {\sum_i (W_S - w_i)/(W - w_i)}

    where both sums over :math:`i` skip the firms with no neighbour within :math:`r`
    (dbmss: ``is.finite``). Neighbours are found in a strip sorted by x: time
    O(firms x neighbours), memory O(firms x len(r)).

    References
    ----------
    Marcon, E. and Puech, F. (2010). Measures of the geographic concentration of industries:
    improving distance-based methods. *Journal of Economic Geography* 10(5): 745-762.

    Examples
    --------
    >>> import pandas as pd
    >>> pts = pd.DataFrame({"x": [0.0, 100.0, 5000.0, 5100.0], "y": [0.0] * 4,
    ...                     "industry": ["A", "A", "B", "B"]})
    >>> m_function(pts, industry="A", r=[50.0, 200.0]).m.tolist()
    [nan, 3.0]
    """
    pts = prepare_points(
        points, industry=industry, x=x, y=y, industry_column=industry_column,
        weight=weight, window=window, what="m_function",
    )  # fmt: skip
    grid = as_distances(r) if r is not None else pts.diameter * DEFAULT_STEPS / 800.0
    values = m_values(pts.x, pts.y, pts.w, pts.is_type, grid)
    return MResult(grid, values, int(pts.is_type.sum()), len(pts.x), pts.industry)


def m_values(
    x: FloatArray,
    y: FloatArray,
    w: FloatArray,
    is_type: NDArray[np.bool_],
    r: FloatArray,
    *,
    backend: str = "auto",
    parallel: bool = True,
) -> FloatArray:
    """M at ``r`` from arrays of all points (see :func:`m_function`)."""
    nbd_int, nbd_all = neighbour_weights(x, y, w, is_type, r, backend=backend, parallel=parallel)
    cum_int = np.cumsum(nbd_int, axis=1)
    cum_all = np.cumsum(nbd_all, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        local = cum_int / cum_all
    w_ref = w[is_type]
    global_ratio = (w_ref.sum() - w_ref) / (w.sum() - w_ref)
    finite = np.isfinite(local)
    numerator = np.where(finite, local, 0.0).sum(axis=0)
    denominator = (finite * global_ratio[:, None]).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        result: FloatArray = np.where(finite.any(axis=0), numerator / denominator, np.nan)
    return result


_prange = range  # numba.prange once compiled
#: Cells of M's class table at most (512 KiB); beyond, a cell may hold several classes.
_MAX_CELLS = 1 << 16


@functools.cache
def _compiled(parallel: bool) -> dict[str, Callable[..., Any]]:
    return njit_kernels(globals(), {"nbd": _nbd_impl}, parallel=parallel)


def _nbd_impl(
    ref: NDArray[np.int64],
    ref_typed: NDArray[np.int64],
    xs: FloatArray,
    ys: FloatArray,
    ws: FloatArray,
    xt: FloatArray,
    yt: FloatArray,
    wt: FloatArray,
    r2: FloatArray,
    strip: float,
    table: NDArray[np.int64],
    step: float,
) -> tuple[FloatArray, FloatArray]:
    nref = ref.shape[0]
    nr = r2.shape[0] - 1  # r2 ends with +inf: class ``nr`` holds every pair beyond r
    n = xs.shape[0]
    last = table.shape[0] - 1
    inverse = 1.0 / step
    chunks = min(nref, CHUNKS)
    # Column ``nr`` takes the pairs beyond the largest distance (and the point itself), so
    # that no pair needs a test of its own.
    nbd_int = np.zeros((nref, nr + 1))
    nbd_all = np.zeros((nref, nr + 1))
    for c in _prange(chunks):
        # Rows of the chunk's own, allocated once (each point of the type has its own row
        # of results, so the chunks change nothing in them).
        cells = np.empty(n, dtype=np.int64)
        dist2 = np.empty(n)
        for q in range(c, nref, chunks):
            xi = xs[ref[q]]
            yi = ys[ref[q]]
            # All neighbours into nbd_all, then the neighbours of the type alone (a tenth
            # of them, say) into nbd_int: one scattered add per pair instead of two, the
            # second mostly adding 0.0 (13% faster at 100,000 / 10,000; the same sums, in
            # the same order, since adding 0.0 changes none).
            for typed in range(2):
                px = xt if typed else xs
                py = yt if typed else ys
                pw = wt if typed else ws
                itself = ref_typed[q] if typed else ref[q]
                row = nbd_int[q] if typed else nbd_all[q]
                start = np.searchsorted(px, xi - strip)
                stop = np.searchsorted(px, xi + strip, side="right")
                width = stop - start
                # Views indexed by the loop counter alone: no wrap-around checks (as in
                # the pair histogram of _pairs.py).
                xrow = px[start:stop]
                yrow = py[start:stop]
                wrow = pw[start:stop]
                # Each neighbour's cell in a table over d, in a row of its own (square
                # roots included); cells past the table's end, beyond r, fall in its last.
                for t in range(width):
                    dx = xi - xrow[t]
                    dy = yi - yrow[t]
                    d2 = dx * dx + dy * dy
                    dist2[t] = d2
                    cells[t] = min(int(np.sqrt(d2) * inverse), last)
                cells[itself - start] = last  # the point itself: beyond r, in class nr
                dist2[itself - start] = np.inf
                for t in range(width):
                    # The table guesses the first class whose distance reaches the cell;
                    # the class is settled on squared distances exactly as dbmss does (the
                    # first k with d2 <= r2[k]). Both loops are rarely entered, so their
                    # branches are well predicted: a test "beyond r?" per pair was not
                    # (~1.3x slower, M at 100,000 / 10,000): a square's pairs are a
                    # quarter beyond.
                    k = table[cells[t]]
                    d2 = dist2[t]
                    while k > 0 and d2 <= r2[k - 1]:
                        k -= 1
                    while d2 > r2[k]:
                        k += 1
                    row[k] += wrow[t]  # in the order of the neighbours, as before
    return nbd_int[:, :nr], nbd_all[:, :nr]


def neighbour_weights(
    x: FloatArray,
    y: FloatArray,
    w: FloatArray,
    is_type: NDArray[np.bool_],
    r: FloatArray,
    *,
    backend: str = "auto",
    parallel: bool = True,
) -> tuple[FloatArray, FloatArray]:
    """Weights of the neighbours of each point of the type, by distance class (for M).

    Row ``q`` (the ``q``-th point of the type, in input order), column ``k``: the summed
    weight of the other points ``j`` with ``r[k-1]**2 < d_qj**2 <= r[k]**2`` (first array:
    neighbours of the type; second: all neighbours). Not cumulated.
    """
    order = np.argsort(x, kind="stable")
    xs = np.ascontiguousarray(x[order], dtype=np.float64)
    ys = np.ascontiguousarray(y[order], dtype=np.float64)
    ws = np.ascontiguousarray(w[order], dtype=np.float64)
    types = np.ascontiguousarray(is_type[order])
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    ref = np.ascontiguousarray(position[np.flatnonzero(is_type)])
    r2 = np.ascontiguousarray(r * r, dtype=np.float64)
    strip = float(r[-1]) * (1.0 + 1e-12)
    gaps = np.diff(r)
    step = float(gaps[gaps > 0].min() / 2) if np.any(gaps > 0) else float(r[-1]) or 1.0
    # A cell of half the smallest gap holds at most one class boundary; distances closer
    # than r[-1] / 2**16 share cells (correct, the kernel settles the class, only slower).
    step = max(step, float(r[-1]) / _MAX_CELLS)
    # Cell c guesses the first class k with r[k] >= c * step; its last cell lies beyond r
    # and guesses class len(r), which holds the pairs beyond (r2 ends with +inf for it).
    table = np.searchsorted(r, np.arange(int(r[-1] / step) + 2) * step).astype(np.int64)
    if _use_numba(backend):
        # The points of the type again, on their own, in the same order (by x).
        of_type = np.flatnonzero(types)
        ref_typed = np.searchsorted(of_type, ref).astype(np.int64)
        result: tuple[FloatArray, FloatArray] = _compiled(parallel)["nbd"](
            ref, ref_typed, xs, ys, ws, xs[of_type], ys[of_type], ws[of_type],
            np.append(r2, np.inf), strip, table, step,
        )  # fmt: skip
        return result
    nr = len(r2)
    nbd_int = np.zeros((len(ref), nr))
    nbd_all = np.zeros((len(ref), nr))
    block = max(1, _BLOCK_PAIRS // max(len(xs), 1))
    for q0 in range(0, len(ref), block):
        rows = ref[q0 : q0 + block]
        dx = xs[rows, None] - xs[None, :]
        dy = ys[rows, None] - ys[None, :]
        d2 = dx * dx + dy * dy
        keep = (d2 <= r2[-1]) & (rows[:, None] != np.arange(len(xs))[None, :])
        q_idx, j_idx = np.nonzero(keep)
        k = np.searchsorted(r2, d2[keep])
        flat = q_idx * nr + k
        size = len(rows) * nr
        nbd_all[q0 : q0 + block] = np.bincount(flat, ws[j_idx], size).reshape(-1, nr)
        typed = types[j_idx]
        inter = np.bincount(flat[typed], ws[j_idx][typed], size).reshape(-1, nr)
        nbd_int[q0 : q0 + block] = inter
    return nbd_int, nbd_all

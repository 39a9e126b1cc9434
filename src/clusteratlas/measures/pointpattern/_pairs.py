"""Pair-distance kernels for Kd (the histogram), the numba machinery, input checks.

Every kernel exists twice: a numba version (``@njit(parallel=True, cache=True)``) and a
pure-numpy fallback, used when numba is not installed or ``CLUSTERATLAS_NO_NUMBA=1``. Points
are sorted by ``x`` so that a pair loop stops as soon as ``x_j - x_i`` exceeds the cut-off
(a sweep over a strip), and memory stays O(bins): pairs are never stored.

Floating-point sums are accumulated in a fixed number of interleaved chunks reduced in a
fixed order, so a result does not depend on the number of threads: the serial and the
parallel variants of a kernel return bit-identical arrays.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from clusteratlas._validation import check_columns, check_in, suggest
from clusteratlas.errors import ParameterError, SchemaError
from clusteratlas.measures.pointpattern.windows import Window, as_window, check_inside

FloatArray = NDArray[np.float64]

#: Interleaved chunks of reference points (each with its own histogram row), at most.
CHUNKS = 16
#: Pairs per histogram row: fewer pairs share fewer rows (see :func:`histogram_rows`).
PAIRS_PER_ROW = 1 << 16
#: Pairs per block in the numpy fallback (bounds its memory).
_BLOCK_PAIRS = 1 << 21
BACKENDS = ("auto", "numba", "numpy")
PRECISIONS = ("float64", "float32")
#: Unit roundoff of float32 (round to nearest).
_U32 = 2.0**-24


class PairHistogram(NamedTuple):
    """Histogram of the distances of the pairs ``i < j`` closer than ``cutoff``."""

    counts: FloatArray
    weights: FloatArray | None
    sum_d: float
    sum_d2: float
    width: float


def numba_available() -> bool:
    """Return whether the numba kernels are used (numba installed, not switched off)."""
    if os.environ.get("CLUSTERATLAS_NO_NUMBA", "").strip() not in ("", "0"):
        return False
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def _use_numba(backend: str) -> bool:
    check_in(backend, BACKENDS, name="backend")
    if backend == "numpy":
        return False
    available = numba_available()
    if backend == "numba" and not available:
        from clusteratlas._validation import optional_import

        optional_import("numba", extra="points")
        raise RuntimeError("numba is switched off by CLUSTERATLAS_NO_NUMBA.")
    return available


def histogram_rows(n: int) -> int:
    """Histogram rows (interleaved chunks) for ``n`` points: one per 65,536 pairs, 1 to 16.

    Each row is a full histogram that must be zeroed and summed: for a small industry (a
    hundred plants: 5,000 pairs) 16 rows of 65,536 bins cost far more than counting its
    pairs. The number depends on ``n`` only, never on the threads, so results stay
    independent of the thread count.
    """
    pairs = n * (n - 1) // 2
    return int(min(CHUNKS, max(1, pairs // PAIRS_PER_ROW)))


def _hist_impl(
    xs: FloatArray,
    ys: FloatArray,
    ws: FloatArray,
    weighted: bool,
    cutoff: float,
    nbins: int,
    chunks: int,
    with_sums: bool,
) -> tuple[NDArray[np.int64], FloatArray, FloatArray]:
    n = xs.shape[0]
    inv = nbins / cutoff
    cut2 = cutoff * cutoff
    top = nbins - 1
    # Integer counts (an add to memory with no floating-point latency) in a histogram row
    # per chunk, summed by the caller; their last bin takes the pairs beyond the cut-off,
    # so that the binning loop below has no branch.
    counts = np.zeros((chunks, nbins + 1), dtype=np.int64)
    wsum = np.zeros((chunks, nbins + 1 if weighted else 1))
    sums = np.zeros((chunks, 2))
    for c in _prange(chunks):
        hist = counts[c]
        whist = wsum[c]
        bins = np.empty(n + 3, dtype=np.int32)
        dist = np.empty(n + 3)
        dist2 = np.empty(n + 3)
        s1 = 0.0
        s2 = 0.0
        # The chunk's rows c, c + chunks, ... counted, not stepped: numba's loop over a
        # range with a variable step ran the inner loops ~1.4x slower.
        for m in range((n - 1 - c + chunks - 1) // chunks):
            i = c + m * chunks
            xi = xs[i]
            yi = ys[i]
            wi = ws[i]
            first = i + 1
            width = np.searchsorted(xs, xi + cutoff, side="right") - first
            # Views from the row's first neighbour, indexed by the loop counter alone: the
            # compiler then knows every index is non-negative and drops its wrap-around
            # checks (an index computed from the chunk made the inner loops ~1.6x slower,
            # and numba's parallel loop computes it so).
            xrow = xs[first:]
            yrow = ys[first:]
            wrow = ws[first:]
            if not with_sums:
                # The histogram alone (a given bandwidth, or one from the binned
                # moments): a row of bins, then only the integer adds (1.3-1.4x the pairs
                # per second of the loops below, which also sum d and d**2).
                for t in range(width):
                    dx = xrow[t] - xi
                    dy = yrow[t] - yi
                    d2 = dx * dx + dy * dy
                    bins[t] = min(int(np.sqrt(d2) * inv), top) if d2 <= cut2 else nbins
                if weighted:
                    for t in range(width):
                        whist[bins[t]] += wi * wrow[t]
                for t in range(width):
                    hist[bins[t]] += 1
                continue
            # A row of bins and masked distances: a branch-free loop that the compiler
            # vectorises, square roots included ...
            for t in range(width):
                dx = xrow[t] - xi
                dy = yrow[t] - yi
                d2 = dx * dx + dy * dy
                d = np.sqrt(d2)
                inside = d2 <= cut2
                bins[t] = min(int(d * inv), top) if inside else nbins
                dist[t] = d if inside else 0.0
                dist2[t] = d2 if inside else 0.0
            # ... then the scattered adds, and the sums of d and d**2 in four interleaved
            # partial sums (which break the chain of dependent additions; their order is
            # fixed, so the sums do not depend on the number of threads), unrolled by four.
            # benchmarks/bench_points.py --section kernel times this against other designs.
            for t in range(width, width + 3):
                bins[t] = nbins
                dist[t] = 0.0
                dist2[t] = 0.0
            if weighted:
                for t in range(width):
                    whist[bins[t]] += wi * wrow[t]
            a0 = a1 = a2 = a3 = 0.0
            b0 = b1 = b2 = b3 = 0.0
            for t in range(0, width, 4):
                hist[bins[t]] += 1
                hist[bins[t + 1]] += 1
                hist[bins[t + 2]] += 1
                hist[bins[t + 3]] += 1
                a0 += dist[t]
                a1 += dist[t + 1]
                a2 += dist[t + 2]
                a3 += dist[t + 3]
                b0 += dist2[t]
                b1 += dist2[t + 1]
                b2 += dist2[t + 2]
                b3 += dist2[t + 3]
            s1 += (a0 + a1) + (a2 + a3)
            s2 += (b0 + b1) + (b2 + b3)
        sums[c, 0] = s1
        sums[c, 1] = s2
    return counts, wsum, sums


def float32_guard(extent: float, cutoff: float) -> float:
    """Bound (metres) on the error of a distance computed from float32 coordinates.

    Coordinates are shifted to the points' lower-left corner (largest coordinate ``extent``)
    and rounded to float32 (error <= u E, u = 2**-24); a difference of two of them is off by
    <= 3.01 u E, so the distance of the rounded offsets is off by <= 4.3 u E; the float32
    sum of squares adds a relative 2u (<= 1.01 u on the distance, up to ``cutoff``). The
    total, u (4.4 E + 1.1 D), is doubled for margin (a rounding of the float64
    reference itself is ~1e-16 E): pairs within it of a bin edge (or of
    the cut-off) are recomputed in float64, so the bins are exactly those of float64.
    """
    return 2.0 * _U32 * (4.4 * extent + 1.1 * cutoff)


def _hist32_impl(
    xs: FloatArray,
    ys: FloatArray,
    xf: NDArray[np.float32],
    yf: NDArray[np.float32],
    ws: FloatArray,
    weighted: bool,
    cutoff: float,
    nbins: int,
    chunks: int,
    guard: float,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    n = xs.shape[0]
    inv = nbins / cutoff
    cut2 = cutoff * cutoff
    far2 = (cutoff + guard) ** 2
    inner = cutoff - guard
    slack = guard * inv  # the guard in bin widths
    counts = np.zeros((chunks, nbins))
    wsum = np.zeros((chunks, nbins if weighted else 1))
    sums = np.zeros((chunks, 2))
    for c in _prange(chunks):
        s1 = 0.0
        s2 = 0.0
        row = np.empty(n, dtype=np.float32)
        for i in range(c, n - 1, chunks):
            xi = xf[i]
            yi = yf[i]
            wi = ws[i]
            first = i + 1
            span = np.searchsorted(xs, xs[i] + cutoff + guard, side="right") - first
            # Float32 squared distances: twice the lanes of float64 in the vectorised loop.
            for t in range(span):
                dx = xf[first + t] - xi
                dy = yf[first + t] - yi
                row[t] = dx * dx + dy * dy
            for t in range(span):
                d2 = np.float64(row[t])
                if d2 > far2:
                    continue
                d = np.sqrt(d2)
                pos = d * inv
                b = int(pos)
                frac = pos - b
                if frac <= slack or frac >= 1.0 - slack or d >= inner:
                    # Too close to a bin edge (or the cut-off) for float32: float64, as
                    # the float64 kernel computes it, so the pair lands in the same bin.
                    ex = xs[first + t] - xs[i]
                    ey = ys[first + t] - ys[i]
                    d2 = ex * ex + ey * ey
                    if d2 > cut2:
                        continue
                    d = np.sqrt(d2)
                    b = min(int(d * inv), nbins - 1)
                counts[c, b] += 1.0
                if weighted:
                    wsum[c, b] += wi * ws[first + t]
                s1 += d
                s2 += d2
        sums[c, 0] = s1
        sums[c, 1] = s2
    return counts, wsum, sums


# Replaced by numba's prange when the kernels are compiled; plain range in the numpy paths.
_prange = range


def njit_kernels(
    namespace: dict[str, Any], impls: dict[str, Callable[..., Any]], *, parallel: bool
) -> dict[str, Callable[..., Any]]:
    """Compile ``impls`` with numba, binding ``_prange`` in their module to ``numba.prange``.

    Only one variant of a function may use the on-disk cache (numba's cache index does not
    tell a parallel and a serial compilation apart): the parallel one; the serial variant
    serves threaded simulations (``n_jobs > 1``) and is compiled in memory.
    """
    import numba

    namespace["_prange"] = numba.prange
    options: dict[str, Any] = {"nogil": True}
    options.update({"parallel": True, "cache": True} if parallel else {})
    return {name: numba.njit(**options)(impl) for name, impl in impls.items()}


@functools.cache
def _compiled(parallel: bool) -> dict[str, Callable[..., Any]]:
    impls: dict[str, Callable[..., Any]] = {"hist": _hist_impl, "hist32": _hist32_impl}
    return njit_kernels(globals(), impls, parallel=parallel)


def pair_histogram(
    x: FloatArray,
    y: FloatArray,
    w: FloatArray | None,
    *,
    cutoff: float,
    nbins: int,
    backend: str = "auto",
    parallel: bool = True,
    precision: str = "float64",
    sums: bool = True,
) -> PairHistogram:
    """Histogram of the distances of the pairs of points closer than ``cutoff``.

    Returns the counts (and the sums of weight products ``w_i w_j`` when ``w`` is given) in
    ``nbins`` equal bins over ``[0, cutoff]``, and the exact sums of ``d`` and ``d**2``;
    with ``sums=False`` these are NaN and the numba kernel skips them (1.3-1.4x faster).

    With ``precision="float32"`` (numba kernel only; the numpy fallback stays float64) the
    distances are computed from float32 offsets to the points' corner, and the pairs within
    :func:`float32_guard` of a bin edge are recomputed in float64: the counts and weight
    sums are bit-identical to float64's; only ``sum_d`` and ``sum_d2`` (which give the
    bandwidth's standard deviation) carry float32 rounding, at most the guard per pair.
    """
    check_in(precision, PRECISIONS, name="precision")
    order = np.argsort(x, kind="stable")
    xs = np.ascontiguousarray(x[order], dtype=np.float64)
    ys = np.ascontiguousarray(y[order], dtype=np.float64)
    weighted = w is not None
    ws = np.ascontiguousarray(w[order] if w is not None else np.ones(len(xs)), dtype=np.float64)
    if _use_numba(backend):
        rows = histogram_rows(len(xs))
        if not (weighted or sums):
            # Integer counts add up the same in any grouping: one row per thread is enough
            # (each row is zeroed and summed: 16 rows are 8 MB a curve).
            import numba

            rows = min(rows, numba.get_num_threads() if parallel else 1)
        kernels = _compiled(parallel)
        if precision == "float32" and len(xs):
            x0, y0 = float(xs.min()), float(ys.min())
            xf = (xs - x0).astype(np.float32)
            yf = (ys - y0).astype(np.float32)
            guard = float32_guard(max(float(xs.max()) - x0, float(ys.max()) - y0), cutoff)
            counts, wsum, totals = kernels["hist32"](
                xs, ys, xf, yf, ws, weighted, cutoff, nbins, rows, guard
            )
        else:
            counts, wsum, totals = kernels["hist"](xs, ys, ws, weighted, cutoff, nbins, rows, sums)
        # The float64 kernel's rows end with a bin for the pairs beyond the cut-off.
        counts_1d = counts.sum(axis=0)[:nbins].astype(np.float64)
        wsum_1d = wsum.sum(axis=0)[:nbins] if weighted else None
        s1, s2 = totals.sum(axis=0)
    else:
        counts_1d, wsum_1d, s1, s2 = _hist_numpy(xs, ys, ws, weighted, cutoff, nbins)
    if not sums:
        s1 = s2 = np.nan
    return PairHistogram(counts_1d, wsum_1d, float(s1), float(s2), cutoff / nbins)


def _hist_numpy(
    xs: FloatArray, ys: FloatArray, ws: FloatArray, weighted: bool, cutoff: float, nbins: int
) -> tuple[FloatArray, FloatArray | None, float, float]:
    n = len(xs)
    inv = nbins / cutoff
    counts = np.zeros(nbins)
    wsum = np.zeros(nbins) if weighted else None
    s1 = s2 = 0.0
    block = max(1, _BLOCK_PAIRS // max(n, 1))
    for i0 in range(0, n - 1, block):
        i1 = min(i0 + block, n - 1)
        i = np.arange(i0, i1)[:, None]
        j = np.arange(n)[None, :]
        dx = xs[None, :] - xs[i0:i1, None]
        dy = ys[None, :] - ys[i0:i1, None]
        d2 = dx * dx + dy * dy
        keep = (j > i) & (dx <= cutoff) & (d2 <= cutoff * cutoff)
        d = np.sqrt(d2[keep])
        bins = np.minimum((d * inv).astype(np.int64), nbins - 1)
        counts += np.bincount(bins, minlength=nbins)
        if wsum is not None:
            wprod = (ws[i0:i1, None] * ws[None, :])[keep]
            wsum += np.bincount(bins, weights=wprod, minlength=nbins)
        s1 += float(d.sum())
        s2 += float(d2[keep].sum())
    return counts, wsum, s1, s2


# --- Input points -------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PointSet:
    """Validated points: all sites (coordinates, weights), the industry's mask, the window."""

    x: FloatArray
    y: FloatArray
    w: FloatArray
    is_type: NDArray[np.bool_]
    weighted: bool
    window: Window
    industry: str

    @property
    def diameter(self) -> float:
        """Diameter of the window (rectangle or polygon), as spatstat's ``diameter.owin``."""
        return self.window.diameter


def _rows(index: pd.Index, mask: NDArray[np.bool_]) -> str:
    bad = index[mask]
    return ", ".join(map(str, bad[:5])) + (" …" if len(bad) > 5 else "")


def _as_floats(column: pd.Series) -> FloatArray:
    """Return a column as float64, anything not a number as NaN (no parsing if numeric)."""
    if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype):
        return column.to_numpy(dtype=np.float64, na_value=np.nan)
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64)


def _is_industry(column: pd.Series, code: str) -> NDArray[np.bool_]:
    """Mask of the rows whose industry is ``code`` (codes compared as strings).

    A string column is compared as it is (~4x faster than converting 50,000 codes with
    ``astype(str)``; a missing code matches nothing); any other column as strings.
    """
    if isinstance(column.dtype, pd.StringDtype):
        equal = column.array == code
        if isinstance(equal, np.ndarray):
            return equal.astype(bool, copy=False)
        return np.asarray(equal.to_numpy(dtype=bool, na_value=False))
    return np.asarray(column.astype(str).to_numpy() == code)


def prepare_points(
    points: pd.DataFrame,
    *,
    industry: Any,
    x: str,
    y: str,
    industry_column: str,
    weight: str | None,
    window: Any,
    what: str,
) -> PointSet:
    """Check a frame of points and return arrays; raise errors naming the rows at fault."""
    if not isinstance(points, pd.DataFrame):
        raise TypeError(f"{what} takes a pandas DataFrame of points. Got {type(points).__name__}.")
    check_columns(points, [x, y, industry_column] + ([weight] if weight else []), what="points")
    coords = {}
    for label in (x, y):
        values = _as_floats(points[label])
        bad = ~np.isfinite(values)
        if bad.any():
            raise SchemaError(
                f"points: column {label!r} must hold finite numbers (metres); "
                f"{bad.sum()} missing or non-numeric value(s) at row(s) {_rows(points.index, bad)}."
            )
        coords[label] = values
    xs, ys = coords[x], coords[y]
    if weight:
        w = _as_floats(points[weight])
        bad = ~np.isfinite(w) | (w < 0)
        if bad.any():
            raise SchemaError(
                f"points: weight column {weight!r} must hold non-negative numbers; {bad.sum()} "
                f"negative or missing value(s) at row(s) {_rows(points.index, bad)}."
            )
    else:
        w = np.ones(len(xs))
    region = as_window(window, xs, ys, points_crs=getattr(points, "crs", None))
    # Judged on the points' own extent, never on the window: a window in metres around
    # points in degrees (0,0,10000,10000 around Strasbourg's 7.7, 48.6) must not let them pass.
    if (
        len(xs)
        and np.all(np.abs(xs) <= 180)
        and np.all(np.abs(ys) <= 90)
        and max(np.ptp(xs), np.ptp(ys)) <= 10
    ):
        raise ParameterError(
            f"{what} needs projected coordinates in metres, but the points look like "
            "longitude/latitude in degrees. Project them first, e.g. with GeoPandas: "
            "gdf.to_crs(gdf.estimate_utm_crs())."
        )
    check_inside(region, xs, ys, points.index)
    is_type = _is_industry(points[industry_column], str(industry))
    if not is_type.any():
        known = sorted(set(points[industry_column].astype(str)))
        raise ParameterError(
            f"Unknown industry {str(industry)!r} in column {industry_column!r}; "
            f"known: {', '.join(map(repr, known[:10]))}{' …' if len(known) > 10 else ''}."
            + suggest(str(industry), known)
        )
    if is_type.sum() < 2:
        raise ParameterError(
            f"Industry {str(industry)!r} has {is_type.sum()} point; {what} needs at least 2."
        )
    return PointSet(xs, ys, w, is_type, weight is not None, region, str(industry))


def as_distances(r: Any) -> FloatArray:
    """Check user distances: finite, non-negative, increasing, largest positive."""
    try:
        grid = np.atleast_1d(np.asarray(r, dtype=np.float64)).copy()
    except (TypeError, ValueError) as err:
        raise ParameterError(f"The 'r' parameter must be distances in metres. Got {r!r}.") from err
    if grid.ndim != 1 or not len(grid) or not np.all(np.isfinite(grid)) or grid.min() < 0:
        raise ParameterError(
            f"The 'r' parameter must be finite non-negative distances in metres. Got {r!r}."
        )
    if np.any(np.diff(grid) <= 0) or grid.max() <= 0:
        raise ParameterError(f"The 'r' distances must increase strictly. Got {r!r} instead.")
    return grid
